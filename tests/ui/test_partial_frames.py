"""Partial frames (issue 12): when the clock's second and a pane's refresh share a frame, the
frame draws what changed and not the incident half's tables between them, and the terminal
shows exactly what a full redraw would. The real app with every pane (fixed snapshots); the
frames Textual sends to the terminal are replayed on a character grid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rich.cells import cell_len
from rich.segment import ControlType

from app.domain.clock import FrozenClock
from app.ui.incident.checklist import ChecklistTable
from app.ui.incident.roles import RolesTable
from app.ui.incident.timeline import TimelineTable
from app.ui.panes.base import LivePane
from tests.support import START, make_app
from tests.support.fixed_dashboard import fixed_panes  # noqa: F401 - fixture
from tests.ui.test_commander_keys import open_incident

pytestmark = pytest.mark.usefixtures("fixed_panes")
SIZE = (160, 48)


class Terminal:
    """A character grid fed the updates Textual writes (full frames and partial ones)."""

    def __init__(self, width: int, height: int) -> None:
        self.cells = [[" "] * width for _ in range(height)]

    def feed(self, console, update) -> None:
        x = y = 0
        for segment in update.__rich_console__(console, console.options):
            if segment.control:
                for code in segment.control:
                    if code[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = code[1], code[2]
                continue
            for char in segment.text:
                if char == "\n":
                    continue
                self.cells[y][x] = char
                for extra in range(1, cell_len(char)):
                    self.cells[y][x + extra] = ""
                x += max(cell_len(char), 1)

    def lines(self) -> list[str]:
        return ["".join(row) for row in self.cells]


def drawn_lines(widgets) -> dict[str, int]:
    counts = {type(w).__name__: 0 for w in widgets}
    for widget in widgets:
        original = widget.render_lines

        def counted(crop, widget=widget, original=original):
            counts[type(widget).__name__] += crop.height
            return original(crop)

        widget.render_lines = counted
    return counts


async def test_the_clock_and_a_pane_in_one_frame_draw_only_themselves_and_the_screen_is_right(tmp_path):
    clock = FrozenClock(START)
    app = make_app(tmp_path / "f.db", clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_incident(app, pilot)
        for _ in range(3):
            await pilot.pause()
        terminal = Terminal(*SIZE)
        shown = app._display

        def display(screen, update):
            if update is not None:
                terminal.feed(app.console, update)
            shown(screen, update)

        app._display = display
        app.screen.refresh()  # one full frame first: the grid starts as the screen is
        for _ in range(3):
            await pilot.pause()
        tables = drawn_lines([app.query_one(TimelineTable), app.query_one(ChecklistTable), app.query_one(RolesTable)])
        pane = app.query(LivePane).last()
        clock.advance(timedelta(seconds=1))  # the elapsed time moves; the countdowns (minutes) do not
        pane.show_title("a refreshed pane")  # a change low on the live half...
        app.refresh_clock()  # ...and the strip's second, at the top: one frame
        await pilot.pause()
        drawn_in_the_frame = dict(tables)
        expected = [strip.text for strip in app.screen._compositor.render_strips()]  # a full render
        assert terminal.lines() == expected
        assert "a refreshed pane" in "\n".join(expected)
        assert drawn_in_the_frame == {"TimelineTable": 0, "ChecklistTable": 0, "RolesTable": 0}
