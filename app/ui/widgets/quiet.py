"""Repaint a line of text only when it changed, and lay the screen out only when it must.

`Static.update` asks for a layout pass of the whole screen by default, and a pane calls it
on every refresh (each 2 s for PostgreSQL) even when the text is what it was: on an idle
dashboard that reflow was most of the CPU. `show_text` skips a refresh that changes
nothing, and repaints without a layout pass when the text keeps its height at the widget's
width, wrapped lines included (a summary's "waiting 1 (55s)" becoming "(57s)", a Warning
event's "(3m ago)" becoming "(4m ago)").
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
    widget._quiet_shown = text  # type: ignore[attr-defined]
    width = widget.content_region.width
    if shown is None or width <= 0:
        widget.update(content)
        return
    size = widget.size
    lines = _unwrapped_lines(shown, width)
    # No line wraps, before or after: the same height. Otherwise wrapped lines count too (a
    # Warning event's age moving keeps its wrapped height), and only the measure can tell.
    height = None if lines and lines == _unwrapped_lines(text, width) else widget.get_content_height(size, size, width)
    widget.update(content, layout=False)
    widget.clear_cached_dimensions()  # (update() keeps them: it expects a layout)
    if height is not None and widget.get_content_height(size, size, width) != height:
        widget.refresh(layout=True)


def _unwrapped_lines(text: Text, width: int) -> int:
    """How many lines `text` takes at `width` when none of them wraps; 0 when one would
    (then only the widget's own measure can tell). Measuring costs two renders of the text."""
    lines = text.plain.split("\n")
    # Only printable characters have the width cell_len gives them (a tab's depends on
    # where it falls); anything else is left to the measure.
    return len(lines) if all(line.isprintable() and cell_len(line) <= width for line in lines) else 0
