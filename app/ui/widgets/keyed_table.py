"""KeyedTable: a DataTable whose rows are kept current by a stable key, never rebuilt.

Every live pane and the timeline show rows with a stable id (check name, series, backend
pid, pod uid, entry seq). Clearing and re-adding rows on each refresh sends the cursor back
to the top while the reader is looking at a row; so rows change cell by cell, come and go
by key, and are put back in the wanted order with the cursor on the row it was on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets.data_table import CellDoesNotExist

from app.ui.widgets.marks import MarkedTable

Cells = Sequence[Any]
"""One cell per column, in column order."""


def same_cell(old: Any, new: Any) -> bool:
    """Whether a cell would look the same: rich's Text.__eq__ ignores the base style."""
    if old is new:
        return True
    if isinstance(old, Text) and isinstance(new, Text):
        return (old.plain == new.plain and old.style == new.style and old.spans == new.spans
                and old.justify == new.justify and old.overflow == new.overflow and old.no_wrap == new.no_wrap)
    return type(old) is type(new) and old == new


class KeyedTable(MarkedTable):
    """`sync(rows_by_key)` for a whole set of rows, `put(key, cells)` for one."""

    # DataTable's own Enter, shown: on every keyed table it opens the row in full.
    BINDINGS = [Binding("enter", "select_cursor", "Details", id="table.details")]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keyed_cells: dict[str, dict[Any, Any]] = {}  # key -> column key -> the cell object in the table
        self._keyed_models: dict[str, Any] = {}  # key -> what `render` made the row from
        self._keyed_order: dict[str, None] = {}  # keys as displayed (an ordered set)
        self._keyed_wanted: list[str] = []
        self._keyed_pending: dict[str, Any] = {}  # rows still to add, in wanted order
        self._keyed_render: Callable[[Any], Cells] | None = None
        self._keyed_batch: int | None = None
        self._keyed_continuing = False

    # --- reading -------------------------------------------------------------------------
    @property
    def selected_key(self) -> str | None:
        """The key of the row under the cursor, if there is one."""
        if not self.row_count:
            return None
        try:
            value = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except CellDoesNotExist:
            return None
        return str(value) if value is not None else None

    @property
    def pending(self) -> int:
        """Rows of the last sync not yet added (they go in batches between frames)."""
        return len(self._keyed_pending)

    def model(self, key: str) -> Any:
        return self._keyed_models.get(key)

    # --- writing -------------------------------------------------------------------------
    def put(self, key: str, cells: Cells) -> bool:
        """Add the row, or update only the cells that changed. True when it was added."""
        shown = self._keyed_cells.get(key)
        if shown is None:
            self.add_row(*cells, key=key)
            # Read back: the sort in _reorder matches rows by exactly these objects.
            self._keyed_cells[key] = dict(zip((c.key for c in self.ordered_columns), self.get_row(key), strict=True))
            self._keyed_order[key] = None
            return True
        for column, cell in zip(list(shown), cells, strict=False):
            if not same_cell(shown[column], cell):
                self.update_cell(key, column, cell, update_width=True)
                shown[column] = cell
        return False

    def discard_row(self, key: str) -> None:
        if key in self._keyed_cells:
            self.remove_row(key)
            del self._keyed_cells[key]
            self._keyed_order.pop(key, None)
        self._keyed_models.pop(key, None)
        self._keyed_pending.pop(key, None)

    def clear(self, columns: bool = False) -> KeyedTable:
        self._keyed_cells, self._keyed_models, self._keyed_order, self._keyed_pending, self._keyed_wanted = {}, {}, {}, {}, []
        super().clear(columns)
        return self

    def sync(
        self,
        rows_by_key: Mapping[str, Any],
        render: Callable[[Any], Cells] | None = None,
        *,
        batch: int | None = None,
    ) -> None:
        """Make the table show exactly `rows_by_key`, in its order.

        Without `render` each value is the row's cells. With it, each value is a model and
        `render(model)` its cells, called only for rows that are new or whose model changed
        (5,000 pods refresh in a few ms). With `batch`, at most that many new rows are added
        per frame: DataTable measures each new cell, and thousands at once freeze the screen.
        """
        selected = self.selected_key
        for key in [k for k in self._keyed_cells if k not in rows_by_key]:
            self.discard_row(key)
        self._keyed_pending = {}
        for key, row in rows_by_key.items():
            if key not in self._keyed_cells:
                self._keyed_pending[key] = row
            elif render is None:
                self.put(key, row)
            else:
                old = self._keyed_models.get(key)
                if old is not row and old != row:
                    self.put(key, render(row))
                    self._keyed_models[key] = row
        self._keyed_wanted, self._keyed_render, self._keyed_batch = list(rows_by_key), render, batch
        self._keyed_add_pending(selected)

    def _keyed_add_pending(self, selected: str | None) -> None:
        keys = list(self._keyed_pending)[: self._keyed_batch] if self._keyed_batch else list(self._keyed_pending)
        for key in keys:
            row = self._keyed_pending.pop(key)
            if self._keyed_render is None:
                self.put(key, row)
            else:
                self.put(key, self._keyed_render(row))
                self._keyed_models[key] = row
        self._keyed_reorder(selected)
        if self._keyed_pending:
            if not self._keyed_continuing:
                self._keyed_continuing = True
                self.call_after_refresh(self._keyed_continue)
        else:
            self.rows_settled()

    def _keyed_continue(self) -> None:
        self._keyed_continuing = False
        if self._keyed_pending:
            self._keyed_add_pending(self.selected_key)

    def _keyed_reorder(self, selected: str | None) -> None:
        """Put the rows in the wanted order; the cursor stays on the row it was on."""
        wanted = [k for k in self._keyed_wanted if k in self._keyed_cells]
        if list(self._keyed_order) != wanted:
            # DataTable sorts by cell values only; the cell objects are ours and unique to
            # a row (rows whose cells are the very same objects look alike anyway).
            rank = {tuple(map(id, self._keyed_cells[k].values())): i for i, k in enumerate(wanted)}
            last = len(wanted)
            self.sort(key=lambda values: rank.get(tuple(map(id, values)), last))
            self._keyed_order = dict.fromkeys(wanted)
        if selected is not None and selected in self._keyed_cells and self.selected_key != selected:
            self.move_cursor(row=self.get_row_index(selected), animate=False, scroll=False)

    def rows_settled(self) -> None:
        """Called when every row of the last sync is in the table; for subclasses."""
