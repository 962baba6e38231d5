"""Cells drawn once while they stay the same, whatever else in the table changed.

DataTable keys every render cache by a counter that any update bumps, so one changed cell
(a lock wait going from 55s to 57s, a pod's age) draws every visible cell again, each
through rich's console: with the PostgreSQL pane refreshing every 2 s that was most of
what the pane cost. Here a cell's lines are kept by what decides them (the cell object,
where it is, its width and the styles in force) and reused until one of those changes.

A whole line is kept the same way: by its row's cells, the row's place and whether the
cursor or the mouse is on it. A line that comes back as the same Strip object costs
Textual's styling next to nothing (its results are cached on the strip), so a refresh
that changed one pod's age redraws that pod's line and not the other rows on screen.
"""

from __future__ import annotations

from typing import Any

from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.strip import Strip
from textual.widgets import DataTable


class CellCachedTable(DataTable):
    CELL_CACHE_SIZE = 4096  # a few screens of cells; a cell's lines are a few segments

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._drawn_cells: LRUCache[tuple, tuple[Any, Any]] = LRUCache(self.CELL_CACHE_SIZE)
        self._drawn_lines: LRUCache[tuple, list] = LRUCache(self.CELL_CACHE_SIZE // 4)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn_cells.clear()  # a theme or a class changed the colours
        self._drawn_lines.clear()

    def _render_line(self, y: int, x1: int, x2: int, base_style) -> Strip:
        try:
            row_key, line_no = self._get_offsets(y)
        except LookupError:
            return super()._render_line(y, x1, x2, base_style)
        if row_key is self._header_row_key:
            row_index, row = -1, None
            cells: tuple = tuple(column.label for column in self.ordered_columns)
        else:
            index, row, data = self._row_locations.get(row_key), self.rows.get(row_key), self._data.get(row_key)
            if index is None or row is None or data is None:
                return super()._render_line(y, x1, x2, base_style)
            row_index = index
            cells = (row.label, *data.values())
        columns = self.ordered_columns
        key = (
            row_index, x1, x2, self.size.width, base_style, row.height if row else self.header_height,
            tuple((column.key, column.get_render_width(self)) for column in columns),
            self._highlight(self.cursor_coordinate, row_index), self._highlight(self.hover_coordinate, row_index),
            self.cursor_type, self.show_cursor, self._show_hover_cursor, self._pseudo_class_state, self.has_focus,
            self.fixed_rows, self.fixed_columns, self.zebra_stripes, self.show_row_labels,
        )
        kept = self._drawn_lines.get((row_key, line_no))
        if kept is not None and kept[0] == key and len(kept[1]) == len(cells) and all(map(_same, kept[1], cells)):
            return kept[2]
        strip = super()._render_line(y, x1, x2, base_style)
        if any(not (segment.text or segment.control) for segment in strip):
            # DataTable ends a row that fills the width with an empty segment, kept or not
            # by how the line was cropped: the same row then drew (and exported) two ways.
            strip = Strip([segment for segment in strip if segment.text or segment.control], strip.cell_length)
        if kept is None:
            self._drawn_lines[(row_key, line_no)] = [key, cells, strip]
        else:  # updated in place: Textual's LRUCache.set keeps a key's first value
            kept[:] = [key, cells, strip]
        return strip

    def _highlight(self, where: Coordinate, row_index: int) -> object:
        """What of the cursor (or the mouse) position draws a row's line differently."""
        kind = self.cursor_type
        if kind == "row":
            return where.row == row_index
        if kind == "column":
            return where.column
        if kind == "cell":
            return where.column if where.row == row_index else None
        return None

    def _render_cell(self, row_index: int, column_index: int, base_style, width: int,
                     cursor: bool = False, hover: bool = False):
        if column_index < 0 or row_index < -1:  # row labels: DataTable's own way
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        try:
            column_key = self._column_locations.get_key(column_index)
            if column_key is None:
                raise KeyError(column_index)
            if row_index == -1:  # the header: drawn again after every update, as the rows were
                cell, height = self.columns[column_key].label, self.header_height
            else:
                row_key = self._row_locations.get_key(row_index)
                if row_key is None:
                    raise KeyError(row_index)
                cell, height = self._data[row_key][column_key], self.rows[row_key].height
        except KeyError:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        key = (row_index, column_index, id(cell), height, width, base_style, cursor, hover,
               self._show_hover_cursor, self.show_cursor, self._pseudo_class_state, self.fixed_rows, self.fixed_columns)
        drawn = self._drawn_cells.get(key)
        if drawn is not None and drawn[0] is cell:  # the very object: its id was not reused
            return drawn[1]
        lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        if drawn is not None:
            self._drawn_cells.discard(key)  # (Textual's LRUCache.set keeps a key's first value)
        self._drawn_cells[key] = (cell, lines)
        return lines


def _same(a: object, b: object) -> bool:
    return a is b
