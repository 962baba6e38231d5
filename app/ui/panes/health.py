"""HealthPane: one table row per HTTP check, updated in place so the cursor survives refreshes.

Built for thousands of checks: rows are added a screenful at a time between frames, the
checks start after the first frame and run on the probe loop under one scheduler
(app/collectors/check_runs.py), and their results come back in batches, each row's cost
paid once per result and the pane's own (level, stale line, column fit) once per batch.
"""

from __future__ import annotations

import gc
import time
from collections import Counter, deque
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable
from textual.worker import Worker

from app.collectors.base import Collector, Level, Snapshot, now_utc
from app.collectors.check_runs import Poller
from app.collectors.health import HealthResult
from app.collectors.observations import Observer
from app.collectors.probe_loop import on_probe_loop
from app.collectors.transitions import format_age
from app.ui.messages import TimelineRequest
from app.ui.panes.base import LivePane
from app.ui.panes.details import health_detail
from app.ui.panes.health_table import HealthTable
from app.ui.widgets.fit import FlexColumn, Room, flex_text
from app.ui.widgets.sparkline import sparkline

HISTORY = 30
ROWS_PER_FRAME = 500
"""Rows added to the table before the next frame: DataTable measures every new cell."""
RESULTS_PER_TURN = 500
"""Results drawn per turn of the message loop; keys and frames go in between."""
FREEZE_FROM = 1000
"""Rows from which the pane's long-lived heap is taken out of the garbage collector's walks."""
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


class _ReasonColumn(FlexColumn):
    """The reason keeps at least REASON_MIN cells; Since shows when it fits whole beside that
    (an 80-column pane has room for it); Trend only while the reason is whole too: a reason
    cut to make room for a sparkline hid what was wrong. What does not fit gives way whole."""

    def width(self, room: Room) -> int:
        spare = room.left(0) - self.min_width
        keep = 1 if room.after and room.after[0] <= spare else 0
        if keep and len(room.after) > 1 and room.left(2) >= room.natural:
            keep = 2
        self.keep_after = keep
        if keep == len(room.after):
            return min(room.natural, room.left(keep))
        # The columns after those kept give way whole: the reason fills up to them.
        return max(min(self.min_width, room.natural), room.left(keep))


class _Row:
    """What the pane remembers per check between snapshots."""

    def __init__(self) -> None:
        self.level: Level | None = None
        self.since: datetime | None = None
        self.summary = "waiting for the first result"
        self.code = ""
        self.latency = ""
        self.latencies: deque[float | None] = deque(maxlen=HISTORY)
        self.cells: tuple[Text, ...] = ()
        """As last put in the table: an age refresh replaces only the Since cell."""


class HealthPane(LivePane[HealthResult]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "pin", "Pin to timeline", id="health.pin"),
    ]

    class SnapshotsArrived(Message):
        """Checks finished runs (with thousands of checks, many at once), now drawn."""

        def __init__(self, snapshots: Sequence[Snapshot[HealthResult]]) -> None:
            super().__init__()
            self.snapshots = snapshots

    class ResultsWaiting(Message, bubble=False):
        """The probe loop left results in the inbox."""

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
        self._unlisted: deque[str] = deque()  # rows still to add, in config order
        self._unlisted_names: set[str] = set()
        self._levels: Counter[Level] = Counter()
        self._inbox: deque[Snapshot[HealthResult]] = deque()  # filled on the probe loop's thread
        self._inbox_flagged = False
        self._waiting: list[Snapshot[HealthResult]] = []  # routine results, for the app's next second
        self._checks: Worker[None] | None = None
        self.table = HealthTable(cursor_type="row", zebra_stripes=False, id="health-table")
        # The reason gives way (cut with …) so level, code and latency never scroll off.
        self._reason_column = _ReasonColumn(self.table, "reason", min_width=REASON_MIN)

    def compose(self) -> ComposeResult:
        yield self.compose_stale()
        yield self.table

    def on_mount(self) -> None:
        # Runs before LivePane.on_mount (Textual calls handlers down the MRO), so the first
        # rows exist before the checks start.
        for key, label in COLUMNS:
            self.table.add_column(label, key=key)
        self._unlisted.extend(self._rows)
        self._unlisted_names.update(self._rows)
        self._freeze_heap()  # the config and the collectors, now; the rows once all are in
        self._add_rows()
        self.set_interval(5, self._refresh_ages)

    def _add_rows(self) -> None:
        for _ in range(min(ROWS_PER_FRAME, len(self._unlisted))):
            name = self._unlisted.popleft()
            self._unlisted_names.discard(name)
            self._put(name, self._rows[name])
        if self._unlisted:
            self.call_after_refresh(self._add_rows)
        else:
            self._freeze_heap()

    def _freeze_heap(self) -> None:
        # Thousands of checks make a heap (config, collectors, rows, cells) that lives as
        # long as the app; Python's collector walked all of it again and again, for
        # hundreds of milliseconds at a time, while drawing and when quitting.
        if len(self._rows) >= FREEZE_FROM:
            gc.freeze()

    def on_resize(self) -> None:
        self._reason_column.schedule()

    # --- checks --------------------------------------------------------------------------
    def start_polling(self) -> None:
        # After the first frame: nothing about the checks delays the screen.
        self.call_after_refresh(self._start_checks)

    def _start_checks(self) -> None:
        self._checks = self.run_worker(self._run_checks, name="collect:health", group="health",
                                       exclusive=True, exit_on_error=False)

    async def _run_checks(self) -> None:
        # One scheduler for every check, on the probe loop: one worker (not one per check)
        # and at most a bounded number of connections at a time, however many are configured.
        await on_probe_loop(Poller(self.collectors, self.observer.observe, self._arrived).run())

    def _arrived(self, snapshot: Snapshot[HealthResult]) -> None:
        """On the probe loop's thread: leave it in the inbox, wake the pane once per batch."""
        self._inbox.append(snapshot)
        if not self._inbox_flagged:
            self._inbox_flagged = True
            self.post_message(self.ResultsWaiting())

    async def close_collectors(self) -> None:
        if self._checks is not None:
            self._checks.cancel()
        self._freeze_heap()  # else the interpreter's last collection walks it on the way out
        # The shared clients close on the probe loop when it gets to it: a loop busy with
        # hundreds of requests made quitting wait (other collectors, as in tests, are awaited).
        for collector in self.collectors:
            close_soon = getattr(collector, "close_soon", None)
            if close_soon is not None:
                close_soon()
            else:
                await collector.aclose()

    def on_health_pane_results_waiting(self, _: ResultsWaiting) -> None:
        self._inbox_flagged = False  # before taking: a result added meanwhile flags again
        batch = [self._inbox.popleft() for _ in range(min(RESULTS_PER_TURN, len(self._inbox)))]
        if self._inbox and not self._inbox_flagged:
            self._inbox_flagged = True
            self.post_message(self.ResultsWaiting())
        if not batch:
            return
        for snapshot in batch:
            self.latest[snapshot.name] = snapshot
            if snapshot.error is None:
                self.last_good[snapshot.name] = snapshot
            for line in snapshot.observations:
                # automatic: with several terminals on one incident only one of them logs it
                self.post_message(TimelineRequest(line, kind="observation", automatic=True))
        if not any(map(self._is_news, batch)) and (self._paced or self._holding_for_dialog()):
            # drawn with the clock (app.ui.panes.base.PACED_APP_PANES), or when the dialog
            # over the dashboard closes (BEHIND_DIALOG_EVERY)
            self._waiting.extend(batch)
        else:
            self._show([*self._take_waiting(), *batch])
        self.post_message(self.SnapshotsArrived(batch))

    def _is_news(self, snapshot: Snapshot[HealthResult]) -> bool:
        row, result = self._rows.get(snapshot.name), snapshot.data
        level = Level.UNKNOWN if snapshot.error is not None or result is None else result.level
        return row is None or row.level != level

    def draw_waiting(self) -> None:
        if self._waiting and not self._holding_for_dialog():
            self._draw_held()

    def _draw_held(self) -> None:
        super()._draw_held()  # stops the dialog's timer (the base pane's _held is empty here)
        if self._waiting:
            self._show(self._take_waiting())

    def _take_waiting(self) -> list[Snapshot[HealthResult]]:
        waiting, self._waiting = self._waiting, []
        return waiting

    def watch_snapshot(self, snapshot: Snapshot[HealthResult] | None) -> None:
        if snapshot is not None:
            self._show([snapshot])

    def _show(self, batch: Sequence[Snapshot[HealthResult]]) -> None:
        self._drawn_at = time.monotonic()
        for snapshot in batch:
            self.render_snapshot(snapshot, self.last_good.get(snapshot.name))
        self.show_stale()
        self._set_pane_level()
        self._reason_column.schedule()

    # --- rows ----------------------------------------------------------------------------
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
            if row.level is not None:
                self._levels[row.level] -= 1
            self._levels[level] += 1
            row.level, row.since = level, snapshot.fetched_at
        row.summary = summary
        self._update_row(snapshot.name, row, result)

    def _update_row(self, name: str, row: _Row, result: HealthResult | None) -> None:
        if result is not None:
            row.code = str(result.status_code) if result.status_code is not None else "—"
            row.latency = f"{result.latency_ms:.0f} ms" if result.latency_ms is not None else "—"
        if name not in self._unlisted_names:  # a row not yet added shows its latest when it is
            self._put(name, row)

    def _put(self, name: str, row: _Row) -> None:
        row.cells = self._cells(name, row)
        self.table.put(name, row.cells)

    def _cells(self, name: str, row: _Row) -> tuple[Text, ...]:
        return (
            Text(name),
            self.table.level_text(row.level if row.level is not None else Level.UNKNOWN),
            Text(row.code),
            Text(row.latency, justify="right"),
            flex_text(row.summary),
            Text(self._since_cell(row)),
            Text(sparkline(list(row.latencies), TREND_WIDTH, floor=0).rjust(TREND_WIDTH)),  # fixed width: no layout as it fills
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
        since_at = COLUMNS.index(("since", "Since"))
        for name, row in self._rows.items():
            if row.since is None or not row.cells:
                continue
            since = self._since_cell(row)
            if row.cells[since_at].plain != since:
                # The other cells are the very objects shown: the table skips them unread.
                row.cells = (*row.cells[:since_at], Text(since), *row.cells[since_at + 1:])
                self.table.put(name, row.cells)

    def _set_pane_level(self) -> None:
        levels = [level for level, count in self._levels.items() if count > 0]
        worst = max(levels, key=lambda lv: lv.severity_rank, default=None)
        # Not the bare -crit class: app.tcss colours all text of such a widget.
        for level in Level:
            self.set_class(level == worst, f"-worst{level.css_class}")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a check: all we know of it, in a dialog (q / Esc back)."""
        event.stop()
        name = str(event.row_key.value)
        row = self._rows.get(name)
        if row is not None:
            self.app.push_screen(health_detail(name, row.level, row.summary, self._since_text(row) or "—",
                                               self.latest.get(name), self.tz))

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
