"""Selection marked by a symbol as well as colour: ▶ on the selected row.

Under NO_COLOR (or to a colour-blind reader) the cursor row of a table and the highlighted
choice of a picker were plain bold on grey, or nothing at all: which row Space ticks or
which role a name goes to could not be seen. The mark costs no column: in a table it takes
the cell padding before the first cell; in a picker a two-cell gutter.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import OptionList
from textual.widgets.data_table import RowKey

from app.ui.widgets.cell_cache import CellCachedTable

SELECTED = "▶"


class MarkedTable(CellCachedTable):
    """A row table whose cursor row starts with ▶ while the table has the focus.

    Only while focused: every pane has a cursor row, and a ▶ in each of them would say
    nothing about where the keys go.
    """

    # DataTable has no hook for decorating a row; this is the one method that draws a
    # row's line, and its result is cached by the cursor position and focus state, so
    # the mark is added to a copy each time (a few segments, only for the cursor row).
    def _render_line_in_row(self, row_key: RowKey, line_no: int, base_style, cursor_location, hover_location):
        fixed, scrollable = super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
        if (
            line_no != 0
            or self.cursor_type != "row"
            or not self.show_cursor
            or self.cell_padding < 1
            or not self.has_focus
            or not scrollable
            or not scrollable[0]
            or self._row_locations.get(row_key) != cursor_location.row
        ):
            return fixed, scrollable
        first_cell = list(scrollable[0])
        segment = first_cell[0]
        if not segment.text.startswith(" "):
            return fixed, scrollable
        first_cell[0] = Segment(SELECTED + segment.text[1:], segment.style, segment.control)
        return fixed, [first_cell, *scrollable[1:]]


class MarkedOptionList(OptionList):
    """An option list whose highlighted choice starts with ▶, focused or not: in the role
    dialog the name field has the focus while the list says which role it goes to."""

    GUTTER = 2

    def _get_left_gutter_width(self) -> int:
        return self.GUTTER

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            index, offset = self._lines[self.scroll_offset.y + y]
        except IndexError:
            return Strip.join([Strip.blank(self.GUTTER), strip])
        selected = index == self.highlighted and not self.options[index].disabled
        if selected:
            style = self.get_visual_style("option-list--option", "option-list--option-highlighted").rich_style
        else:
            style = self.get_visual_style("option-list--option").rich_style
        mark = f"{SELECTED} " if selected and offset == 0 else " " * self.GUTTER
        return Strip.join([Strip([Segment(mark, style)], self.GUTTER), strip])
