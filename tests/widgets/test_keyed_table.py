"""KeyedTable.sync: cells change in place, rows come and go by key, the cursor stays put."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from app.ui.widgets.keyed_table import KeyedTable
from tests.support import until


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield KeyedTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(KeyedTable)
        table.add_column("name", key="name")
        table.add_column("value", key="value")


def rows(table: KeyedTable) -> list[tuple[str, str]]:
    return [tuple(cell.plain for cell in table.get_row_at(i)) for i in range(table.row_count)]


def cells(name: str, value: str) -> tuple[Text, Text]:
    return Text(name), Text(value)


async def test_sync_updates_adds_removes_reorders_and_keeps_the_cursor():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(KeyedTable)
        table.sync({k: cells(k, "1") for k in ("a", "b", "c", "d")})
        table.move_cursor(row=2)  # on "c"
        await pilot.pause()
        first_b = table.get_row("b")[1]
        table.sync({"d": cells("d", "2"), "b": cells("b", "1"), "c": cells("c", "3"), "e": cells("e", "1")})
        await pilot.pause()
        assert rows(table) == [("d", "2"), ("b", "1"), ("c", "3"), ("e", "1")]
        assert table.selected_key == "c"  # the cursor followed its row to its new place
        assert table.get_row("b")[1] is first_b  # an unchanged cell is left alone
        table.sync({"b": cells("b", "1"), "e": cells("e", "1")})
        await pilot.pause()
        assert rows(table) == [("b", "1"), ("e", "1")]


async def test_a_style_change_alone_is_an_update():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(KeyedTable)
        table.put("a", (Text("a"), Text("x", style="green")))
        table.put("a", (Text("a"), Text("x", style="red")))
        await pilot.pause()
        assert str(table.get_row("a")[1].style) == "red"


async def test_rendered_models_are_added_in_batches_between_frames():
    app = TableApp()
    rendered: list[int] = []

    def render(n: int) -> tuple[Text, Text]:
        rendered.append(n)
        return Text(f"row {n:04d}"), Text(str(n))

    async with app.run_test() as pilot:
        table = app.query_one(KeyedTable)
        table.sync({str(n): n for n in range(1000)}, render, batch=300)
        assert table.row_count == 300 and table.pending == 700
        for _ in range(20):
            await pilot.pause()
            if not table.pending:
                break
        assert table.row_count == 1000
        rendered.clear()
        table.sync({str(n): n for n in range(1000)}, render, batch=300)
        assert rendered == []  # unchanged models are not rendered again


async def test_a_filter_hides_rows_keeps_them_current_and_brings_them_back_in_order():
    from app.ui.widgets.row_filter import RowFilter

    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(KeyedTable)
        table.sync({k: cells(k, "1") for k in ("apple", "banana", "apricot", "cherry")})
        table.move_cursor(row=2)  # apricot
        table.set_filter(RowFilter("AP"))
        await pilot.pause()
        assert rows(table) == [("apple", "1"), ("apricot", "1")]
        assert table.selected_key == "apricot" and table.total_rows == 4
        # Hidden rows stay current; a row that comes to match is drawn in its place.
        table.sync({"apple": cells("apple", "1"), "banana": cells("banana", "melon"), "apricot": cells("apricot", "1"),
                    "cherry": cells("cherry", "2"), "date": cells("date", "1")})
        await pilot.pause()
        assert rows(table) == [("apple", "1"), ("apricot", "1")]
        table.sync({"apple": cells("apple", "1"), "banana": cells("banana", "melon"), "apricot": cells("apricot", "1"),
                    "cherry": cells("cherry", "apple pie"), "date": cells("date", "1")})
        await until(pilot, lambda: rows(table) == [("apple", "1"), ("apricot", "1"), ("cherry", "apple pie")])
        table.set_filter(RowFilter("ap  1"))  # every word must match
        await pilot.pause()
        assert rows(table) == [("apple", "1"), ("apricot", "1")]
        table.set_filter(None)
        await pilot.pause()
        assert rows(table) == [("apple", "1"), ("banana", "melon"), ("apricot", "1"), ("cherry", "apple pie"), ("date", "1")]
        assert table.selected_key == "apricot"
        # put() (the timeline and the health pane) keeps new rows under a filter too.
        table.set_filter(RowFilter("fig"))
        table.put("fig", cells("fig", "1"))
        table.put("kiwi", cells("kiwi", "1"))
        await pilot.pause()
        assert rows(table) == [("fig", "1")] and table.total_rows == 7
        table.set_filter(None)
        await pilot.pause()
        assert [r[0] for r in rows(table)] == ["apple", "banana", "apricot", "cherry", "date", "fig", "kiwi"]
