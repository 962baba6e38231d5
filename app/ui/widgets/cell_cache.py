"""Cells drawn once while they stay the same, whatever else in the table changed.

DataTable keys every render cache by a counter that any update bumps, so one changed cell
(a lock wait going from 55s to 57s, a pod's age) draws every visible cell again, each
through rich's console: with the PostgreSQL pane refreshing every 2 s that was most of
what the pane cost. Here a cell's lines are kept by what decides them (the cell object,
where it is, its width and the styles in force) and reused until one of those changes.
"""

from __future__ import annotations

from typing import Any

from textual.cache import LRUCache
from textual.widgets import DataTable


class CellCachedTable(DataTable):
    CELL_CACHE_SIZE = 4096  # a few screens of cells; a cell's lines are a few segments

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._drawn_cells: LRUCache[tuple, tuple[Any, Any]] = LRUCache(self.CELL_CACHE_SIZE)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn_cells.clear()  # a theme or a class changed the colours

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
        self._drawn_cells[key] = (cell, lines)
        return lines
