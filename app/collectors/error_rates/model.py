"""Error rates: the row model both sources produce, and how values are written.

A target that answers with an error of its own (a bad query, an empty result) is a normal
snapshot whose row says so, at level UNKNOWN; only failing to get an answer at all (refused,
timeout, a proxy's 502) sets Snapshot.error, which makes the pane mark its data stale.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass
from typing import Literal

from app.collectors.base import Level
from app.domain.text import one_line

Unit = Literal["ratio", "percent", "per_second"]

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
    history_at: tuple[float, ...] = ()
    """When each of `history` was measured (unix seconds), for the detail view; may be empty."""


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


def format_labels(labels: dict[str, str]) -> str:
    """{code="500",job="api"} with __name__ in front as Prometheus prints it."""
    name = one_line(str(labels.get("__name__", "")))
    # Label values come from whatever is scraped: shown literally, never as terminal controls.
    pairs = ",".join(f'{one_line(str(k))}="{one_line(_escape(str(v)))}"' for k, v in sorted(labels.items()) if k != "__name__")
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


class RowHistory:
    """Recent values per row key, for sparklines when the target gives no history itself."""

    def __init__(self, points: int = HISTORY_POINTS) -> None:
        self.points = points
        self._values: dict[str, deque[float | None]] = {}
        self._times: dict[str, deque[float]] = {}

    def record(self, key: str, value: float | None, at: float | None = None) -> tuple[float | None, ...]:
        values = self._values.setdefault(key, deque(maxlen=self.points))
        values.append(value)
        self._times.setdefault(key, deque(maxlen=self.points)).append(time.time() if at is None else at)
        return tuple(values)

    def times(self, key: str) -> tuple[float, ...]:
        """When each value `record` returned for `key` was recorded."""
        return tuple(self._times.get(key, ()))

    def keep_only(self, keys: set[str]) -> None:
        """Forget series that vanished so a long run cannot grow without bound."""
        for key in list(self._values):
            if key not in keys:
                del self._values[key]
                self._times.pop(key, None)


def row_text(row: ErrorRateRow, unit: Unit) -> str:
    """'1.23%', 'no data', or '—: bad_data: parse error' for summaries and pins."""
    if row.value is None:
        return row.note or "no data"
    text = format_value(row.value, unit)
    return f"{text} ({row.note})" if row.note and row.note != text else text
