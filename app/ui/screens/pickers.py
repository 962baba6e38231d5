"""Small modal pickers: choose one of a list (severity, status, milestone, incident)."""

from __future__ import annotations

from typing import Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from app.ui.widgets.marks import MarkedOptionList

T = TypeVar("T")


class NoWrapOptionList(MarkedOptionList):
    """↓ on the last choice stays there, ↑ on the first too: a list that wraps turns one
    extra key press into the opposite end (`S ↓↓↓` from identified became investigating)."""

    def action_cursor_up(self) -> None:
        self._step(-1)

    def action_cursor_down(self) -> None:
        self._step(1)

    def _step(self, direction: int) -> None:
        if self.highlighted is None:
            self.action_first() if direction > 0 else self.action_last()
            return
        end = self.option_count if direction > 0 else -1
        for index in range(self.highlighted + direction, end, direction):
            if not self.options[index].disabled:
                self.highlighted = index
                return


class ChoiceScreen(ModalScreen[T | None], Generic[T]):
    """Enter picks the highlighted choice; Esc cancels (dismisses None). It opens on
    `current` (the severity or status in force, the first unmarked milestone), else the first."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]

    def __init__(self, title: str, choices: list[tuple[T, str]], current: T | None = None, hint: str = "") -> None:
        super().__init__(classes="picker")
        self.title_text = title
        self.choices = choices
        self.current = current
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            options = [Option(Text(label), id=str(i)) for i, (_, label) in enumerate(self.choices)]
            yield NoWrapOptionList(*options, id="choices")
            yield Label(Text(self.hint or "↑/↓ choose · Enter select · Esc cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        for i, (value, _) in enumerate(self.choices):
            if value == self.current:
                option_list.highlighted = i
                break
        else:
            if self.choices:
                option_list.highlighted = 0
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[int(event.option.id or 0)][0])

    def action_cancel(self) -> None:
        self.dismiss(None)
