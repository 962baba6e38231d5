"""LogLines: many lines of text with a cursor line and a marked range, drawn line by line.

A DataTable row per log line froze the screen for seconds while a chatty container was
followed (adding and dropping rows re-measures and re-indexes the table; benchmarks/
pod_logs.py: a 20 s stall at 10,000 lines/s). Here only the visible lines are drawn, from a
plain list; appending is a list extend, and the bound drops the oldest lines at once.

Lines must already be safe to show (app.domain.text): they are drawn as plain text, never
markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from app.ui.widgets.marks import SELECTED

GUTTER = 2


class LogLines(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"log-lines--cursor", "log-lines--marked"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "move(-1000000000)", "First", show=False),
        Binding("end", "move(1000000000)", "Last", show=False),
    ]

    def __init__(self, max_lines: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.max_lines = max_lines
        self.lines: list[str] = []
        self.cursor = 0
        self.mark: int | None = None
        self._widest = 0

    # --- content ---------------------------------------------------------------------
    def set_lines(self, lines: list[str]) -> None:
        self.lines, self.mark, self._widest = [], None, 0
        self.append(lines, follow=True)

    def append(self, lines: list[str], *, follow: bool | None = None) -> int:
        """Add lines at the end; returns how many old lines the bound dropped. The cursor
        follows the end when it was on the last line (or `follow`)."""
        at_end = self.cursor >= len(self.lines) - 1 if follow is None else follow
        self.lines.extend(lines)
        self._widest = max([self._widest, *(cell_len(line) for line in lines)])
        dropped = max(0, len(self.lines) - self.max_lines)
        if dropped:
            del self.lines[:dropped]
            self.cursor = max(0, self.cursor - dropped)
            self.mark = None if self.mark is None or self.mark < dropped else self.mark - dropped
        self.virtual_size = Size(self._widest + GUTTER + 1, len(self.lines))
        if at_end:
            self.move_cursor(len(self.lines) - 1)
        else:
            self.refresh()
        return dropped

    # --- the cursor --------------------------------------------------------------------
    def move_cursor(self, index: int) -> None:
        self.cursor = max(0, min(index, len(self.lines) - 1))
        height = self.scrollable_content_region.height or 1
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)
        self.refresh()

    def action_move(self, step: int) -> None:
        self.move_cursor(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def marked(self) -> tuple[int, int]:
        """First and last index of the range (the cursor's line alone when none is marked)."""
        start = self.cursor if self.mark is None else self.mark
        return min(start, self.cursor), max(start, self.cursor)

    # --- drawing -----------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self.lines):
            return Strip.blank(width, base)
        style, gutter = base, "  "
        first, last = self.marked()
        if index == self.cursor:
            style, gutter = base + self.get_component_rich_style("log-lines--cursor"), f"{SELECTED} "
        elif self.mark is not None and first <= index <= last:
            style, gutter = base + self.get_component_rich_style("log-lines--marked"), "┃ "
        # The gutter says it without colour (NO_COLOR): ▶ the cursor's line, ┃ the marked range.
        text = Strip([Segment(self.lines[index], style)]).crop_extend(scroll_x, scroll_x + width - GUTTER, style)
        return Strip([Segment(gutter, style), *text])
