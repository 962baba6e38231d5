"""When live checks write to the incident timeline by themselves (the `auto_timeline:` section)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field

from app.config.types import STRICT, Duration


class AutoTimelineSettings(BaseModel):
    model_config = STRICT

    enabled: bool = True
    """Append an observation to the open incident when a check changes level."""
    consecutive: int = Field(default=2, ge=1, le=100)
    """A new level counts only after this many results in a row (avoids flapping noise)."""
    min_interval: Duration = timedelta(seconds=60)
    """At most one observation per check within this time; later changes are reported once it passes."""
    max_per_minute: int = Field(default=10, ge=1)
    """At most this many automatic observations per minute across all checks."""
