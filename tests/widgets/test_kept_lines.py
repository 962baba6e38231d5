"""A table refresh that changed one cell draws that row's line again, not every row on screen
(issue 12), and what is on screen is still right: the new value, the cursor's ▶ where the
cursor is, the rows in their new order. Real Textual app; the count is of DataTable's own
line assembly, the costly step a kept line skips."""

from __future__ import annotations

from contextlib import asynccontextmanager

from rich.text import Text

from app.ui.widgets.keyed_table import KeyedTable
from tests.widgets.test_keyed_table import TableApp  # columns: name, value

NAMES = ("api", "db", "cache", "queue", "search", "web")


def rows_of(names=NAMES, **values: str) -> dict:
    """Each name's row; its value "5m" unless given."""
    return {name: (Text(name), Text(values.get(name, "5m"))) for name in names}


@asynccontextmanager
async def table_shown():
    """The table app with the six rows put in (drawn at the test's next pause)."""
    app = TableApp()
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(KeyedTable)
        table.sync(rows_of())
        yield app, pilot, table


def drawn(table: KeyedTable) -> list[str]:
    """The table's lines as the screen gets them."""
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


def counting(table: KeyedTable) -> list[object]:
    assembled: list[object] = []
    original = table._render_line_in_row

    def counted(row_key, *args, **kwargs):
        assembled.append(row_key.value)
        return original(row_key, *args, **kwargs)

    table._render_line_in_row = counted  # type: ignore[method-assign]
    return assembled


async def test_one_changed_cell_redraws_one_line_and_shows_the_new_value():
    async with table_shown() as (app, pilot, table):
        await pilot.pause()
        drawn(table)
        assembled = counting(table)
        table.sync(rows_of(cache="6m"))
        await pilot.pause()
        lines = drawn(table)
        assert assembled == ["cache"]
        assert any(line.split() == ["cache", "6m"] for line in lines), lines
        assert sum(line.split()[-1:] == ["5m"] for line in lines) == 5


async def test_the_cursor_mark_follows_the_cursor_and_rows_follow_their_order():
    async with table_shown() as (app, pilot, table):
        table.focus()
        await pilot.pause()
        assert drawn(table)[1].startswith("▶api")
        assembled = counting(table)
        await pilot.press("down")
        lines = drawn(table)
        assert lines[1].startswith(" api") and lines[2].startswith("▶db")
        assert sorted(assembled) == ["api", "db"]  # the rows the cursor left and reached
        table.sync(rows_of(reversed(NAMES)))
        await pilot.pause()
        assert [line.split()[-2].lstrip("▶") for line in drawn(table)[1:7]] == list(reversed(NAMES))
        assert drawn(table)[5].startswith("▶db")  # the cursor stayed on its row, now 5th


def sent_rows(app, frames: list) -> None:
    """Collects, per frame Textual sends to the terminal, the screen rows it writes."""
    shown = app._display

    def display(screen, update):
        if update is not None:
            frames.append(sorted({y for y, _x1, _x2 in getattr(update, "spans", [])} or {"full"}))
        shown(screen, update)

    app._display = display


async def test_a_changed_cell_sends_only_its_row_and_a_wider_value_widens_its_column():
    async with table_shown() as (app, pilot, table):
        await pilot.pause()
        frames: list = []
        sent_rows(app, frames)
        table.sync(rows_of(cache="6m"))
        await pilot.pause()
        rows = {name: table.region.y + 1 + i for i, name in enumerate(NAMES)}  # under the header
        sent = {y for frame in frames for y in frame}
        assert rows["cache"] in sent
        assert not sent & (set(rows.values()) - {rows["cache"]})  # DataTable.update_cell sent them all
        frames.clear()
        table.sync(rows_of(db="a much longer value"))
        await pilot.pause()
        assert any(len(rows) > 1 for rows in frames)  # the column grew: the table drawn again
        assert any(line.split() == ["db", "a", "much", "longer", "value"] for line in drawn(table)), drawn(table)
