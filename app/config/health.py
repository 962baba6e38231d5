"""HTTP health checks (the `health:` section)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.config.types import STRICT, Duration, HttpUrl
from app.config.urls import check_headers

_STATUS_CLASS = re.compile(r"[1-5]xx", re.IGNORECASE)
_STATUS_RANGE = re.compile(r"(\d{3})\s*-\s*(\d{3})")

Scalar = str | int | float | bool


class BodyCondition(BaseModel):
    model_config = STRICT

    path: str = Field(min_length=1)
    """Dotted path into the JSON body, e.g. `status` or `components.db.status` (list items by index: `checks.0.status`)."""
    in_: list[Scalar] = Field(alias="in", min_length=1)
    """Accepted values at that path, e.g. [UP, ok, healthy, pass]. Strings compare case-sensitively."""
    warn: list[Scalar] = []
    """Values at that path that mean WARN rather than CRIT, e.g. [warn] for health+json."""


def parse_status_spec(spec: int | str) -> tuple[int, int]:
    """One `expect_status` entry as an inclusive range: 200 -> (200, 200), '2xx' -> (200, 299)."""
    if isinstance(spec, bool):
        raise ValueError("expected a status code like 200, a class like 2xx or a range like 200-299")
    if isinstance(spec, int):
        low = high = spec
    else:
        text = spec.strip()
        if text.isdigit():
            low = high = int(text)
        elif _STATUS_CLASS.fullmatch(text):
            low = int(text[0]) * 100
            high = low + 99
        elif match := _STATUS_RANGE.fullmatch(text):
            low, high = int(match.group(1)), int(match.group(2))
        else:
            raise ValueError(f"invalid status {spec!r} (use e.g. 200, 2xx or 200-299)")
    if not (100 <= low <= high <= 599):
        raise ValueError(f"invalid status {spec!r} (codes are 100-599, low before high)")
    return low, high


class HealthCheck(BaseModel):
    model_config = STRICT

    name: str = Field(min_length=1)
    """Row name in the pane and in `warroom status`."""
    url: HttpUrl
    """Endpoint to request, http:// or https://."""
    method: Literal["GET", "HEAD", "POST"] = "GET"
    """HTTP method."""
    headers: dict[str, str] = {}
    """Extra request headers; use ${TOKEN} for secrets."""
    timeout: Duration = timedelta(seconds=5)
    """Connect and read timeout; a whole check (with redirects and body) gets at most 0.5 s more."""
    interval: Duration = timedelta(seconds=10)
    """Time between checks."""
    verify: bool | str = True
    """TLS verification: true, false, or a path to a CA bundle."""
    follow_redirects: bool = True
    """Follow redirects (at most 10); false checks the redirect itself, e.g. expect_status: [301]."""
    expect_status: list[int | str] = Field(default=["2xx"], min_length=1)
    """Accepted status codes: numbers, classes like 2xx, or ranges like 200-299."""
    latency_warn: Duration | None = None
    """Latency above this is WARN."""
    latency_crit: Duration | None = None
    """Latency above this is CRIT."""
    body: list[BodyCondition] = []
    """JSON body conditions, all of which must hold."""
    contains: str | None = None
    """Text the body (its first 1 MiB) must contain."""

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        return check_headers(value)

    @field_validator("expect_status")
    @classmethod
    def _statuses(cls, value: list[int | str]) -> list[int | str]:
        for spec in value:
            parse_status_spec(spec)
        return value

    @field_validator("timeout", "interval")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value.total_seconds() <= 0:
            raise ValueError("must be longer than 0s")
        return value

    @model_validator(mode="after")
    def _latency_order(self) -> HealthCheck:
        if self.latency_warn and self.latency_crit and self.latency_warn > self.latency_crit:
            raise ValueError("latency_warn must not be above latency_crit")
        return self

    def status_ranges(self) -> list[tuple[int, int]]:
        return [parse_status_spec(spec) for spec in self.expect_status]
