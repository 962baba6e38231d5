"""PostgreSQL targets (the `postgres:` section)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.config.types import STRICT, Duration


class PostgresTarget(BaseModel):
    model_config = STRICT

    name: str = Field(min_length=1)
    """Name shown in the pane and in `warroom status`."""
    dsn: str = ""
    """libpq connection string or URL; empty uses libpq's environment (PGHOST, ...)."""
    interval: Duration = timedelta(seconds=5)
    """Time between refreshes."""
    statement_timeout: Duration = timedelta(seconds=2)
    """Server-side limit for warroom's own queries."""
    connect_timeout: Duration = timedelta(seconds=5)
    """Connection timeout."""
    connections_warn: float = 80
    """Percent of max_connections in use at which the database is WARN."""
    connections_crit: float = 95
    """Percent of max_connections in use at which the database is CRIT."""
    long_running: Duration = timedelta(minutes=5)
    """Queries and idle-in-transaction sessions older than this are listed."""
    allow_actions: bool = False
    """Allow cancelling and terminating backends from the pane (with confirmation)."""
