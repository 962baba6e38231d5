"""Timeline: the event log as a table keyed by seq, so the cursor survives updates.

Rows are only ever appended or updated in place (a correction strikes its target):
10,000 entries stay fast because nothing rebuilds the whole table on a new event.

The table follows the newest entry: new rows, other terminals' rows and any change of its
size keep the last row in sight. Once the reader moves back (cursor up, wheel up) it stays
where they are and the entry header counts what arrived meanwhile ("3 new ↓ End"); End or
G goes back to the newest and follows again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from app.domain.events import EventType
from app.domain.incident import IncidentState, TimelineItem
from app.ui.screens.entry_detail import EntryDetailScreen
from app.ui.widgets.fit import FlexColumn, flex_text
from app.ui.widgets.filter_line import FilterLine
from app.ui.widgets.keyed_table import KeyedTable
from app.ui.widgets.row_filter import KindFilter

KIND_LABEL = {
    "note": "note",
    "action": "action",
    "decision": "decision",
    "observation": "observe",
    "communication": "comms",
    "event": "event",
}
LOAD_BATCH = 500  # rows added per frame when opening an incident
KIND_STYLE = {"decision": "bold", "action": "italic", "event": "dim"}
CORRECTED = "✎ "  # before a struck entry: strike-through alone is lost on many terminals


def zone_name(tz, at: datetime | None = None) -> str:
    """'UTC', 'CET', 'CEST': the abbreviation in force at `at` (the newest entry), so the
    header names what the times below are in."""
    local = (at or datetime.now(UTC)).astimezone(tz)
    return local.tzname() or local.strftime("%z")


class TimelineTable(KeyedTable):
    """Each cell is a rich Text built from plain strings: entries are never markup.

    The entry column is as wide as the room left (cut with "…", no sideways scrollbar);
    Enter shows the selected entry in full. The first column is the entry's number, which
    corrections ("Correction of #10") and the export refer to.
    """

    BINDINGS = [
        # DataTable's End scrolls sideways in a row table; here it means "the newest entry".
        Binding("end", "newest", "Newest entry", show=False, id="timeline.newest"),
        Binding("ctrl+end", "newest", "Newest entry", show=False),
        Binding("G", "newest", "Newest entry", show=False, id="timeline.newest.g"),
        # Not in the footer: the timeline has the focus at start, and its footer is full.
        Binding("slash", "filter", "Filter", show=False, id="timeline.filter"),
        Binding("escape", "clear_filter", "Clear filter", id="timeline.clear_filter"),
    ]

    def __init__(self, tz=None, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.tz = tz
        self.utc = False
        self._items: dict[int, TimelineItem] = {}
        self._pending: list[TimelineItem] = []
        self._load_generation = 0
        self.following = True
        """Keep the newest row in sight; False while the reader is back in the log."""
        self.unread = 0
        """Rows that arrived while not following."""
        self._steering = False  # our own cursor moves say nothing about the reader

    def on_mount(self) -> None:
        self.add_column("#", key="seq")
        self.add_column(self._time_label(), key="time")
        self.add_column("who", key="who")
        self.add_column("kind", key="kind")
        self.add_column("entry", key="text")
        self._text_fit = FlexColumn(self, "text", min_width=20)

    def on_resize(self) -> None:
        self._text_fit.schedule()
        if self.following:
            self._show_newest()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        item = self.selected_item()
        if item is not None:
            self.app.push_screen(EntryDetailScreen(item, self.tz))

    # --- following the newest entry ----------------------------------------------------
    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        if not self._steering and old != new:
            self._set_following(new.row >= self.row_count - 1)

    def _steer(self, move: Callable[[], object]) -> None:
        self._steering = True
        try:
            move()
        finally:
            self._steering = False

    def _set_following(self, following: bool) -> None:
        self.following = following
        if following and self.unread:
            self.unread = 0
            self._label_entry_column()

    def _show_newest(self) -> None:
        if not self.row_count:
            return
        self._steer(lambda: self.move_cursor(row=self.row_count - 1, animate=False, scroll=False))
        # After the next layout: a resize or a taller countdown panel changes the height.
        self.scroll_end(animate=False, x_axis=False)

    def action_newest(self) -> None:
        self._set_following(True)
        self._show_newest()

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        super()._on_mouse_scroll_up(event)
        if self.max_scroll_y:
            self._set_following(False)

    def _on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        super()._on_mouse_scroll_down(event)
        if self.scroll_target_y >= self.max_scroll_y and self.cursor_row >= self.row_count - 1:
            self._set_following(True)

    # --- headers -----------------------------------------------------------------------
    def _time_label(self) -> str:
        if self.utc:
            return "time UTC"
        newest = next(reversed(self._items.values()), None)
        return f"time {zone_name(self.tz, newest.at if newest else None)}"

    def _label_entry_column(self) -> None:
        label = Text("entry")
        if self.unread:
            label.append("  ")
            label.append(f"{self.unread} new ↓ End", style="reverse")
        self._relabel("text", label)

    def _relabel(self, key: str, label: Text | str) -> None:
        column = self.columns.get(ColumnKey(key))
        if column is None:
            return
        column.label = Text(label) if isinstance(label, str) else label
        if column.auto_width:  # a longer label ("time CEST") widens its column, never cut
            column.content_width = max(column.content_width, column.label.cell_len)
        # DataTable has no public "label changed": these are what add_column sets.
        self._require_update_dimensions = True
        self._clear_caches()
        self.refresh()
        self._text_fit.schedule()

    # --- rendering of one item ---------------------------------------------------------
    def _time(self, item: TimelineItem) -> Text:
        at = item.at.astimezone(UTC if self.utc else self.tz)
        return Text(at.strftime("%H:%M:%S") + ("Z" if self.utc else ""), style="dim" if item.struck else "")

    def _text(self, item: TimelineItem) -> Text:
        # One line each: a multi-line update would make its row as tall as the update.
        line = " ".join(item.text.split())
        if item.struck:
            text = flex_text("")
            text.append(CORRECTED, style="bold")
            text.append(line, style="strike dim")
            by = f" by #{item.struck_by}" if item.struck_by else ""
            text.append(f"  corrected{by}: {item.strike_reason or ''}", style="italic")
            return text
        return flex_text(line, "dim" if item.kind == "event" else "")

    def _cells(self, item: TimelineItem) -> tuple[Text, Text, Text, Text, Text]:
        kind = KIND_LABEL.get(item.kind, item.kind)
        style = "strike dim" if item.struck else KIND_STYLE.get(item.kind, "")
        return (
            Text(f"#{item.seq}", style="dim"),
            self._time(item),
            Text(item.actor, style="strike dim" if item.struck else ""),
            Text(kind, style=style),
            self._text(item),
        )

    # --- updates -----------------------------------------------------------------------
    def load(self, state: IncidentState | None) -> None:
        """Whole-table load: only on (re)opening an incident or switching incidents.

        DataTable measures every cell it is given, about 0.3 ms a row: a 10,000-entry
        incident took 4 s before the first frame. Rows now go in batches between frames,
        so the screen and the keys are live while a long timeline fills.
        """
        self._steer(self.clear)
        self._items = {}
        self._pending = list(state.timeline) if state is not None else []
        self._load_generation += 1
        self.following, self.unread = True, 0  # an incident opens at its newest entry
        self._label_entry_column()
        self._load_batch(self._load_generation)

    def _load_batch(self, generation: int) -> None:
        if generation != self._load_generation:
            return  # another incident was loaded meanwhile
        batch, self._pending = self._pending[:LOAD_BATCH], self._pending[LOAD_BATCH:]
        self._add_rows(batch, loading=True)
        if self._pending:
            self.set_timer(0.001, lambda: self._load_batch(generation))

    def add_items(self, items: list[TimelineItem]) -> None:
        if self._pending:  # still loading: new events go after what is queued
            self._pending.extend(items)
            return
        self._add_rows(items)

    def _add_rows(self, items: list[TimelineItem], *, loading: bool = False) -> None:
        if not items:
            return
        zone = self._time_label()
        for item in items:
            self._items[item.seq] = item
            self.put(str(item.seq), self._cells(item))
        if self._time_label() != zone:  # the first row, or a change to summer time
            self._relabel("time", self._time_label())
        if self.following:
            self._show_newest()
        elif not loading:
            self.unread += len(items)
            self._label_entry_column()
        self._text_fit.schedule()

    def refresh_item(self, seq: int) -> None:
        item = self._items.get(seq)
        if item is None:
            return
        if self.holds(str(seq)):  # a row still waiting to be loaded is drawn right when it is
            self.put(str(seq), self._cells(item))
        self._text_fit.schedule()

    def apply_events(self, state: IncidentState, new_items: list[TimelineItem]) -> None:
        """Append rows for new items; strike rows that a correction in them targets."""
        self.add_items(new_items)
        for item in new_items:
            if item.event_type in (EventType.ENTRY_CORRECTED, EventType.MILESTONE_CORRECTED):
                target = state.struck_by(item.seq)
                if target is not None:
                    self.refresh_item(target.seq)

    def set_utc(self, utc: bool) -> None:
        self.utc = utc
        self._relabel("time", self._time_label())
        for seq, item in self._items.items():
            if self.holds(str(seq)):
                self.put(str(seq), self._cells(item))

    @property
    def zone_label(self) -> str:
        """What the time column is in, as its header says ('UTC', 'CET')."""
        return self._time_label().removeprefix("time ")

    @property
    def selected_seq(self) -> int | None:
        key = self.selected_key
        return int(key) if key is not None else None

    # --- filter (/) ------------------------------------------------------------------------
    def kinds(self, key: str) -> tuple[str, ...]:
        """What `kind:` matches for a row: its kind and the word the kind column shows."""
        item = self._items.get(int(key))
        return (item.kind, KIND_LABEL.get(item.kind, item.kind)) if item is not None else ()

    def filter_to(self, query: str) -> None:
        self.set_filter(KindFilter(query, self.kinds))
        self._text_fit.schedule()
        if self.following:
            self._show_newest()

    def action_filter(self) -> None:
        self.screen.query_one("#timeline-filter", FilterLine).open()

    def action_clear_filter(self) -> None:
        line = self.screen.query_one("#timeline-filter", FilterLine)
        line.value = ""  # its Input.Changed shows every entry again and clears the heading
        self.filter_to("")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return self.row_filter is not None  # Esc does something (and shows) only while filtered
        return True

    def selected_item(self) -> TimelineItem | None:
        seq = self.selected_seq
        return self._items.get(seq) if seq is not None else None
