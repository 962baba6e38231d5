"""HealthPane: one table row per HTTP check, updated in place so the cursor survives refreshes."""

from __future__ import annotations

from collections import deque
from datetime import datetime, tzinfo
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from app.collectors.base import Collector, Level, Snapshot, now_utc
from app.collectors.health import HealthResult
from app.collectors.observations import Observer
from app.collectors.transitions import format_age
from app.ui.messages import TimelineRequest
from app.ui.panes.base import LivePane
from app.ui.widgets.fit import FlexColumn, Room, flex_text
from app.ui.widgets.keyed_table import KeyedTable
from app.ui.widgets.sparkline import sparkline

HISTORY = 30
TREND_WIDTH = 8
REASON_MIN = 20
COLUMNS = [
    ("check", "Check"),
    ("level", "Level"),
    ("code", "Code"),
    ("latency", "Latency"),
    # Reason first: it is what the reader needs most; then since when, then the trend.
    ("reason", "Reason"),
    ("since", "Since"),
    ("trend", "Trend"),
]
_SINCE_WORD = {Level.OK: "up", Level.WARN: "warn", Level.CRIT: "down", Level.UNKNOWN: "unknown"}


class HealthTable(KeyedTable):
    """The rows; level colours come from component classes in styles/health.tcss."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "health-table--ok",
        "health-table--warn",
        "health-table--crit",
        "health-table--unknown",
    }

    def level_text(self, level: Level) -> Text:
        style = self.get_component_rich_style(f"health-table-{level.css_class}", partial=True)
        return Text(f"{level.symbol} {level.word}", style=style)


class _ReasonColumn(FlexColumn):
    """The reason keeps at least REASON_MIN cells; Since, then Trend, show when they fit whole
    beside it (an 80-column pane has room for Since), otherwise they give way whole."""

    def width(self, room: Room) -> int:
        spare = room.left(0) - self.min_width
        self.keep_after = next((n for n in range(len(room.after), 0, -1) if sum(room.after[:n]) <= spare), 0)
        return super().width(room)


class _Row:
    """What the pane remembers per check between snapshots."""

    def __init__(self) -> None:
        self.level: Level | None = None
        self.since: datetime | None = None
        self.summary = "waiting for the first result"
        self.code = ""
        self.latency = ""
        self.latencies: deque[float | None] = deque(maxlen=HISTORY)


class HealthPane(LivePane[HealthResult]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "pin", "Pin to timeline", id="health.pin"),
    ]

    def __init__(
        self,
        collectors: list[Collector[HealthResult]],
        *,
        title: str = "Health",
        tz: tzinfo | None = None,
        observer: Observer | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(collectors, title=title, tz=tz, observer=observer, id=id)
        self._rows: dict[str, _Row] = {c.name: _Row() for c in collectors}
        self.table = HealthTable(cursor_type="row", zebra_stripes=False, id="health-table")
        # The reason gives way (cut with …) so level, code and latency never scroll off.
        self._reason_column = _ReasonColumn(self.table, "reason", min_width=REASON_MIN)

    def compose(self) -> ComposeResult:
        yield self.compose_stale()
        yield self.table

    def on_mount(self) -> None:
        # Runs before LivePane.on_mount (Textual calls handlers down the MRO), so the rows
        # exist before the first snapshot can arrive.
        for key, label in COLUMNS:
            self.table.add_column(label, key=key)
        for name, row in self._rows.items():
            self.table.put(name, self._cells(name, row))
        self.set_interval(5, self._refresh_ages)

    def on_resize(self) -> None:
        self._reason_column.schedule()

    def render_snapshot(self, snapshot: Snapshot[HealthResult], last_good: Snapshot[HealthResult] | None) -> None:
        row = self._rows.setdefault(snapshot.name, _Row())
        result = snapshot.data
        if snapshot.error is not None or result is None:
            # The collector itself failed: keep the last numbers, say so in the reason.
            level, summary = Level.UNKNOWN, f"check failed: {snapshot.error or 'no result'}"
        else:
            level, summary = result.level, result.error or result.summary
            row.latencies.append(result.latency_ms)
        if level != row.level:
            row.level, row.since = level, snapshot.fetched_at
        row.summary = summary
        self._update_row(snapshot.name, row, result)
        self._set_pane_level()

    def _update_row(self, name: str, row: _Row, result: HealthResult | None) -> None:
        if result is not None:
            row.code = str(result.status_code) if result.status_code is not None else "—"
            row.latency = f"{result.latency_ms:.0f} ms" if result.latency_ms is not None else "—"
        self.table.put(name, self._cells(name, row))
        self._reason_column.schedule()

    def _cells(self, name: str, row: _Row) -> tuple[Text, ...]:
        return (
            Text(name),
            self.table.level_text(row.level if row.level is not None else Level.UNKNOWN),
            Text(row.code),
            Text(row.latency, justify="right"),
            flex_text(row.summary),
            Text(self._since_cell(row)),
            Text(sparkline(list(row.latencies), TREND_WIDTH, floor=0)),
        )

    def _since_text(self, row: _Row) -> str:
        if row.since is None or row.level is None:
            return ""
        at = row.since.astimezone(self.tz).strftime("%H:%M:%S")
        return f"{_SINCE_WORD[row.level]} since {at} ({format_age(now_utc() - row.since)})"

    def _since_cell(self, row: _Row) -> str:
        """'14:02:11 (3m)': the Level beside it says down, warn or up."""
        if row.since is None or row.level is None:
            return ""
        return f"{row.since.astimezone(self.tz).strftime('%H:%M:%S')} ({format_age(now_utc() - row.since)})"

    def _refresh_ages(self) -> None:
        for name, row in self._rows.items():
            if row.since is not None:
                self.table.put(name, self._cells(name, row))

    def _set_pane_level(self) -> None:
        levels = [r.level for r in self._rows.values() if r.level is not None]
        worst = max(levels, key=lambda lv: lv.severity_rank, default=None)
        # Not the bare -crit class: app.tcss colours all text of such a widget.
        for level in Level:
            self.set_class(level == worst, f"-worst{level.css_class}")

    def action_pin(self) -> None:
        """Write the selected row's current state into the incident timeline."""
        if not self.table.row_count:
            return
        key = self.table.selected_key
        row = self._rows.get(key or "")
        if row is None or row.level is None:
            self.notify(f"{key}: no result yet, nothing to pin", severity="warning", markup=False)
            return
        text = f"pinned: {key} {row.level.word}: {row.summary} ({self._since_text(row)})"
        self.post_message(TimelineRequest(text, kind="observation"))  # the app confirms once durable
