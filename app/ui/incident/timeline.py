"""Timeline: the event log as a table keyed by seq, so the cursor survives updates.

Rows are only ever appended or updated in place (a correction strikes its target):
10,000 entries stay fast because nothing rebuilds the whole table on a new event.
"""

from __future__ import annotations

from datetime import UTC

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from app.domain.events import EventType
from app.domain.incident import IncidentState, TimelineItem
from app.ui.screens.entry_detail import EntryDetailScreen
from app.ui.widgets.fit import FlexColumn, flex_text
from app.ui.widgets.keyed_table import KeyedTable

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


class TimelineTable(KeyedTable):
    """Each cell is a rich Text built from plain strings: entries are never markup.

    The entry column is as wide as the room left (cut with "…", no sideways scrollbar);
    Enter shows the selected entry in full.
    """

    def __init__(self, tz=None, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.tz = tz
        self.utc = False
        self._time_col: ColumnKey | None = None
        self._who_col: ColumnKey | None = None
        self._kind_col: ColumnKey | None = None
        self._text_col: ColumnKey | None = None
        self._items: dict[int, TimelineItem] = {}
        self._pending: list[TimelineItem] = []
        self._load_generation = 0

    def on_mount(self) -> None:
        self._time_col = self.add_column("time", key="time")
        self._who_col = self.add_column("who", key="who")
        self._kind_col = self.add_column("kind", key="kind")
        self._text_col = self.add_column("entry", key="text")
        self._text_fit = FlexColumn(self, "text", min_width=20)

    def on_resize(self) -> None:
        self._text_fit.schedule()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        item = self.selected_item()
        if item is not None:
            self.app.push_screen(EntryDetailScreen(item, self.tz))

    # --- rendering of one item ---------------------------------------------------------
    def _time(self, item: TimelineItem) -> Text:
        at = item.at.astimezone(UTC if self.utc else self.tz)
        return Text(at.strftime("%H:%M:%S") + ("Z" if self.utc else ""), style="dim" if item.struck else "")

    def _text(self, item: TimelineItem) -> Text:
        # One line each: a multi-line update would make its row as tall as the update.
        line = " ".join(item.text.split())
        if item.struck:
            text = flex_text(line, "strike dim")
            text.append(f"  ✎ corrected: {item.strike_reason or ''}", style="italic")
            return text
        return flex_text(line, "dim" if item.kind == "event" else "")

    def _cells(self, item: TimelineItem) -> tuple[Text, Text, Text, Text]:
        kind = KIND_LABEL.get(item.kind, item.kind)
        style = "strike dim" if item.struck else KIND_STYLE.get(item.kind, "")
        return self._time(item), Text(item.actor, style="strike dim" if item.struck else ""), Text(kind, style=style), self._text(item)

    # --- updates -----------------------------------------------------------------------
    def load(self, state: IncidentState | None) -> None:
        """Whole-table load: only on (re)opening an incident or switching incidents.

        DataTable measures every cell it is given, about 0.3 ms a row: a 10,000-entry
        incident took 4 s before the first frame. Rows now go in batches between frames,
        so the screen and the keys are live while a long timeline fills.
        """
        self.clear()
        self._items = {}
        self._pending = list(state.timeline) if state is not None else []
        self._load_generation += 1
        self._load_batch(self._load_generation)

    def _load_batch(self, generation: int) -> None:
        if generation != self._load_generation:
            return  # another incident was loaded meanwhile
        batch, self._pending = self._pending[:LOAD_BATCH], self._pending[LOAD_BATCH:]
        self._add_rows(batch)
        if self._pending:
            self.set_timer(0.001, lambda: self._load_batch(generation))

    def add_items(self, items: list[TimelineItem]) -> None:
        if self._pending:  # still loading: new events go after what is queued
            self._pending.extend(items)
            return
        self._add_rows(items)

    def _add_rows(self, items: list[TimelineItem]) -> None:
        if not items:
            return
        following = self.row_count == 0 or self.cursor_row >= self.row_count - 1
        for item in items:
            self._items[item.seq] = item
            self.put(str(item.seq), self._cells(item))
        if following:
            self.move_cursor(row=self.row_count - 1, animate=False, scroll=True)
        self._text_fit.schedule()

    def refresh_item(self, seq: int) -> None:
        item = self._items.get(seq)
        if item is None:
            return
        if str(seq) in self.rows:  # a row still waiting to be loaded is drawn right when it is
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
        for seq, item in self._items.items():
            if str(seq) in self.rows:
                self.put(str(seq), self._cells(item))

    @property
    def selected_seq(self) -> int | None:
        key = self.selected_key
        return int(key) if key is not None else None

    def selected_item(self) -> TimelineItem | None:
        seq = self.selected_seq
        return self._items.get(seq) if seq is not None else None
