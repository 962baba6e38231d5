"""A pane's line of text that changes each refresh costs no layout of the screen while it
keeps its height (issue 12: "a refresh with no change costs no layout"), and the screen is
laid out again when the text needs another line. What is shown is the new text either way.
Real Textual app; the layouts counted are the ones the widget asks for."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Static

from app.ui.widgets.quiet import show_text


class LineApp(App[None]):
    CSS = "Static { width: 20; height: auto; }"

    def compose(self) -> ComposeResult:
        yield Static("", markup=False)


async def test_show_text_lays_the_screen_out_only_when_the_height_changes():
    app = LineApp()
    async with app.run_test(size=(40, 10)) as pilot:
        line = app.query_one(Static)
        show_text(line, "waiting 1 (16s)")
        await pilot.pause()
        layouts: list[bool] = []
        original = line.refresh
        line.refresh = lambda *a, **kw: (layouts.append(bool(kw.get("layout"))), original(*a, **kw))[1]  # type: ignore[method-assign]

        def shown_after(content: str | Text) -> tuple[str, int]:
            layouts.clear()
            show_text(line, content)
            return str(line.render()), sum(layouts)

        assert shown_after("waiting 1 (18s)") == ("waiting 1 (18s)", 0)  # each refresh: repainted, not laid out
        assert shown_after("waiting 1 (18s)") == ("waiting 1 (18s)", 0)
        assert layouts == []  # unchanged: not even repainted
        assert shown_after("waiting 2 (20s)\nlock tree") == ("waiting 2 (20s)\nlock tree", 1)  # a line more
        assert shown_after("waiting 2 (22s)\nlock tree") == ("waiting 2 (22s)\nlock tree", 0)
        wrapped = "longest 1m13s (pid 29968) ungranted 1"  # wraps to 2 lines at 20 columns
        assert shown_after(wrapped)[1] == 0  # 2 lines then, 2 lines now (measured)
        assert shown_after(wrapped.replace("13s", "15s"))[1] == 0
        assert shown_after("short")[1] == 1  # back to one line
        await pilot.pause()
        assert line.size.height == 1
        # 16 characters, but the tab takes the room up to column 8: two lines at 20 columns
        assert shown_after("x\tyyyyyyyyyyyyyy")[1] == 1
        await pilot.pause()
        assert line.size.height == 2
