"""HTTP health checks (the `health:` section)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.config.types import STRICT, Duration


class BodyCondition(BaseModel):
    model_config = STRICT

    path: str
    """Dotted path into the JSON body, e.g. `status` or `components.db.status`."""
    in_: list[str | int | float | bool] = Field(alias="in")
    """Accepted values at that path, e.g. [UP, ok, healthy, pass]."""


class HealthCheck(BaseModel):
    model_config = STRICT

    name: str = Field(min_length=1)
    """Row name in the pane and in `warroom status`."""
    url: str
    """Endpoint to request, http:// or https://."""
    method: Literal["GET", "HEAD", "POST"] = "GET"
    """HTTP method."""
    headers: dict[str, str] = {}
    """Extra request headers; use ${TOKEN} for secrets."""
    timeout: Duration = timedelta(seconds=5)
    """Connect and read timeout."""
    interval: Duration = timedelta(seconds=10)
    """Time between checks."""
    verify: bool | str = True
    """TLS verification: true, false, or a path to a CA bundle."""
    expect_status: list[int | str] = ["2xx"]
    """Accepted status codes: numbers, classes like 2xx, or ranges like 200-299."""
    latency_warn: Duration | None = None
    """Latency above this is WARN."""
    latency_crit: Duration | None = None
    """Latency above this is CRIT."""
    body: list[BodyCondition] = []
    """JSON body conditions, all of which must hold."""
    contains: str | None = None
    """Text the body must contain."""

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return value
