"""The health pane's table: level colours, and column widths kept by counting cells."""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

from rich.text import Text
from textual.widgets.data_table import ColumnKey, RowKey

from app.collectors.base import Level
from app.ui.widgets.keyed_table import KeyedTable


class HealthTable(KeyedTable):
    """The rows; level colours come from component classes in styles/health.tcss."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "health-table--ok",
        "health-table--warn",
        "health-table--crit",
        "health-table--unknown",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._widths: dict[str, Counter[int]] = {}  # column -> cell width -> how many cells

    def level_text(self, level: Level) -> Text:
        style = self.get_component_rich_style(f"health-table-{level.css_class}", partial=True)
        return Text(f"{level.symbol} {level.word}", style=style)

    # DataTable keeps a column as wide as its widest cell by measuring every cell of the
    # column again whenever one gets narrower: with thousands of rows refreshing, each
    # refresh cost thousands of measurements (44 s to quit with 1,000 checks, the loop
    # busy measuring). Counting cells per width keeps it one step per changed cell.
    def add_row(self, *cells: Any, height: int | None = 1, key: str | None = None, label: Any = None) -> RowKey:
        row_key = super().add_row(*cells, height=height, key=key, label=label)
        for column, cell in zip(self.ordered_columns, cells, strict=False):
            self._widths.setdefault(str(column.key.value), Counter())[_width(cell)] += 1
        return row_key

    def cell_replaced(self, key: str, column_key: Any, old: Any, cell: Any) -> bool:
        widths = self._widths.get(str(column_key.value))
        if widths is None:
            return super().cell_replaced(key, column_key, old, cell)
        was = _width(old)
        widths[was] -= 1
        if not widths[was]:
            del widths[was]
        widths[_width(cell)] += 1
        shown = self.columns[column_key]
        widest = max(max(widths, default=0), shown.label.cell_len)
        if shown.content_width == widest:
            return False
        shown.content_width = widest
        return True

    def remove_row(self, row_key: RowKey | str) -> None:
        self._count(dict(zip((c.key for c in self.ordered_columns), self.get_row(row_key), strict=False)), -1)
        super().remove_row(row_key)

    def _count(self, cells: dict[Any, Any], step: int) -> None:
        for column, cell in cells.items():
            widths = self._widths.get(str(column.value))
            if widths is not None:
                widths[_width(cell)] += step
                if widths[_width(cell)] <= 0:
                    del widths[_width(cell)]

    # A filter hides and shows rows in bulk (KeyedTable._show_exactly): the counts follow,
    # and the columns fit what is drawn.
    def rows_leaving(self, cells: dict[Any, Any]) -> None:
        self._count(cells, -1)

    def rows_arriving(self, rows: list[tuple[str, dict[Any, Any]]]) -> None:
        for _, cells in rows:
            self._count(cells, +1)

    def rows_filtered(self) -> None:
        for key, widths in self._widths.items():
            column = self.columns.get(ColumnKey(key))
            if column is not None:
                column.content_width = max(max(widths, default=0), column.label.cell_len)

    def clear(self, columns: bool = False) -> HealthTable:
        self._widths = {}
        super().clear(columns)
        return self


def _width(cell: Any) -> int:
    return cell.cell_len if isinstance(cell, Text) else len(str(cell))
