"""Fit a pane's table to the pane's width: one flexible column takes what the others leave.

The left half is about 56 cells wide at 120 columns. DataTable sizes every column to its
widest cell and scrolls sideways when they do not fit, which hides the reason or the query
behind a scrollbar. Instead the flexible column (a reason, a name, a query) shrinks, cut
with "…"; when even then not everything fits, the `keep_after` columns right after it
stay and the rest are cropped at the pane's edge (tables set `overflow-x: hidden` in their
.tcss), so the essential columns are always on screen and the optional ones go first.

In a zoomed pane (`f`) every column stays: the flexible one shrinks down to its minimum
for them, and beyond that the table scrolls sideways.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey


def flex_text(value: str, style=None) -> Text:
    """A cell for a flexible column: one line, cut with an ellipsis, never markup."""
    return Text(value, style=style or "", no_wrap=True, overflow="ellipsis", end="")


@dataclass(frozen=True)
class Room:
    """What a fit sees: the flexible column's natural width and the widths around it."""

    available: int
    before: int
    after: list[int]
    natural: int
    pad: int

    def left(self, shown_after: int) -> int:
        """Width left for the flexible column with the first `shown_after` columns after it shown."""
        return self.available - self.before - sum(self.after[:shown_after]) - self.pad


class FlexColumn:
    """Keeps one column of `table` as wide as the room left over (between min and natural).

    Subclasses decide the width differently by overriding `width`; measuring the table and
    setting the width are done here once.
    """

    def __init__(self, table: DataTable, key: str, min_width: int = 16, keep_after: int = 0) -> None:
        self.table = table
        self.key = key
        self.min_width = min_width
        self.keep_after = keep_after
        # Found again from the table when its pane is zoomed or filtered (LivePane.refit).
        fits: list[FlexColumn] | None = getattr(table, "flex_fits", None)
        if fits is None:
            fits = []
            table.flex_fits = fits  # type: ignore[attr-defined]
        fits.append(self)

    def schedule(self) -> None:
        # After the next refresh: the table measures changed cells when it idles.
        if self.table.is_mounted:
            self.table.call_after_refresh(self.fit)

    def fit(self) -> None:
        table = self.table
        available = table.scrollable_content_region.width
        column = table.columns.get(ColumnKey(self.key))
        if column is None or available <= 0:
            return
        keys = list(table.columns)
        position = keys.index(column.key)
        room = Room(
            available=available,
            before=sum(table.columns[k].get_render_width(table) for k in keys[:position]),
            after=[table.columns[k].get_render_width(table) for k in keys[position + 1 :]],
            natural=max(column.content_width, len(column.label.plain)),
            pad=2 * table.cell_padding,
        )
        zoomed = any(node.has_class("-zoomed") for node in table.ancestors_with_self)
        if zoomed:
            width = max(4, min(self.min_width, room.natural), min(room.natural, room.left(len(room.after))))
        else:
            width = max(4, self.width(room))
        if column.auto_width or column.width != width:
            column.auto_width = False
            column.width = width
            # DataTable has no public "column width changed": these are what add_column sets.
            table._require_update_dimensions = True
            table._clear_caches()
            table.refresh()

    def width(self, room: Room) -> int:
        natural, after = room.natural, room.after
        width = min(natural, room.left(len(after)))
        if width < min(self.min_width, natural):
            # Not everything fits: this column takes the room up to the columns that must
            # stay; of the optional ones after those, a column that would show only in part
            # is pushed out whole (this column fills the gap) rather than cut mid-word.
            width = max(min(self.min_width, natural), min(natural, room.left(self.keep_after)))
            used = room.before + width + room.pad
            for index, cell_width in enumerate(after):
                if used + cell_width > room.available:
                    if index >= self.keep_after:
                        width += max(0, room.available - used)
                    break
                used += cell_width
        return width
