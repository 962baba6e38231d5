"""Open a new incident: title + severity. Dismissable: the panel then says how to open one."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from app.config.incident import Severity
from app.ui.widgets.marks import MarkedOptionList


class OpenIncidentScreen(ModalScreen[tuple[str, str] | None]):
    """Type the title, pick the severity, Enter opens it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]

    def __init__(self, severities: list[Severity], *, title: str = "", severity: str | None = None) -> None:
        super().__init__(classes="prompt")
        self.severities = severities
        self.initial_title = title
        self.initial_severity = severity

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Open a new incident", classes="dialog-title")
            yield Input(value=self.initial_title, placeholder="What is broken? (one line)", id="open-title")
            yield MarkedOptionList(
                *[Option(Text(f"{s.name}  {s.description}"), id=s.name) for s in self.severities],
                id="open-severity",
            )
            yield Label("Type the title · Tab/↓ to severity · Enter open · Esc cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        names = [s.name for s in self.severities]
        # Default to a middle severity: opening at SEV1 by accident pages people.
        default = self.initial_severity if self.initial_severity in names else names[min(1, len(names) - 1)]
        options.highlighted = names.index(default)
        self.query_one(Input).focus()

    def _submit(self) -> None:
        title = self.query_one(Input).value.strip()
        if not title:
            self.notify("An incident needs a title.", severity="warning")
            self.query_one(Input).focus()
            return
        options = self.query_one(OptionList)
        index = options.highlighted if options.highlighted is not None else 0
        self.dismiss((title, self.severities[index].name))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._submit()

    def action_cancel(self) -> None:
        self.dismiss(None)
