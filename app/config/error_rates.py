"""Error rates from Prometheus or a /metrics endpoint (the `error_rates:` section)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.config.types import STRICT, Duration


class ErrorRate(BaseModel):
    model_config = STRICT

    name: str = Field(min_length=1)
    """Row name in the pane and in `warroom status`."""
    prometheus: str | None = None
    """Prometheus base URL, e.g. http://prometheus:9090 (with `query`)."""
    query: str | None = None
    """PromQL expression evaluated with /api/v1/query."""
    range: Duration | None = None
    """If set, also fetch this much history with /api/v1/query_range for a sparkline."""
    metrics_url: str | None = None
    """A /metrics endpoint scraped directly (with `counter` and `errors`)."""
    counter: str | None = None
    """Counter (or histogram `_count`) of requests, e.g. http_requests_total."""
    errors: dict[str, str] = {}
    """Label matchers selecting errors, e.g. {code: "5.."} (regular expressions)."""
    unit: Literal["ratio", "percent", "per_second"] = "ratio"
    """How the value is read and shown."""
    warn: float | None = None
    """Value at or above which the row is WARN."""
    crit: float | None = None
    """Value at or above which the row is CRIT."""
    timeout: Duration = timedelta(seconds=5)
    """Request timeout."""
    interval: Duration = timedelta(seconds=15)
    """Time between refreshes."""

    @model_validator(mode="after")
    def _one_source(self) -> ErrorRate:
        if bool(self.prometheus) == bool(self.metrics_url):
            raise ValueError("give either 'prometheus' + 'query' or 'metrics_url' + 'counter'")
        if self.prometheus and not self.query:
            raise ValueError("'prometheus' needs a 'query'")
        if self.metrics_url and not self.counter:
            raise ValueError("'metrics_url' needs a 'counter'")
        return self
