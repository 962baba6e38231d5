"""The one-line filter of a pane or the timeline: `/` opens it, each key narrows the rows at
once, Enter keeps the filter and gives the keys back to the table, Esc clears it.

The line hides once left (the title says what is filtered, "12 of 5,000"): at 80x24 a
pane has no row to spare for it.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input

from app.domain.text import one_line
from app.ui.widgets.row_filter import MAX_QUERY


class FilterLine(Input):
    BINDINGS = [
        Binding("escape", "clear", "Clear filter", id="filter.clear"),
        Binding("enter", "submit", "Keep filter", id="filter.keep"),
    ]

    DEFAULT_CSS = """
    FilterLine { display: none; height: 1; border: none; padding: 0 1; }
    FilterLine:focus { border: none; }
    FilterLine.-open { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="filter: words (Enter keep · Esc clear)", max_length=MAX_QUERY,
                         select_on_focus=False, id=id)
        self.back_to: Widget | None = None
        """Where the keys go when the line is left: the table that had them."""
        self.can_focus = False  # not a Tab stop (nor the first focus) while hidden

    def on_blur(self) -> None:
        if not self.value:
            self.leave()  # clicked or tabbed away from an empty line: nothing to keep showing

    def open(self) -> None:
        focused = self.screen.focused
        if focused is not self:
            self.back_to = focused
        self.can_focus = True
        self.add_class("-open")
        # set_focus now, not focus() (deferred): keys typed right after `/` land in the line.
        self.screen.set_focus(self)
        self.cursor_position = len(self.value)

    def leave(self) -> None:
        if not self.has_class("-open"):
            return
        self.remove_class("-open")
        self.can_focus = False
        back = self.back_to
        if self.has_focus and back is not None and back.is_attached and back.display:
            self.screen.set_focus(back)

    def action_clear(self) -> None:
        self.value = ""  # Input.Changed: the host shows every row again
        self.leave()

    async def action_submit(self) -> None:
        self.leave()


def filter_suffix(query: str, shown: int, total: int) -> Text:
    """What a title adds while filtered: '  /payments 12 of 5,000'."""
    if not query:
        return Text()
    return Text(f"  /{one_line(query)} {shown:,} of {total:,}")
