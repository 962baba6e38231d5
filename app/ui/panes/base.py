"""LivePane: one exclusive worker per collector, collect -> message -> sleep, with backoff."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import tzinfo
from functools import partial
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static
from textual.worker import Worker

from app.collectors.base import Collector, Snapshot
from app.collectors.observations import NoObservations, Observer
from app.collectors.poll import poll
from app.ui.messages import SnapshotArrived, TimelineRequest
from app.ui.widgets.marks import SELECTED

T = TypeVar("T")
WARNING_EVENTS_KEY = 5
"""The key of the pods pane's Warning events; the panes are 1-4 (app.ui.live.PANES)."""
CLOSE_SECONDS = 0.5


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

    DEFAULT_CSS = """
    LivePane { height: auto; border: round $panel; padding: 0 1; }
    LivePane > .stale { color: $warning; display: none; }
    LivePane.-stale > .stale { display: block; }
    """

    snapshot: reactive[Snapshot[T] | None] = reactive(None, always_update=True, init=False)

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
        self.show_title(title)
        self.tz = tz
        self.observer: Observer = observer or NoObservations()
        self.last_good: dict[str, Snapshot[T]] = {}
        self.latest: dict[str, Snapshot[T]] = {}
        self._stale = Static("", classes="stale", markup=False)

    def compose_stale(self) -> Static:
        return self._stale

    # --- title: its key, and ▶ while the keys go to it --------------------------------------
    def show_title(self, title: str) -> None:
        self._title = title
        focused = self.is_mounted and self.has_focus_within
        self.set_class(focused, "-focused")
        number = f"{self.number} " if self.number is not None else ""
        # Text, not str: a border title string is read as markup.
        self.border_title = Text(f"{SELECTED} " if focused else "") + Text(f"{number}{title}")

    def on_mount(self) -> None:
        # The screen's focus, not focus events: focus given back when a dialog closes, or
        # set before this pane's handlers run, sends none.
        self.watch(self.screen, "focused", lambda _: self.show_title(self._title))
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
        if snapshot is None:
            return
        self.show_stale()
        self.render_snapshot(snapshot, self.last_good.get(snapshot.name))

    def show_stale(self) -> None:
        """The stale line: whose last run failed, since when and why."""
        stale = [s for s in self.latest.values() if s.error is not None]
        self.set_class(bool(stale), "-stale")
        if stale:
            worst = stale[0]
            names = ", ".join(s.name for s in stale) if len(self.collectors) > 1 else ""
            self._stale.update(stale_text(worst, self.last_good.get(worst.name), self.tz, names))

    def render_snapshot(self, snapshot: Snapshot[T], last_good: Snapshot[T] | None) -> None:
        raise NotImplementedError
