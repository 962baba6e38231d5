"""Ask before a step that is hard to take back: handing off the commander role, lowering
severity, resolving. The question says exactly what will happen; the lines under it say
what is still open. Back has the focus, so the Enter that chose the step cannot confirm it."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses True only from the action button; Enter on Back, or Esc, goes back."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="modal.cancel"),
        Binding("left", "app.focus_previous", "Previous button", show=False),
        Binding("right", "app.focus_next", "Next button", show=False),
    ]

    def __init__(self, question: str, details: Sequence[Text | str] = (), *, action: str = "Confirm") -> None:
        super().__init__(classes="prompt confirm")
        self.question = question
        self.details = list(details)
        self.action = action

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog confirm-dialog"):
            # Names and titles inside come from people: Text, never markup.
            yield Label(Text(self.question), classes="dialog-title", id="confirm-question")
            # A long list scrolls; the buttons below it stay on screen at 80x24.
            with VerticalScroll(id="confirm-details"):
                for line in self.details:
                    yield Static(line if isinstance(line, Text) else Text(line), classes="confirm-detail")
            with Horizontal(id="confirm-buttons"):
                yield Button(self.action, id="confirm-yes", variant="error")
                yield Button("Back", id="confirm-back", variant="primary")
            yield Label(Text(f"Enter = Back · ← then Enter = {self.action} · Esc back"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#confirm-back", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_back(self) -> None:
        self.dismiss(False)
