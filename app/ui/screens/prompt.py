"""A one-line text dialog: correction reasons and the simple 'record status update'."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class TextPromptScreen(ModalScreen[str | None]):
    """Enter with text dismisses it; empty Enter is refused; Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]

    def __init__(self, title: str, *, placeholder: str = "", initial: str = "", context: str = "") -> None:
        super().__init__(classes="prompt")
        self.title_text = title
        self.placeholder = placeholder
        self.initial = initial
        self.context = context

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            if self.context:
                yield Label(Text(self.context), classes="dialog-context")
            yield Input(value=self.initial, placeholder=self.placeholder, id="prompt-input")
            yield Label(Text("Enter save · Esc cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.notify("Type some text first (Esc cancels).", severity="warning")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
