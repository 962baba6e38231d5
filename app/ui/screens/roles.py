"""Assign or hand off a role; shows who held each role before (the handoff history)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from app.config.roles import Role
from app.domain.incident import RoleAssignment
from app.domain.text import one_line
from app.ui.screens.pickers import NoWrapOptionList


@dataclass(frozen=True)
class RoleInfo:
    """What the config says about the roles, for the dialog: duties, contacts, which ones the
    incident's severity requires and nobody holds (role -> severity), which one leads."""

    roles: dict[str, Role] = field(default_factory=dict)
    required: dict[str, str] = field(default_factory=dict)
    commander: str = ""


def _role_label(role: str, holder: str | None, about: RoleInfo) -> Text:
    text = Text(f"⚠ {role}" if role in about.required else role, style="bold")
    text.append("  ")
    if holder:
        text.append(holder)
    elif role in about.required:
        text.append(f"unassigned (required at {about.required[role]})", style="bold")
    else:
        text.append("— unassigned", style="dim")
    return text


def about_text(role: str, about: RoleInfo) -> Text:
    """The highlighted role's duties and contact (config text: plain, one line each)."""
    info = about.roles.get(role)
    text = Text()
    lead = " · leads the incident (handing it off asks first)" if role == about.commander else ""
    text.append(role, style="bold")
    text.append(lead)
    if info is not None and info.contact:
        text.append("\ncontact: ")
        text.append(one_line(info.contact))
    if info is not None and info.required_from:
        text.append(f"\nrequired from {info.required_from}")
    if info is not None and info.duties:
        for duty in info.duties:
            text.append(f"\n• {one_line(duty)}")
    elif info is None:
        text.append("\nnot in this configuration (assigned elsewhere)", style="dim")
    return text


def history_text(history: list[RoleAssignment], tz, limit: int = 8) -> Text:
    if not history:
        return Text("No assignments yet.", style="dim")
    text = Text("History (newest first):\n", style="bold")
    for change in reversed(history[-limit:]):
        line = f"{change.at.astimezone(tz).strftime('%H:%M')} {change.role}: "
        line += f"{change.previous or '—'} → {change.person or 'unassigned'} (by {change.actor})\n"
        text.append(line, style="")
    return text


class RoleScreen(ModalScreen[tuple[str, str] | None]):
    """Pick a role (↑/↓), type the person, Enter assigns; empty person unassigns."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]

    def __init__(self, roles: list[str], holders: dict[str, str], history: list[RoleAssignment], tz=None, *, role: str | None = None, about: RoleInfo | None = None) -> None:
        super().__init__(classes="prompt")
        self.about = about or RoleInfo()
        self.roles = roles
        self.holders = holders
        self.history = history
        self.tz = tz
        self.initial_role = role

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Assign a role (a new name hands it off)", classes="dialog-title")
            yield NoWrapOptionList(*[Option(_role_label(r, self.holders.get(r), self.about), id=r) for r in self.roles], id="role-list")
            yield Static("", id="role-about")
            yield Input(placeholder="person (empty = unassign)", id="role-person")
            yield Static(history_text(self.history, self.tz), id="role-history")
            yield Label("↑/↓ role · type name · Enter assign · Esc cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.roles.index(self.initial_role) if self.initial_role in self.roles else 0
        self.query_one(Input).focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self.query_one("#role-about", Static).update(about_text(event.option.id, self.about))

    def on_key(self, event) -> None:
        # Up/down move the role even while typing the name: one hand on the keys.
        if event.key in ("up", "down") and self.query_one(Input).has_focus:
            options = self.query_one(OptionList)
            options.action_cursor_up() if event.key == "up" else options.action_cursor_down()
            event.stop()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        self.dismiss((self.roles[options.highlighted], event.value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
