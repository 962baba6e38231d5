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
    lock_wait_warn: Duration = timedelta(seconds=30)
    """A backend waiting on a lock for longer than this makes the database WARN."""
    allow_actions: bool = False
    """Allow cancelling and terminating backends from the pane (with confirmation)."""

    @model_validator(mode="after")
    def _thresholds(self) -> "PostgresTarget":
        if not 0 < self.connections_warn <= self.connections_crit <= 100:
            raise ValueError("need 0 < connections_warn <= connections_crit <= 100 (percent)")
        if self.statement_timeout.total_seconds() <= 0 or self.connect_timeout.total_seconds() < 1:
            raise ValueError("statement_timeout must be > 0 and connect_timeout at least 1s")
        if self.interval.total_seconds() <= 0:
            raise ValueError("interval must be > 0")
        return self
