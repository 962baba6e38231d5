"""One row in full, as k9s shows a resource: Enter on a health check, an error-rate series or
a pod opens it; q or Esc goes back.

Everything shown comes from outside (URLs, reasons, labels, pod names, event messages):
it is built as Text from plain strings with its control characters made visible, never
read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from app.domain.text import multi_line, one_line
from app.ui.screens.help import ReadOnlyScreen, ScrollBody

Fact = tuple[str, str]
"""A label and its value, e.g. ("status", "503 Service Unavailable")."""


def facts_table(facts: Sequence[Fact]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for label, value in facts:
        table.add_row(Text(label), Text(one_line(value) if value else "—"))
    return table


def section_text(heading: str, lines: Sequence[str], empty: str = "none") -> Text:
    text = Text(heading + "\n", style="bold")
    if not lines:
        text.append(empty, style="dim")
    for i, line in enumerate(lines):
        text.append(("\n" if i else "") + multi_line(line))
    return text


class DetailScreen(ReadOnlyScreen):
    """A title, the facts as a two-column list, then longer sections (events, a query)."""

    BINDINGS = [
        Binding("enter", "close", "Close", show=False),
    ]

    def __init__(self, title: str, facts: Sequence[Fact], sections: Sequence[Text] = ()) -> None:
        super().__init__()
        self.title_text = title
        self.facts = list(facts)
        self.sections = list(sections)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog detail"):
            yield Label(Text(one_line(self.title_text)), classes="dialog-title")
            with ScrollBody(id="detail-body"):
                yield Static(facts_table(self.facts), classes="detail-facts")
                for section in self.sections:
                    yield Static(section, classes="detail-section")
            yield Label(Text("q / Esc back"), classes="dialog-hint")
