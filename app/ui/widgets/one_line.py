"""A line of styled text that repaints cheaply: what ticks each second (issue 12).

A `Static` turns its text into a Visual and formats it again on every repaint; for the
status strip and a countdown that ticks each second, that was most of what an idle
dashboard cost. `OneLine` keeps the rendered strip and draws it as it is until the text
or the widget's style changes, and never asks for a layout pass: it is one line high.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.events import Resize
from textual.strip import Strip
from textual.widget import Widget


class OneLine(Widget):
    """One line of `Text`, cut with … at the widget's width; `set_line()` repaints on a change."""

    DEFAULT_CSS = """
    OneLine {
        height: 1;
    }
    """

    def __init__(self, text: Text | str = "", *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._text = text if isinstance(text, Text) else Text(text)
        self._strip: Strip | None = None

    @property
    def text(self) -> str:
        return self._text.plain

    def set_line(self, text: Text | str) -> bool:
        """Show this text; False (and no repaint) when it is what is shown already."""
        new = text if isinstance(text, Text) else Text(text)
        if new == self._text:
            return False
        self._text = new
        self._strip = None
        self.refresh()
        return True

    def render(self) -> Text:
        return self._text

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strip = None  # a class or theme change gives the line new colours

    def on_resize(self, _event: Resize) -> None:
        self._strip = None

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        if y or width <= 0:
            return Strip.blank(width, self.rich_style)
        if self._strip is None:
            base = self.rich_style
            line = self._text.copy()
            line.truncate(width, overflow="ellipsis")
            segments = Segment.apply_style(line.render(self.app.console, end=""), base)
            self._strip = Strip(segments).adjust_cell_length(width, base)
        return self._strip
