"""What Enter on a live row shows: everything the pane holds about that one row.

Health: the URL, status, latency, the last error, since when. Error rates: the series, its
labels, value and thresholds, the query. A pod: where it runs, why it is in its state, and
its Warning events. (The PostgreSQL pane has its own, app/ui/panes/postgres_screens.py.)
Only what the collectors already fetched: opening a detail never asks a target anything.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from rich.text import Text

from app.collectors.base import Level, Snapshot
from app.collectors.error_rates.model import ErrorRateData, ErrorRateRow, format_thresholds, format_value, row_text
from app.collectors.health import HealthResult, display_url
from app.collectors.k8s_records import EventRow, PodRow
from app.domain.text import from_bytes, one_line
from app.ui.screens.detail import DetailScreen, Fact, section_text


def _level(level: Level) -> str:
    return f"{level.symbol} {level.word}"


def _at(at: datetime | None, tz: tzinfo | None) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z").rstrip() if at else ""


def health_detail(name: str, level: Level | None, summary: str, since: str, latest: Snapshot[HealthResult] | None,
                  tz: tzinfo | None) -> DetailScreen:
    result = latest.data if latest is not None else None
    facts: list[Fact] = [("check", name), ("level", _level(level or Level.UNKNOWN))]
    if result is not None:
        status = result.status_text or (str(result.status_code) if result.status_code is not None else "")
        facts += [
            ("url", display_url(result.url)),
            ("status", status or "no answer"),
            ("timing", _timing(result)),
            ("last error", result.error or "none"),
            ("body", f"{result.body_bytes:,} bytes read" + (" (cut: larger than the limit)" if result.truncated else "")),
        ]
    facts += [("reason", summary), ("since", since)]
    if latest is not None:
        facts.append(("checked at", _at(latest.fetched_at, tz)))
        if latest.error:
            facts.append(("check failed", latest.error))
    sections = []
    if result is not None and result.status_code is not None:
        sections = [
            section_text("Response headers (secrets redacted)", [f"{k}: {one_line(v)}" for k, v in result.headers]),
            _body_section(result),
        ]
    return DetailScreen(f"Health check {name}", facts, sections)


def _timing(result: HealthResult) -> str:
    if result.latency_ms is None:
        return "—"
    headers = f"headers after {result.headers_ms:.0f} ms, " if result.headers_ms is not None else ""
    return f"{headers}complete after {result.latency_ms:.0f} ms"


def _body_section(result: HealthResult) -> Text:
    """The first 4 KiB as sent: invalid UTF-8 as U+FFFD, control characters made visible, never markup."""
    shown = len(result.body_head)
    heading = f"Body (first {shown:,} of {result.body_bytes:,} bytes)" if shown < result.body_bytes else "Body"
    if result.truncated:
        heading += ", larger than the limit"
    return section_text(heading, [from_bytes(result.body_head)] if shown else [], empty="empty")


def error_rate_detail(collector: str, row: ErrorRateRow, data: ErrorRateData, fetched_at: datetime,
                      stale: str | None, tz: tzinfo | None) -> DetailScreen:
    facts: list[Fact] = [
        ("error rate", collector),
        ("series", row.labels or "(one series, no labels)"),
        ("level", _level(row.level)),
        ("value", row_text(row, data.unit)),
        ("thresholds", format_thresholds(data.warn, data.crit, data.unit) or "none set"),
        ("asked", display_url(data.target) if data.target else ""),
        ("as of", _at(fetched_at, tz)),
    ]
    if stale:
        facts.append(("stale", stale))
    sections = [section_text("Query", [data.expression]),
                section_text("Recent values (oldest first)", recent_values(row, data, tz))]
    return DetailScreen(f"Error rate {collector}", facts, sections)


def recent_values(row: ErrorRateRow, data: ErrorRateData, tz: tzinfo | None) -> list[str]:
    """The sparkline's points as numbers, each with when it was measured where that is known."""
    times = row.history_at if len(row.history_at) == len(row.history) else ()
    lines = []
    for i, value in enumerate(row.history):
        shown = format_value(value, data.unit) if value is not None else "no data"
        at = datetime.fromtimestamp(times[i], UTC).astimezone(tz).strftime("%H:%M:%S") if times else f"#{i + 1}"
        lines.append(f"{at}  {shown}")
    return lines


def event_lines(events: list[EventRow]) -> list[str]:
    return [f"{e.count}× {e.reason}: {e.message} ({e.ago} ago)" for e in events]


def pod_detail(row: PodRow, events: list[EventRow], several_clusters: bool, as_of: datetime | None,
               tz: tzinfo | None) -> DetailScreen:
    facts: list[Fact] = [
        *([("cluster", row.cluster)] if several_clusters else []),
        ("namespace", row.namespace),
        ("pod", row.name),
        ("level", _level(row.level) + (f": {row.why}" if row.why else "")),
        ("status", row.status),
        ("ready", row.ready),
        ("restarts", row.restarts),
        ("last termination", row.last_termination or "none"),
        ("node", row.node or "not scheduled"),
        ("age", row.age),
        ("as of", _at(as_of, tz)),
    ]
    sections = [section_text("Warning events (last 15 min)", event_lines(events))]
    return DetailScreen(f"Pod {row.namespace}/{row.name}", facts, sections)


def events_detail(events: list[EventRow]) -> DetailScreen:
    """Every Warning event held, not only the few the pane has room for."""
    lines = [f"{e.namespace}/{e.kind.lower()}/{e.name}  {e.count}× {e.reason}: {e.message} ({e.ago} ago)" for e in events]
    return DetailScreen("Warning events (last 15 min)", [("events", str(len(events)))], [section_text("Newest count first", lines)])
