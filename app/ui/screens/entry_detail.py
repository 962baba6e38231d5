"""One timeline entry in full: the table cuts long text to one line, this shows all of it."""

from __future__ import annotations

from datetime import UTC, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from app.domain.incident import TimelineItem
from app.ui.screens.help import ReadOnlyScreen, ScrollBody


def entry_detail_text(item: TimelineItem, tz: tzinfo | None) -> Text:
    """Plain Text (never markup): what, when in both zones, who, and any correction."""
    local = item.at.astimezone(tz)
    text = Text()
    text.append(f"#{item.seq}  {item.kind}  by {item.actor}\n", style="bold")
    text.append(f"{local:%Y-%m-%d %H:%M:%S %Z}".rstrip())
    if item.at.astimezone(UTC).utcoffset() != local.utcoffset():
        text.append(f"  ({item.at.astimezone(UTC):%H:%M:%S} UTC)")
    text.append("\n\n")
    text.append(item.text, style="strike" if item.struck else "")
    if item.struck:
        text.append("\n\n")
        text.append(f"✎ corrected by #{item.struck_by}: " if item.struck_by else "✎ corrected: ", style="bold")
        text.append(item.strike_reason or "")
    return text


class EntryDetailScreen(ReadOnlyScreen):
    BINDINGS = [Binding("enter", "close", "Close", show=False)]

    def __init__(self, item: TimelineItem, tz: tzinfo | None = None) -> None:
        super().__init__()
        self.item = item
        self.tz = tz

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(f"Timeline entry #{self.item.seq}"), classes="dialog-title")
            with ScrollBody(id="entry-detail"):
                yield Static(entry_detail_text(self.item, self.tz), markup=False)
            yield Label(Text("Esc / Enter close · x on the entry corrects it"), classes="dialog-hint")
