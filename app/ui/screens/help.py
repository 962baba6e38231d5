"""Help: every key, grouped by who uses it (scribe, commander, live panes), movement keys once."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from app.config.roles import Role
from app.domain.text import one_line

PREFIXES = [
    ("!", "decision"),
    (">", "action"),
    ("? or ~", "observation"),
    ("@", "communication"),
    ("(none)", "note"),
]


Section = tuple[str, list[tuple[str, str]]]
"""A workflow's heading and its (key, what it does) pairs."""


def help_table(sections: list[Section]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for i, (heading, keys) in enumerate(sections):
        if i:
            table.add_row(Text(""), Text(""))
        table.add_row(Text(heading, style="bold underline"), Text(""))
        for key, description in keys:
            table.add_row(Text(key), Text(description))
        if heading == "Scribe":
            for prefix, kind in PREFIXES:
                table.add_row(Text(prefix), Text(f"starting the line: {'an' if kind[0] in 'aeiou' else 'a'} {kind} entry"))
            table.add_row(Text("ctrl+t"), Text("in the entry line: cycle the kind"))
    return table


def roles_text(roles: list[Role]) -> Text:
    """Each role's duties and contact as the config says them (plain text, never markup)."""
    text = Text("\nRoles (r assigns)", style="bold underline")
    for role in roles:
        text.append("\n")
        text.append(role.name, style="bold")
        if role.required_from:
            text.append(f"  required from {role.required_from}")
        if role.contact:
            text.append(f"  contact: {one_line(role.contact)}")
        for duty in role.duties:
            text.append(f"\n  • {one_line(duty)}")
    return text


class ScrollBody(VerticalScroll, can_focus=False):
    """A read-only dialog's text: scrolled by the dialog's keys, not a Tab stop of its own
    (a scroll container shows no focus, so Tab seemed to go nowhere)."""


class ReadOnlyScreen(ModalScreen[None]):
    """A dialog that only shows something: q or Esc closes it, ↑/↓ PgUp/PgDn scroll it."""

    BINDINGS = [
        Binding("escape", "close", "Back", id="modal.cancel"),
        Binding("q", "close", "Back", show=False),
        *(Binding(key, f"scroll_body('{key}')", "Scroll", show=False) for key in ("up", "down", "pageup", "pagedown", "home", "end")),
    ]

    def action_scroll_body(self, how: str) -> None:
        for body in self.query(ScrollBody):
            {"up": body.scroll_up, "down": body.scroll_down, "pageup": body.scroll_page_up, "pagedown": body.scroll_page_down,
             "home": body.scroll_home, "end": body.scroll_end}[how](animate=False)

    def __init__(self) -> None:
        super().__init__(classes="prompt")

    def action_close(self) -> None:
        self.dismiss(None)


class HelpScreen(ReadOnlyScreen):
    BINDINGS = [Binding("question_mark", "close", "Close", show=False)]

    def __init__(self, sections: list[Section], roles: list[Role] | None = None) -> None:
        super().__init__()
        self.sections = sections
        self.roles = [r for r in roles or [] if r.duties or r.contact or r.required_from]
        """The configured roles that say more than a name: their duties, under the keys."""
        self.keys = [pair for _, pairs in sections for pair in pairs]
        """Every (key, description) shown, flat."""

    def compose(self) -> ComposeResult:
        with ScrollBody(classes="dialog help"):
            yield Label("warroom keys", classes="dialog-title")
            yield Static(help_table(self.sections))
            if self.roles:
                yield Static(roles_text(self.roles), id="help-roles")
            yield Label("Esc close · ctrl+p command palette", classes="dialog-hint")
