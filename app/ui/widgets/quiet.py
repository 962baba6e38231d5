"""Repaint a line of text only when it changed, and lay the screen out only when it must.

`Static.update` asks for a layout pass of the whole screen by default, and a pane calls it
on every refresh (each 2 s for PostgreSQL) even when the text is what it was: on an idle
dashboard that reflow was most of the CPU. `show_text` skips a refresh that changes
nothing, and repaints without a layout pass when the text keeps its number of lines and no
line is wider than the widget (a summary's "waiting 1 (55s)" becoming "(57s)").
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static


def show_text(widget: Static, content: Text | str) -> None:
    """Show `content` in `widget`: nothing if unchanged, no layout if its height stays."""
    text = content if isinstance(content, Text) else Text(content)
    shown = getattr(widget, "_quiet_shown", None)
    if shown is not None and shown == text:
        return
    width = widget.content_region.width
    height = _unwrapped_height(text, width)
    widget.update(content, layout=height is None or shown is None or height != _unwrapped_height(shown, width))
    widget._quiet_shown = text  # type: ignore[attr-defined]


def _unwrapped_height(text: Text, width: int) -> int | None:
    """Its number of lines when none is wider than `width` (none wraps), else None."""
    lines = text.plain.split("\n")
    if width <= 0 or any(cell_len(line) > width for line in lines):
        return None
    return len(lines)
