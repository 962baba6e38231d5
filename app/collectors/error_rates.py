"""Error rates: the shared row model, formatting and `warroom status` lines.

Two collectors feed it: PrometheusErrorRateCollector (app.collectors.prometheus_api) runs a
PromQL query, MetricsScrapeCollector (app.collectors.metrics_scrape) scrapes /metrics itself
and computes the ratio from counter deltas. Both produce an ErrorRateData snapshot with one
ErrorRateRow per series, so the pane and `warroom status` treat them alike.

A target that answers with an error of its own (a bad query, an empty result) is a normal
snapshot whose row says so, at level UNKNOWN; only failing to get an answer at all (refused,
timeout, a proxy's 502) sets Snapshot.error, which makes the pane mark its data stale.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Literal

import httpx

from app.collectors.base import Check, Collector, Level, worst
from app.config import Config
from app.config.error_rates import ErrorRate

Unit = Literal["ratio", "percent", "per_second"]

MAX_BODY_BYTES = 10 * 1024 * 1024
"""Responses larger than this are refused: the dashboard must not eat a runaway endpoint."""
TOTAL_GRACE = 0.5
"""Seconds beyond `timeout` a whole request may take: httpx's timeout is per read, so a
target trickling a byte a second would otherwise hold its row forever, never marked stale."""
HISTORY_POINTS = 30
"""Values kept per row for the sparkline when no `range` query supplies history."""


@dataclass(frozen=True)
class ErrorRateRow:
    """One series: its labels, value (None when there is none) and what to say instead."""

    key: str
    """Stable id within the collector: the label text ('' for a single unlabelled row)."""
    labels: str
    """Prometheus-style label text, e.g. {code="500",job="api"}; '' when there are none."""
    value: float | None
    level: Level
    note: str | None = None
    """Shown instead of / beside the value: 'no data', 'NaN', 'collecting…', an error."""
    history: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class ErrorRateData:
    unit: Unit
    warn: float | None
    crit: float | None
    target: str
    """The URL asked (Prometheus base URL or /metrics URL), for detail views."""
    expression: str
    """The PromQL query, or the counter and its error matchers."""
    rows: tuple[ErrorRateRow, ...]


class ResponseTooLarge(Exception):
    pass


def format_labels(labels: dict[str, str]) -> str:
    """{code="500",job="api"} with __name__ in front as Prometheus prints it."""
    name = labels.get("__name__", "")
    pairs = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()) if k != "__name__")
    if not pairs:
        return name
    return f"{name}{{{pairs}}}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _compact(number: float) -> str:
    """Three significant digits without exponent noise: 0.00123, 1.23, 12.3, 1230."""
    if number == 0:
        return "0"
    magnitude = abs(number)
    if magnitude >= 1000:
        return f"{number:,.0f}"
    if magnitude >= 1e-4:
        digits = max(0, 2 - math.floor(math.log10(magnitude)))
        text = f"{number:.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{number:.2e}"


def format_value(value: float | None, unit: Unit) -> str:
    """A value in its unit: ratio 0.0123 -> 1.23%, percent 1.23 -> 1.23%, 4.2 -> 4.2/s."""
    if value is None:
        return "—"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if unit == "ratio":
        return _compact(value * 100) + "%"
    if unit == "percent":
        return _compact(value) + "%"
    return _compact(value) + "/s"


def format_thresholds(warn: float | None, crit: float | None, unit: Unit) -> str:
    parts = []
    if warn is not None:
        parts.append(f"warn ≥ {format_value(warn, unit)}")
    if crit is not None:
        parts.append(f"crit ≥ {format_value(crit, unit)}")
    return ", ".join(parts)


def level_for(value: float | None, warn: float | None, crit: float | None) -> Level:
    """At or above crit is CRIT, at or above warn WARN; no value or NaN is UNKNOWN."""
    if value is None or math.isnan(value):
        return Level.UNKNOWN
    if crit is not None and value >= crit:
        return Level.CRIT
    if warn is not None and value >= warn:
        return Level.WARN
    return Level.OK


def describe_http_error(exc: Exception, timeout: float, url: str) -> str:
    """One short line naming what went wrong talking to the target (same words as health)."""
    from app.collectors.health import name_transport_failure

    if isinstance(exc, ResponseTooLarge):
        return str(exc)
    if isinstance(exc, httpx.HTTPError):
        return name_transport_failure(exc, url, timeout)
    return f"{type(exc).__name__}: {exc}"


async def read_bounded(response: httpx.Response, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body of a streamed response, refusing more than `limit` bytes."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ResponseTooLarge(f"response too large ({int(declared) // 1024} KiB > {limit // 1024} KiB)")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise ResponseTooLarge(f"response too large (over {limit // 1024} KiB)")
        chunks.append(chunk)
    return b"".join(chunks)


def deadline_text(timeout: float) -> str:
    return f"timeout: not complete within {timeout + TOTAL_GRACE:g}s"


class RowHistory:
    """Recent values per row key, for sparklines when the target gives no history itself."""

    def __init__(self, points: int = HISTORY_POINTS) -> None:
        self.points = points
        self._values: dict[str, deque[float | None]] = {}

    def record(self, key: str, value: float | None) -> tuple[float | None, ...]:
        values = self._values.setdefault(key, deque(maxlen=self.points))
        values.append(value)
        return tuple(values)

    def keep_only(self, keys: set[str]) -> None:
        """Forget series that vanished so a long run cannot grow without bound."""
        for key in list(self._values):
            if key not in keys:
                del self._values[key]


class SharedClient:
    """One httpx client for all rows of a build, closed when the last row lets go.

    `warroom status` closes each collector as soon as its own run ends, while others may
    still be using the client, so a plain "last one closes it" would cut them off.
    """

    def __init__(self, client: httpx.AsyncClient, users: int) -> None:
        self.client = client
        self.users = users

    async def release(self) -> None:
        self.users -= 1
        if self.users <= 0:
            await self.client.aclose()


class ErrorRateCollector(Collector):
    """Common part of both kinds: config, thresholds, and `warroom status` lines."""

    source = "errors"

    def __init__(self, config: ErrorRate, client: SharedClient | httpx.AsyncClient) -> None:
        self.config = config
        self.name = config.name
        self.interval = config.interval.total_seconds()
        self.timeout = config.timeout.total_seconds()
        self._shared = client if isinstance(client, SharedClient) else SharedClient(client, users=1)
        self.client = self._shared.client
        self._closed = False

    def checks(self, snapshot) -> list[Check]:
        cfg = self.config
        detail: dict = {"value": None, "unit": cfg.unit, "warn": cfg.warn, "crit": cfg.crit}
        if snapshot.error is not None or not isinstance(snapshot.data, ErrorRateData):
            detail["error"] = snapshot.error or "no data"
            return [Check(self.source, self.name, snapshot.level, snapshot.error or "no data", detail)]
        rows = snapshot.data.rows
        # The row that decides the level speaks for the check.
        top = max(rows, key=lambda r: (r.level.severity_rank, _sortable(r.value))) if rows else None
        if top is not None:
            detail["value"] = _json_number(top.value)
            if top.note:
                detail["note"] = top.note
        if len(rows) > 1:
            detail["series"] = [
                {"labels": r.labels, "value": _json_number(r.value), "level": r.level.json_name}
                | ({"note": r.note} if r.note else {})
                for r in rows
            ]
        summary = _summary(rows, top, cfg)
        return [Check(self.source, self.name, worst([r.level for r in rows]) if rows else Level.UNKNOWN, summary, detail)]

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self._shared.release()


def _sortable(value: float | None) -> float:
    if value is None or math.isnan(value):
        return -math.inf
    return value


def _json_number(value: float | None) -> float | str | None:
    """JSON has no NaN/Inf: say them as strings rather than emit invalid JSON."""
    if value is None:
        return None
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return value


def row_text(row: ErrorRateRow, unit: Unit) -> str:
    """'1.23%', 'no data', or '—: bad_data: parse error' for summaries and pins."""
    if row.value is None:
        return row.note or "no data"
    text = format_value(row.value, unit)
    return f"{text} ({row.note})" if row.note and row.note != text else text


def _summary(rows: tuple[ErrorRateRow, ...], top: ErrorRateRow | None, cfg: ErrorRate) -> str:
    if top is None:
        return "no data"
    text = row_text(top, cfg.unit)
    if len(rows) > 1:
        # Which series speaks: the worst, or with every series OK simply the highest.
        which = "highest" if top.level is Level.OK else "worst"
        text = f"{len(rows)} series, {which} {top.labels} {text}"
    elif top.labels:
        text = f"{top.labels} {text}"
    limits = format_thresholds(cfg.warn, cfg.crit, cfg.unit)
    return f"{text} ({limits})" if limits else text


def build(config: Config) -> list[Collector]:
    """One collector per `error_rates:` entry, all sharing one HTTP client."""
    from app.collectors.metrics_scrape import MetricsScrapeCollector
    from app.collectors.prometheus_api import PrometheusErrorRateCollector

    entries = config.error_rates
    if not entries:
        return []
    shared = SharedClient(httpx.AsyncClient(follow_redirects=True, max_redirects=10), users=len(entries))
    collectors: list[Collector] = []
    for entry in entries:
        if entry.prometheus:
            collectors.append(PrometheusErrorRateCollector(entry, shared))
        else:
            collectors.append(MetricsScrapeCollector(entry, shared))
    return collectors
