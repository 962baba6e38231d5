"""Config sections for the live panes: health, error_rates, postgres, kubernetes."""

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


class KubernetesTarget(BaseModel):
    model_config = STRICT

    name: str = Field(min_length=1)
    """Cluster name shown in the pane."""
    kubeconfig: str | None = None
    """Path to a kubeconfig; default $KUBECONFIG or ~/.kube/config, else in-cluster."""
    context: str | None = None
    """Context in the kubeconfig; default its current context."""
    namespaces: list[str] = []
    """Namespaces to watch; empty means all."""
    label_selector: str | None = None
    """Only pods matching this selector, e.g. app=api."""
    pending_warn: Duration = timedelta(minutes=5)
    """A pod pending longer than this is WARN."""
