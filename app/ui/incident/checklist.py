"""Checklist: grouped by phase and heading; Enter/space ticks or unticks the item under the cursor.

Headings are rows (DataTable has no other kind of line) but never cursor stops: a key or a
click that would land on one goes on to the next item in the same direction, so Space
always means the item the reader sees highlighted, never a neighbour of a heading.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

from app.config.incident import ChecklistItemDef
from app.domain.incident import IncidentState
from app.ui.widgets.fit import FlexColumn, flex_text
from app.ui.widgets.marks import MarkedTable

HEADING_PREFIX = "heading:"


@dataclass
class ChecklistToggle(Message):
    """The user wants this item flipped; the app appends the event."""

    item: ChecklistItemDef
    tick: bool


class ChecklistTable(MarkedTable):
    BINDINGS = [
        Binding("space", "toggle_item", "Tick/untick", id="checklist.toggle"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", show_header=False)
        self.items: dict[str, ChecklistItemDef] = {}
        self.ticked: set[str] = set()

    def on_mount(self) -> None:
        self.add_column("box", key="box")
        self.add_column("text", key="text")
        self._text_fit = FlexColumn(self, "text", min_width=12)

    def on_resize(self) -> None:
        self._text_fit.schedule()

    def _scroll_cursor_into_view(self, animate: bool = False) -> None:
        # Not before the table has a height: into a view of none, the first item (row 1)
        # scrolled the first phase heading out for good, depending on when the layout ran.
        if self.size.height:
            super()._scroll_cursor_into_view(animate=animate)

    def set_items(self, items: list[ChecklistItemDef], state: IncidentState | None) -> None:
        """Rebuild rows: only when the incident or its severity (so its list) changes."""
        self.clear()
        self.items = {item.id: item for item in items}
        last_heading = None
        for item in items:
            heading = item.phase if item.group == item.phase else f"{item.phase} · {item.group}"
            if heading != last_heading:
                self.add_row(Text(""), Text(heading.upper(), style="bold"), key=HEADING_PREFIX + heading)
                last_heading = heading
            self.add_row(Text("[ ]"), flex_text("  " * item.depth + item.text), key=item.id)
        self.ticked = set()
        self.show(state)
        rows = self._item_rows()
        if rows:  # clear() left the cursor on row 0, the first heading
            self.move_cursor(row=next(iter(rows)), animate=False, scroll=False)
        self._text_fit.schedule()

    def validate_cursor_coordinate(self, value: Coordinate) -> Coordinate:
        value = super().validate_cursor_coordinate(value)
        if not self.items or self._row_key(value.row) in self.items:
            return value
        rows = sorted(self._item_rows())
        if not rows:
            return value
        before = [row for row in rows if row < value.row]
        after = [row for row in rows if row > value.row]
        # Onwards in the direction of travel; at either end, back to the nearest item.
        moving_up = value.row < self.cursor_coordinate.row
        if moving_up:
            row = before[-1] if before else after[0]
        else:
            row = after[0] if after else before[-1]
        return Coordinate(row, value.column)

    def _row_key(self, row: int) -> str | None:
        try:
            return self.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value
        except CellDoesNotExist:  # rows are being rebuilt: nothing to skip yet
            return None

    def show(self, state: IncidentState | None) -> None:
        marks = state.checklist if state else {}
        for item_id, item in self.items.items():
            ticked = bool(marks.get(item_id) and marks[item_id].ticked)
            if ticked == (item_id in self.ticked):
                continue
            self.ticked.symmetric_difference_update({item_id})
            box = Text("[✔]", style="bold") if ticked else Text("[ ]")
            text = flex_text("  " * item.depth + item.text, "dim" if ticked else "")
            self.update_cell(item_id, "box", box)
            self.update_cell(item_id, "text", text)

    @property
    def done_count(self) -> tuple[int, int]:
        """Ticked of the response's items: what is owed after resolution counts down apart."""
        response = {key for key, item in self.items.items() if not item.after_resolution}
        return len(self.ticked & response), len(response)

    def _item_rows(self) -> dict[int, str]:
        """Row index -> item id, phase headings left out."""
        keys = ((i, self._row_key(i) or "") for i in range(self.row_count))
        return {i: key for i, key in keys if key in self.items}

    def focus_open_item(self) -> None:
        """On `c`: the cursor goes to the first item still open (not a phase heading)."""
        current = self._current()
        rows = self._item_rows()
        if not rows or current is not None and current.id not in self.ticked:
            return
        target = next((row for row, key in rows.items() if key not in self.ticked), next(iter(rows)))
        self.move_cursor(row=target, animate=False, scroll=True)

    def _current(self) -> ChecklistItemDef | None:
        if self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return self.items.get(row_key.value or "")

    def action_toggle_item(self) -> None:
        # Only ever the highlighted item: moving on from a heading here once led to
        # unticking an item the reader had not looked at.
        item = self._current()
        if item is not None:
            self.post_message(ChecklistToggle(item, item.id not in self.ticked))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_toggle_item()
