"""LivePane: one exclusive worker per collector, collect -> message -> sleep, with backoff."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from datetime import tzinfo
from functools import partial
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Span, Text
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import DataTable, Input, Static
from textual.timer import Timer
from textual.worker import Worker

from app.collectors.base import Collector, Level, Snapshot
from app.collectors.observations import NoObservations, Observer
from app.collectors.poll import poll
from app.ui.messages import SnapshotArrived, TimelineRequest
from app.ui.widgets.filter_line import FilterLine, filter_suffix
from app.ui.widgets.keyed_table import KeyedTable
from app.ui.widgets.marks import SELECTED
from app.ui.widgets.quiet import show_text
from app.ui.widgets.row_filter import RowFilter

T = TypeVar("T")
WARNING_EVENTS_KEY = 5
"""The key of the pods pane's Warning events; the panes are 1-4 (app.ui.live.PANES)."""
CLOSE_SECONDS = 0.5
BEHIND_DIALOG_EVERY = 30.0
"""Seconds between a pane's redraws while a dialog covers the dashboard. Textual draws the
whole dashboard again, dimmed, behind the dialog for every change under it: a PostgreSQL
pane at 2 s cost ten times what it costs in plain view, and at one redraw in 10 s still
1.3-1.4 times pg_activity's whole refresh. A refresh that changes a level, or that fails or
recovers, is news and is drawn at once; closing the dialog draws what waited."""
PACED_APP_PANES = "paced_live_panes"
"""An app with this attribute (a dict, in mount order) has its mounted panes kept in it and
calls their `draw_waiting()` each second, with its clock: a routine refresh then waits for
that second and is drawn in the frame the clock draws anyway. Four panes refreshing on their
own beats made about three frames a second, each costing Textual's whole-frame work (issue
12); news is drawn at once all the same."""


def stale_text(snapshot: Snapshot[Any], last_good: Snapshot[Any] | None, tz: tzinfo | None = None, names: str = "") -> Text:
    """'stale since HH:MM:SS: <reason>' — reason shown literally, never as markup. `names`
    says which rows are stale when a pane has several collectors."""
    since = (last_good.fetched_at if last_good else snapshot.fetched_at).astimezone(tz)
    text = Text("⚠ ", style="bold")
    if names:
        text.append(f"{names}: ")
    text.append("stale since ", style="bold")
    text.append(since.strftime("%H:%M:%S"))
    text.append(": ")
    text.append(snapshot.error or "unknown error")
    return text


class LivePane(Vertical, Generic[T]):
    """Base for panes fed by collectors. Subclasses implement `render_snapshot`.

    Everything a pane needs comes in here, from the config, when it is built (see
    app.ui.live): `tz` for the times it shows, `observer` for what its source writes to
    the timeline by itself. It never reads the app's config.
    """

    # Every pane's, merged into each subclass's own (help and palette list them once).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="pane.filter"),
        Binding("f", "zoom", "Zoom", id="pane.zoom"),
        Binding("escape", "back", "Back", id="pane.back"),
    ]

    DEFAULT_CSS = """
    LivePane { height: auto; border: round $panel; padding: 0 1; }
    LivePane > .stale { color: $warning; display: none; }
    LivePane.-stale > .stale { display: block; }
    """

    # repaint=False: the watcher repaints what changed; the whole pane need not be redrawn.
    snapshot: reactive[Snapshot[T] | None] = reactive(None, always_update=True, init=False, repaint=False)

    def __init__(
        self,
        collectors: Sequence[Collector[T]],
        *,
        title: str,
        tz: tzinfo | None = None,
        observer: Observer | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.collectors = list(collectors)
        self.number: int | None = None
        """The key that focuses it (app.ui.live sets it), shown in its title."""
        self._title = title
        self.filter_query = ""
        self._title_detail = ""
        self._title_shown: tuple[str, list[Span]] | None = None
        self.show_title(title)
        self.tz = tz
        self.observer: Observer = observer or NoObservations()
        self.last_good: dict[str, Snapshot[T]] = {}
        self.latest: dict[str, Snapshot[T]] = {}
        self._stale = Static("", classes="stale", markup=False)
        self.filter_line = FilterLine()
        self._drawn: dict[str, tuple[Level, bool]] = {}  # source -> level and health last drawn
        self._drawn_at = 0.0  # time.monotonic() of the last draw
        self._held: dict[str, Snapshot[T]] = {}  # source -> its newest refresh, held (dialog or second)
        self._hold_timer: Timer | None = None
        # The app's registry of paced panes, when it draws held refreshes each second.
        self._paced_in: dict[Any, None] | None = None

    def compose_stale(self) -> Static:
        return self._stale

    # --- title: its key, and ▶ while the keys go to it --------------------------------------
    def show_title(self, title: str, detail: str | None = None) -> None:
        """`detail` (counts) follows the filter: a narrow pane cuts the end of its title,
        and the filter is what says rows are hidden."""
        self._title = title
        if detail is not None:
            self._title_detail = detail
        focused = self.is_mounted and self.has_focus_within
        self.set_class(focused, "-focused")
        number = f"{self.number} " if self.number is not None else ""
        # Text, not str: a border title string is read as markup.
        text = (Text(f"{SELECTED} " if focused else "") + Text(f"{number}{title}") + self._filter_suffix()
                + Text(self._title_detail))
        if (text.plain, text.spans) != self._title_shown:
            self._title_shown = (text.plain, text.spans)
            self.border_title = text  # setting it repaints the whole pane, tables and all

    def _filter_suffix(self) -> Text:
        if not self.filter_query:
            return Text()
        tables = list(self.query(KeyedTable)) if self.is_mounted else []
        return filter_suffix(self.filter_query, sum(t.row_count for t in tables), sum(t.total_rows for t in tables))

    # --- filter (/) and zoom (f) -------------------------------------------------------------
    def make_filter(self, query: str) -> RowFilter:
        """What the words typed match; the pods pane also reads `label=value` and `ns/`."""
        return RowFilter(query)

    def set_filter(self, query: str) -> None:
        """Narrow what is drawn: levels, counts and observations still see every row."""
        self.filter_query = " ".join(query.split())
        for table in self.query(KeyedTable):
            table.set_filter(self.make_filter(self.filter_query))
        self.show_title(self._title)
        self.refit()

    def refit(self) -> None:
        """Fit the flexible columns again (a filter or a zoom changed what they hold)."""
        for table in self.query(DataTable):
            for fit in getattr(table, "flex_fits", ()):
                fit.schedule()

    def action_filter(self) -> None:
        self.filter_line.open()
        for table in self.query(KeyedTable):
            table.set_timer(0.1, table.prepare_filter)  # after the frame that shows the line

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is self.filter_line:
            event.stop()
            self.set_filter(event.value)

    def on_keyed_table_filtered(self, event: KeyedTable.Filtered) -> None:
        event.stop()
        if self.filter_query:
            self.show_title(self._title)

    @property
    def zoomed(self) -> bool:
        return self.has_class("-zoomed")

    def action_zoom(self) -> None:
        """The pane takes the live half (the whole screen in the narrow view); again: back."""
        zoom = not self.zoomed
        screen = self.screen
        for pane in screen.query(LivePane):
            if pane is not self and pane.zoomed:
                pane.remove_class("-zoomed")
                pane.refit()
        self.set_class(zoom, "-zoomed")
        screen.set_class(zoom, "-zoom")
        if zoom:
            screen.remove_class("-side")
            screen.add_class("-show-live")  # the narrow view: the live half is the screen
        self.refit()
        focused = screen.focused
        if focused is not None:
            self.call_after_refresh(focused.scroll_visible, animate=False)

    def action_back(self) -> None:
        """Esc: out of the zoom first, then the filter goes."""
        if self.zoomed:
            self.action_zoom()
        elif self.filter_query:
            self.filter_line.value = ""
            self.set_filter("")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.zoomed or bool(self.filter_query)
        if action == "filter":
            return not self.filter_line.has_focus  # there, `/` is text
        return True

    def on_mount(self) -> None:
        if self.filter_line.parent is None:
            # Under the stale line, hidden until `/`: mounted now so keys typed right
            # after `/` have a line to land in.
            if self._stale.parent is self:
                self.mount(self.filter_line, after=self._stale)
            else:
                self.mount(self.filter_line, before=0)
        # The screen's focus, not focus events: focus given back when a dialog closes, or
        # set before this pane's handlers run, sends none.
        self.watch(self.screen, "focused", lambda _: self.show_title(self._title))
        self.app.screen_change_signal.subscribe(self, self._screen_changed)
        paced = getattr(self.app, PACED_APP_PANES, None)
        if isinstance(paced, dict):
            paced[self] = None
            self._paced_in = paced
        self.start_polling()

    def start_polling(self) -> None:
        """One worker per collector; a pane of thousands of rows schedules them its own way."""
        for collector in self.collectors:
            # A coroutine function, not a coroutine: nothing is left un-awaited if the
            # app exits before the worker starts.
            # Worker[None] pins textual's result type: a coroutine function also matches its
            # plain-function branch, and mypy would otherwise infer Never.
            worker: Worker[None] = self.run_worker(
                partial(self._poll, collector),
                name=f"collect:{collector.source}:{collector.name}",
                group=f"{collector.source}:{collector.name}",
                exclusive=True,
                exit_on_error=False,
            )

    async def on_unmount(self) -> None:
        if self._paced_in is not None:
            self._paced_in.pop(self, None)
        # Quitting waits this long at most, however many collectors and however hung their
        # targets: what is not closed by then goes with the process.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CLOSE_SECONDS):
                await self.close_collectors()

    async def close_collectors(self) -> None:
        """All at once: one after another, each dead target's wait would add to the next."""
        await asyncio.gather(*(collector.aclose() for collector in self.collectors), return_exceptions=True)

    async def _poll(self, collector: Collector[T]) -> None:
        await poll(collector, self.observer, lambda snapshot: self.post_message(SnapshotArrived(snapshot)))

    def on_snapshot_arrived(self, message: SnapshotArrived) -> None:
        # Let it bubble on to the app too (auto timeline), after we render.
        snap = message.snapshot
        self.latest[snap.name] = snap
        if snap.error is None:
            self.last_good[snap.name] = snap
        self.snapshot = snap
        for line in snap.observations:
            # automatic: with several terminals on one incident only one of them logs it
            self.post_message(TimelineRequest(line, kind="observation", automatic=True))

    def watch_snapshot(self, snapshot: Snapshot[T] | None) -> None:
        if snapshot is None or self._held_behind_dialog(snapshot) or self._held_for_second(snapshot):
            return
        self._draw(snapshot)

    def _draw(self, snapshot: Snapshot[T]) -> None:
        self._drawn[snapshot.name] = (snapshot.level, snapshot.error is None)
        self._drawn_at = time.monotonic()
        self.show_stale()
        self.render_snapshot(snapshot, self.last_good.get(snapshot.name))

    def _held_behind_dialog(self, snapshot: Snapshot[T]) -> bool:
        """Behind a dialog a refresh that is not news waits (see BEHIND_DIALOG_EVERY)."""
        if self._is_news(snapshot) or not self._holding_for_dialog():
            return False
        self._held[snapshot.name] = snapshot
        return True

    def _holding_for_dialog(self) -> bool:
        """True while a dialog is up and the last draw is recent: routine refreshes wait,
        and `_draw_held` runs when BEHIND_DIALOG_EVERY has passed since that draw."""
        if not self.is_attached or self.screen is self.app.screen:
            return False
        wait = self._drawn_at + BEHIND_DIALOG_EVERY - time.monotonic()
        if wait <= 0:
            return False
        if self._hold_timer is None:
            self._hold_timer = self.set_timer(wait, self._draw_held)
        return True

    @property
    def _paced(self) -> bool:
        """The app draws this pane's routine refreshes with its second (PACED_APP_PANES)."""
        return self._paced_in is not None

    def _held_for_second(self, snapshot: Snapshot[T]) -> bool:
        """A refresh that is not news waits for the app's next second (PACED_APP_PANES)."""
        if not self._paced or self._is_news(snapshot):
            return False
        self._held[snapshot.name] = snapshot
        return True

    def _is_news(self, snapshot: Snapshot[T]) -> bool:
        """A level changed, or the source failed or came back: drawn at once, never held."""
        return self._drawn.get(snapshot.name) != (snapshot.level, snapshot.error is None)

    def draw_waiting(self) -> None:
        """The app's second, or a dialog closed: what waited is drawn now (behind a dialog
        it waits on)."""
        if self._held and self.is_attached and self.screen is self.app.screen:
            self._draw_held()

    def _draw_held(self) -> None:
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        held, self._held = self._held, {}
        for snapshot in held.values():
            self._draw(snapshot)

    def _screen_changed(self, _screen: object) -> None:
        self.draw_waiting()

    def show_stale(self) -> None:
        """The stale line: whose last run failed, since when and why."""
        stale = [s for s in self.latest.values() if s.error is not None]
        self.set_class(bool(stale), "-stale")
        if stale:
            worst = stale[0]
            names = ", ".join(s.name for s in stale) if len(self.collectors) > 1 else ""
            show_text(self._stale, stale_text(worst, self.last_good.get(worst.name), self.tz, names))

    def render_snapshot(self, snapshot: Snapshot[T], last_good: Snapshot[T] | None) -> None:
        raise NotImplementedError
