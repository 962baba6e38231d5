"""Help: every key the app binds, plus the entry-line prefixes."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

PREFIXES = [
    ("!", "decision"),
    (">", "action"),
    ("? or ~", "observation"),
    ("@", "communication"),
    ("(none)", "note"),
]


def help_table(keys: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for key, description in keys:
        table.add_row(Text(key), Text(description))
    table.add_row(Text(""), Text(""))
    table.add_row(Text("Entry line", style="bold underline"), Text(""))
    for prefix, kind in PREFIXES:
        table.add_row(Text(prefix), Text(f"starts {'an' if kind[0] in 'aeiou' else 'a'} {kind} entry"))
    table.add_row(Text("ctrl+t"), Text("cycle the kind while typing"))
    table.add_row(Text("Enter / Esc"), Text("save (shown once durable) / leave the line"))
    table.add_row(Text(""), Text(""))
    table.add_row(Text("Timeline", style="bold underline"), Text(""))
    table.add_row(Text("↑ / ↓ then Enter"), Text("show the selected entry in full (x corrects it)"))
    return table


class ReadOnlyScreen(ModalScreen[None]):
    """A dialog that only shows something: Esc or q closes it."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="modal.cancel"),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(classes="prompt")

    def action_close(self) -> None:
        self.dismiss(None)


class HelpScreen(ReadOnlyScreen):
    BINDINGS = [Binding("question_mark", "close", "Close", show=False)]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Label("warroom keys", classes="dialog-title")
            yield Static(help_table(self.keys))
            yield Label("Esc close · ctrl+p command palette", classes="dialog-hint")
