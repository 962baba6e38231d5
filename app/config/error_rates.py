"""Error rates from Prometheus or a /metrics endpoint (the `error_rates:` section)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.config.types import STRICT, Duration, HttpUrl


class ErrorRate(BaseModel):
    model_config = STRICT

    name: str = Field(min_length=1)
    """Row name in the pane and in `warroom status`."""
    prometheus: HttpUrl | None = None
    """Prometheus base URL, e.g. http://prometheus:9090 (with `query`)."""
    query: str | None = None
    """PromQL expression evaluated with /api/v1/query; one row per returned series."""
    range: Duration | None = None
    """If set, also fetch this much history with /api/v1/query_range for a sparkline."""
    metrics_url: HttpUrl | None = None
    """A /metrics endpoint scraped directly (with `counter` and `errors`)."""
    counter: str | None = None
    """Counter of requests, e.g. http_requests_total, or a histogram's `_count` series."""
    errors: dict[str, str] = {}
    """Label matchers selecting errors, e.g. {code: "5.."} (anchored regular expressions)."""
    unit: Literal["ratio", "percent", "per_second"] = "ratio"
    """How the value is read and shown: ratio 0..1 (shown as %), percent 0..100, or per second."""
    warn: float | None = None
    """Value at or above which the row is WARN (in the row's unit)."""
    crit: float | None = None
    """Value at or above which the row is CRIT (in the row's unit)."""
    timeout: Duration = timedelta(seconds=5)
    """Request timeout."""
    interval: Duration = timedelta(seconds=15)
    """Time between refreshes."""

    @field_validator("errors")
    @classmethod
    def _regexes(cls, value: dict[str, str]) -> dict[str, str]:
        for label, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"errors.{label}: invalid regular expression {pattern!r}: {exc}") from None
        return value

    @model_validator(mode="after")
    def _one_source(self) -> ErrorRate:
        if bool(self.prometheus) == bool(self.metrics_url):
            raise ValueError("give either 'prometheus' + 'query' or 'metrics_url' + 'counter'")
        if self.prometheus and not self.query:
            raise ValueError("'prometheus' needs a 'query'")
        if self.metrics_url and not self.counter:
            raise ValueError("'metrics_url' needs a 'counter'")
        if self.metrics_url and self.unit != "per_second" and not self.errors:
            raise ValueError("'metrics_url' needs 'errors' label matchers, e.g. {code: \"5..\"}")
        if self.range is not None and not self.prometheus:
            raise ValueError("'range' only applies to 'prometheus' rows")
        if self.warn is not None and self.crit is not None and self.warn > self.crit:
            raise ValueError("'warn' must not be above 'crit'")
        if self.interval.total_seconds() <= 0:
            raise ValueError("'interval' must be positive")
        return self
