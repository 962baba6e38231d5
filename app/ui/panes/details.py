"""What Enter on a live row shows: everything the pane holds about that one row.

Health: the URL, status, latency, the last error, since when. Error rates: the series, its
labels, value and thresholds, the query. A pod: where it runs, why it is in its state, and
its Warning events. (The PostgreSQL pane has its own, app/ui/panes/postgres_screens.py.)
Only what the collectors already fetched: opening a detail never asks a target anything.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from app.collectors.base import Level, Snapshot
from app.collectors.error_rates.model import ErrorRateData, ErrorRateRow, format_thresholds, format_value, row_text
from app.collectors.health import HealthResult, display_url
from app.collectors.k8s_records import EventRow, PodRow
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
            ("latency", f"{result.latency_ms:.0f} ms" if result.latency_ms is not None else "—"),
            ("last error", result.error or "none"),
            ("body", f"{result.body_bytes} bytes read" + (" (cut: larger than the limit)" if result.truncated else "")),
        ]
    facts += [("reason", summary), ("since", since)]
    if latest is not None:
        facts.append(("checked at", _at(latest.fetched_at, tz)))
        if latest.error:
            facts.append(("check failed", latest.error))
    return DetailScreen(f"Health check {name}", facts)


def error_rate_detail(collector: str, row: ErrorRateRow, data: ErrorRateData, fetched_at: datetime,
                      stale: str | None, tz: tzinfo | None) -> DetailScreen:
    facts: list[Fact] = [
        ("error rate", collector),
        ("series", row.labels or "(one series, no labels)"),
        ("level", _level(row.level)),
        ("value", row_text(row, data.unit)),
        ("thresholds", format_thresholds(data.warn, data.crit, data.unit) or "none set"),
        ("query", data.expression),
        ("asked", display_url(data.target) if data.target else ""),
        ("as of", _at(fetched_at, tz)),
    ]
    if stale:
        facts.append(("stale", stale))
    history = [format_value(v, data.unit) for v in row.history]
    sections = [section_text("Recent values (oldest first)", [" ".join(history)] if history else [])]
    return DetailScreen(f"Error rate {collector}", facts, sections)


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
