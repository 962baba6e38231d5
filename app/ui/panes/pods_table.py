"""PodsTable: the pods pane's rows, 5,000 of them in one step.

The first full table is what a commander waits for after `warroom` starts, so its cost is
kept to the bone (benchmarks/pods_scale.py, beside `kubectl get pods -A`): KeyedTable adds
the new rows in one step, the cells of the short columns (READY, STATUS, RESTARTS, AGE,
NODE: a few dozen distinct values over thousands of pods) are one shared Text per value,
and the garbage collector sits out the fill of objects that live as long as the app.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from rich.text import Text
from textual.cache import LRUCache
from textual.widgets import DataTable

from app.collectors.base import Level
from app.collectors.k8s_records import PodRow
from app.ui.widgets.fit import FlexColumn, Room, flex_text
from app.ui.widgets.keyed_table import KeyedTable

FREEZE_AFTER_ROWS = 1000
ROWS_CACHED = 250
"""Rows' rendered lines kept (DataTable keeps 1,000 rows and 10,000 cells): a screen shows
at most ~60 rows, and every cell change makes all of them stale."""
SHARED_TEXTS = 10_000
"""Distinct short cells kept for sharing; past that the store starts over (ages move on)."""


@contextmanager
def collections_paused(pause: bool) -> Iterator[None]:
    """The first fill makes some 100,000 objects that live as long as the app: the garbage
    collector's walks over them while they were made cost more than making them (120 of
    150 ms for 5,000 rows), and PodsTable then freezes them out of its walks anyway."""
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class PodsTable(KeyedTable):
    """The pod rows; level colours come from component classes in styles/kubernetes.tcss."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"pods-table--ok", "pods-table--warn", "pods-table--crit", "pods-table--unknown"}
    CELL_CACHE_SIZE = ROWS_CACHED * 8  # the drawn cells kept (CellCachedTable): a screen's worth, as below

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._frozen = False
        # DataTable's render caches are keyed by its update count, which every changed cell
        # moves on: at 50 pod changes/s they filled with stale lines, tens of thousands of
        # objects that each full garbage collection walked (65-165 ms pauses, frozen keys).
        self._row_render_cache = LRUCache(ROWS_CACHED)
        self._cell_render_cache = LRUCache(ROWS_CACHED * 8)
        self._row_renderable_cache = LRUCache(ROWS_CACHED)
        self._line_cache = LRUCache(ROWS_CACHED)
        # A cell is never changed in place (a change is a new cell), so rows can share one.
        self._texts: dict[str, Text] = {}
        self._level_texts: dict[Level, Text] = {}

    def sync_pods(self, rows: dict[str, PodRow], cells: Any) -> None:
        """`sync` with the collector paused for a first fill of thousands of rows."""
        with collections_paused(not self._frozen and len(rows) >= FREEZE_AFTER_ROWS):
            self.sync(rows, cells)

    def rows_settled(self) -> None:
        if not self._frozen and self.row_count >= FREEZE_AFTER_ROWS:
            # A full collection walks every object: with 5,000 rows on screen it froze the UI
            # for 120-300 ms every few seconds under churn. The table's first fill lives as
            # long as the app, so it is taken out of the collector's walks now (freezing
            # moves lists, it walks nothing): the first full collection after the fill fell
            # in the frame that shows the table, 40-80 ms of it.
            self._frozen = True
            gc.freeze()
            self.call_after_refresh(self._collect_frozen)

    @staticmethod
    def _collect_frozen() -> None:
        """After the frame: what was garbage when the fill was frozen is freed (one pause,
        ~80 ms, once), and what lives is frozen again."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def level_text(self, level: Level) -> Text:
        text = self._level_texts.get(level)
        if text is None:
            style = self.get_component_rich_style(f"pods-table-{level.css_class}", partial=True)
            text = self._level_texts[level] = Text(level.symbol, style=style)
        return text

    def notify_style_update(self) -> None:
        self._level_texts = {}  # the theme changed: the level colours with it
        super().notify_style_update()

    def short_text(self, value: str) -> Text:
        """One Text per distinct value (never markup: Text shows it literally)."""
        text = self._texts.get(value)
        if text is None:
            if len(self._texts) >= SHARED_TEXTS:
                self._texts.clear()
            text = self._texts[value] = Text(value)
        return text

    def pod_cells(self, row: PodRow, name: str) -> tuple[Text, ...]:
        short = self.short_text
        return (self.level_text(row.level), flex_text(name), short(row.ready), short(row.status), short(row.restarts),
                short(row.age), short(row.node))


class PodColumnsFit(FlexColumn):
    """READY and STATUS always whole; then each later column only while NAME keeps the width
    `then` names for it (RESTARTS matters more than the end of a name, AGE and NODE less).
    A column that would show only in part is pushed out whole (NAME fills the gap).
    """

    def __init__(self, table: DataTable, key: str, *, min_width: int, keep_after: int, then: tuple[int, ...]) -> None:
        super().__init__(table, key, min_width=min_width, keep_after=keep_after)
        self.then = then

    def width(self, room: Room) -> int:
        natural = room.natural
        shown = min(self.keep_after, len(room.after))
        for needs in self.then[: len(room.after) - shown]:
            if room.left(shown + 1) < min(needs, natural):
                break
            shown += 1
        return max(min(self.min_width, natural), room.left(shown) if shown < len(room.after) else min(natural, room.left(shown)))
