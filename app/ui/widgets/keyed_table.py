"""KeyedTable: a DataTable whose rows are kept current by a stable key, never rebuilt.

Every live pane and the timeline show rows with a stable id (check name, series, backend
pid, pod uid, entry seq). Clearing and re-adding rows on each refresh sends the cursor back
to the top while the reader is looking at a row; so rows change cell by cell, come and go
by key, and are put back in the wanted order with the cursor on the row it was on.

A filter (`/`, app/ui/widgets/row_filter.py) narrows what is drawn: the table keeps every
row's cells, shown or not, and keeps hidden rows current, so clearing the filter shows
them as they are now. DataTable removes a row in O(rows) and measures every cell it is
given; with 5,000 pods a keystroke that hid or showed thousands of rows one by one took
seconds, so a change of filter replaces the drawn rows in one step (`_show_exactly`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import zip_longest
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.widgets._data_table import Row, default_cell_formatter
from textual.widgets.data_table import CellDoesNotExist, CellKey, RowKey

from app.ui.widgets.marks import MarkedTable
from app.ui.widgets.row_filter import RowFilter, row_text

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

    class Filtered(Message):
        """The rows drawn under a filter changed: titles say how many."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keyed_cells: dict[str, dict[Any, Any]] = {}  # key -> column key -> its cell, every row, shown or filtered out
        self._keyed_models: dict[str, Any] = {}  # key -> what `render` made the row from
        self._keyed_order: dict[str, None] = {}  # keys as displayed (an ordered set)
        self._keyed_filter: RowFilter | None = None
        self._keyed_text: dict[str, str] = {}  # key -> the row's text for the filter, made when needed
        self._keyed_unmeasured: set[str] = set()  # rows whose cells changed since the table last measured them
        self._keyed_row_keys: dict[str, RowKey] = {}  # DataTable's key object of each row drawn once
        self._keyed_parked: dict[str, Row] = {}  # DataTable's row object of each row filtered out
        self._keyed_refilter = False
        self._keyed_announce = False
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

    def holds(self, key: str) -> bool:
        """Whether the row is in the table, drawn or filtered out."""
        return key in self._keyed_cells

    @property
    def total_rows(self) -> int:
        """Every row, drawn or filtered out ("12 of 5,000": this is the 5,000)."""
        return len(self._keyed_cells) + len(self._keyed_pending)

    @property
    def row_filter(self) -> RowFilter | None:
        return self._keyed_filter

    # --- filtering -----------------------------------------------------------------------
    def set_filter(self, row_filter: RowFilter | None) -> None:
        """Draw only the rows `row_filter` matches (None or empty: all of them)."""
        self._keyed_filter = row_filter if row_filter else None
        self._apply_filter()

    def prepare_filter(self) -> None:
        """Make every row's text now (a filter line just opened): the first key typed then
        only compares."""
        texts = self._keyed_text
        for key, cells in self._keyed_cells.items():
            if key not in texts:
                texts[key] = row_text(cells.values())

    def _shows(self, key: str) -> bool:
        row_filter = self._keyed_filter
        if row_filter is None:
            return True
        text = self._keyed_text.get(key)
        if text is None:
            text = self._keyed_text[key] = row_text(self._keyed_cells[key].values())
        return row_filter.matches(key, text)

    def _refilter_soon(self) -> None:
        """A row came into or went out of the filter: redraw the set once, after this turn."""
        if not self._keyed_refilter:
            self._keyed_refilter = True
            self.call_after_refresh(self._refilter)

    def _announce_soon(self) -> None:
        if not self._keyed_announce:
            self._keyed_announce = True
            self.call_after_refresh(self._announce)

    def _announce(self) -> None:
        self._keyed_announce = False
        self.post_message(self.Filtered())

    def _refilter(self) -> None:
        self._keyed_refilter = False
        self._apply_filter()

    def _apply_filter(self) -> None:
        # The last sync's order, then rows put one by one since, as they came.
        order: list[str] = [key for key in self._keyed_wanted if key in self._keyed_cells]
        if len(order) < len(self._keyed_cells):
            placed = set(order)
            order += [key for key in self._keyed_cells if key not in placed]
        self._show_exactly([key for key in order if self._shows(key)])
        self.post_message(self.Filtered())

    def _show_exactly(self, keys: list[str], *, scroll: bool = True) -> None:
        """Draw exactly these rows, in this order, in one step; the cursor stays on its row
        (and with `scroll`, the view follows it)."""
        if list(self._keyed_order) == keys:
            return
        selected = self.selected_key
        was_empty = not self.row_count
        wanted = dict.fromkeys(keys)
        # Plain str sets where possible: DataTable's keys hash in Python, thousands add up.
        leaving = {key for key in self._keyed_order if key not in wanted}
        if leaving:
            if self._updated_cells:
                self._updated_cells = {cell for cell in self._updated_cells if cell.row_key.value not in leaving}
            if self._new_rows:
                self._new_rows = {row for row in self._new_rows if row.value not in leaving}
            parked = self._keyed_parked
            for key in leaving:
                row_key = self._keyed_row_keys[key]
                self.rows_leaving(self._data.pop(row_key))
                parked[key] = self.rows.pop(row_key)
        # Rows come back as the objects they were (their cells are _keyed_cells' own dicts):
        # thousands of new objects per keystroke made the garbage collector's pauses.
        arriving = []
        for key in keys:
            if key not in self._keyed_order:
                row_key = self._keyed_row_keys.get(key) or self._keyed_row_keys.setdefault(key, RowKey(key))
                cells = self._keyed_cells[key]
                self._data[row_key] = cells
                row = self._keyed_parked.pop(key, None)
                self.rows[row_key] = row if row is not None else Row(row_key, 1)
                arriving.append((key, cells))
        self.rows_arriving(arriving)
        row_keys = self._keyed_row_keys
        self._row_locations = type(self._row_locations)({row_keys[key]: i for i, key in enumerate(keys)})
        self._keyed_order = wanted
        self._update_count += 1
        self._clear_caches()
        if self._new_rows:
            self._require_update_dimensions = True  # measured when the table idles
        else:
            # Sized now, not when the table next idles: the new height is in the same frame.
            self._update_dimensions(())
        self.cursor_coordinate = self.cursor_coordinate  # kept inside the table
        self.hover_coordinate = self.hover_coordinate
        if selected is not None and selected in wanted:
            self.move_cursor(row=self.get_row_index(selected), animate=False, scroll=scroll)
        elif was_empty and self.row_count and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()  # as DataTable.add_row does for a first row
        # The same rows in another order (a pod's level changed) keep the table's size.
        self.refresh(layout=bool(leaving or arriving))
        self.check_idle()
        self.rows_filtered()

    def rows_arriving(self, rows: list[tuple[str, dict[Any, Any]]]) -> None:
        """Rows new, or shown again by a filter: columns grow for those not measured as they
        are now (new or changed while hidden) without DataTable measuring each cell again (a
        Text's width is its cell length; these tables draw one line per row). A cell shared
        by many rows is measured once."""
        unmeasured = [cells for key, cells in rows if key in self._keyed_unmeasured]
        self._keyed_unmeasured.difference_update(key for key, _ in rows)
        if not unmeasured:
            return
        console = self.app.console
        # A row's cells are in column order (every row's dict is made so): no key lookups.
        for column, cells_of_column in zip(self.ordered_columns, zip(*(cells.values() for cells in unmeasured)), strict=False):
            distinct = {id(cell): cell for cell in cells_of_column}
            widest = column.content_width
            for cell in distinct.values():
                width = cell.cell_len if isinstance(cell, Text) else console.measure(default_cell_formatter(cell)).maximum
                if width > widest:
                    widest = width
            column.content_width = widest

    def rows_leaving(self, cells: dict[Any, Any]) -> None:
        """A row hidden by a filter; for subclasses that count their cells' widths."""

    def rows_filtered(self) -> None:
        """The drawn set changed; for subclasses."""

    # --- writing -------------------------------------------------------------------------
    def put(self, key: str, cells: Cells) -> bool:
        """Add the row, or update only the cells that changed. True when it was added."""
        shown = self._keyed_cells.get(key)
        if shown is None:
            if self._keyed_filter is not None:
                self._announce_soon()  # "12 of 5,000" counts it
                self._keyed_cells[key] = dict(zip((c.key for c in self.ordered_columns), cells, strict=False))
                if not self._shows(key):
                    self._keyed_unmeasured.add(key)
                    return True  # kept, not drawn
                del self._keyed_cells[key]
            row_key = self.add_row(*cells, key=key)
            # The table's own dict of the row's cells: a filter hides and shows the row with it.
            self._keyed_cells[key] = self._data[row_key]
            self._keyed_row_keys[key] = row_key
            self._keyed_order[key] = None
            return True
        drawn = key in self._keyed_order
        changed = wider = False
        for column, cell in zip(list(shown), cells, strict=False):
            old = shown[column]
            if not same_cell(old, cell):
                shown[column] = cell  # the table's own dict of the row, when drawn
                changed = True
                if drawn and self.cell_replaced(key, column, old, cell):
                    wider = True
        if changed and drawn:
            self._update_count += 1  # DataTable's caches; the kept lines go by the cells
            if wider:
                self._require_update_dimensions = True  # the column grows when the table idles
                self.refresh()
            else:
                # That row's line only (DataTable.update_cell repaints the whole table): the
                # frame carries one row. A keyed row is one line high, so its index is its
                # place (DataTable.refresh_row adds up the heights of every row above it).
                row_index = self._row_locations.get(self._keyed_row_keys[key])
                if row_index is not None:
                    y = row_index + (self.header_height if self.show_header else 0)
                    self._refresh_region(Region(0, y, max(self.size.width, self.virtual_size.width), 1))
        if changed:
            self._keyed_text.pop(key, None)
            if not drawn:
                self._keyed_unmeasured.add(key)
            if self._keyed_filter is not None and self._shows(key) != drawn:
                self._refilter_soon()
        return False

    def cell_replaced(self, key: str, column_key: Any, old: Any, cell: Any) -> bool:
        """A drawn row's cell changed: True when a column's width changed with it (the table
        is then measured and drawn whole). A column grows for a wider cell and otherwise
        keeps its width: Textual measured every cell of the column again (5,000 pods) when
        one got narrower. Subclasses that count widths override this."""
        column = self.columns.get(column_key)
        if column is None:
            return False
        width = cell.cell_len if isinstance(cell, Text) else self.app.console.measure(default_cell_formatter(cell)).maximum
        if width <= column.content_width:
            return False
        if not column.auto_width:  # drawn at its set width; its natural one is what a FlexColumn fits
            column.content_width = width
            return False
        self._updated_cells.add(CellKey(self._keyed_row_keys[key], column.key))
        return True

    def discard_row(self, key: str) -> None:
        if key in self._keyed_cells:
            if key in self._keyed_order:
                self.remove_row(key)
            del self._keyed_cells[key]
            self._keyed_order.pop(key, None)
        self._keyed_models.pop(key, None)
        self._keyed_pending.pop(key, None)
        self._keyed_text.pop(key, None)
        self._keyed_unmeasured.discard(key)
        self._keyed_row_keys.pop(key, None)
        self._keyed_parked.pop(key, None)

    def clear(self, columns: bool = False) -> KeyedTable:
        self._keyed_cells, self._keyed_models, self._keyed_order, self._keyed_pending, self._keyed_wanted = {}, {}, {}, {}, []
        self._keyed_text, self._keyed_unmeasured, self._keyed_row_keys, self._keyed_parked = {}, set(), {}, {}
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
        (5,000 pods refresh in a few ms). New rows go in at once, in one step (5,000 in about
        15 ms); with `batch`, at most that many per frame.
        """
        selected = self.selected_key
        gone = [k for k in self._keyed_cells if k not in rows_by_key]
        if len(gone) > 1 and self._keyed_order:
            # Removed in one step, not one O(rows) removal each (5,000 pods of a dead cluster).
            self._show_exactly([k for k in self._keyed_order if k in rows_by_key])
        for key in gone:
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
        # New rows go in as one step (`_show_exactly`), not one DataTable.add_row each: that
        # rebuilt the column list and queued every cell for rich to measure when the table
        # idled, 5,000 pods took 17 frames and about a second; a Text's width is its cell length.
        pending = self._keyed_pending
        keys = list(pending)[: self._keyed_batch] if self._keyed_batch else list(pending)
        if keys:
            columns = [column.key for column in self.ordered_columns]
            render, cells_by_key, models = self._keyed_render, self._keyed_cells, self._keyed_models
            for key in keys:
                row = pending.pop(key)
                cells_by_key[key] = dict(zip_longest(columns, row if render is None else render(row)))
                if render is not None:
                    models[key] = row
            self._keyed_unmeasured.update(keys)
            if self._keyed_filter is not None:
                self._announce_soon()  # "12 of 5,000" counts them
        self._keyed_reorder(selected, keys)
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

    def _keyed_reorder(self, selected: str | None, added: list[str]) -> None:
        """Draw the rows in the wanted order, with the new ones the filter lets through; the
        cursor stays on the row it was on."""
        order = self._keyed_order
        arriving = {key for key in added if self._shows(key)}
        wanted = [key for key in self._keyed_wanted if key in order or key in arriving]
        if list(order) != wanted:
            self._show_exactly(wanted, scroll=False)  # a row moving does not move the view
        if selected is not None and selected in self._keyed_order and self.selected_key != selected:
            self.move_cursor(row=self.get_row_index(selected), animate=False, scroll=False)

    def rows_settled(self) -> None:
        """Called when every row of the last sync is in the table; for subclasses."""
