"""The right half: header, countdowns, roles + checklist beside the timeline, entry line."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label

from app.domain.actions import next_kind, parse_entry
from app.domain.events import EntryKind
from app.ui.incident.checklist import ChecklistTable
from app.ui.incident.countdowns import CountdownsPanel
from app.ui.incident.header import IncidentHeader
from app.ui.incident.roles import RolesTable
from app.ui.incident.timeline import TimelineTable


@dataclass
class EntrySubmitted(Message):
    """The scribe pressed Enter on the entry line; the text stays until the app says it is durable."""

    kind: EntryKind
    text: str
    raw: str


class EntryInput(Input):
    BINDINGS = [
        Binding("escape", "leave", "Leave entry line", id="entry.leave"),
        Binding("ctrl+t", "cycle_kind", "Cycle kind", id="entry.kind"),
    ]

    def action_leave(self) -> None:
        self.screen.query_one(TimelineTable).focus()

    def action_cycle_kind(self) -> None:
        panel = self.screen.query_one(IncidentPanel)
        panel.entry_kind = next_kind(panel.entry_kind)
        panel.show_kind()


class IncidentPanel(Vertical):
    def __init__(self, roles: list[str], tz=None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.roles = roles
        self.tz = tz
        self.entry_kind = EntryKind.NOTE
        self.saving: str | None = None

    def compose(self) -> ComposeResult:
        yield IncidentHeader(id="incident-header")
        yield CountdownsPanel(id="countdowns")
        with Horizontal(id="incident-body"):
            with Vertical(id="incident-side"):
                yield Label("Roles  (r assign)", classes="section-title")
                yield RolesTable(self.roles, id="roles")
                yield Label("Checklist  (c, then Space/Enter)", id="checklist-title", classes="section-title")
                yield ChecklistTable(id="checklist")
            with Vertical(id="timeline-box"):
                yield Label("Timeline  (t write · x correct · z UTC)", classes="section-title")
                yield TimelineTable(self.tz, id="timeline")
                with Horizontal(id="entry-line"):
                    yield Label(self._kind_text(), id="entry-kind")
                    yield EntryInput(placeholder="t: write an entry — ! decision  > action  ? observation", id="entry")

    def _kind_text(self) -> Text:
        return Text(f"{self.entry_kind.value:>8} ")

    def show_kind(self) -> None:
        for label in self.query("#entry-kind").results(Label):
            label.update(self._kind_text())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "entry":
            return
        event.stop()
        if self.saving is not None:
            self.notify("Still saving the previous entry…", severity="warning")
            return
        kind, text = parse_entry(event.value, self.entry_kind)
        if not text:
            return
        self.saving = event.value
        event.input.add_class("-saving")
        self.post_message(EntrySubmitted(kind, text, event.value))

    def entry_saved(self, raw: str) -> None:
        """Durable: clear the line (unless the person already typed something else)."""
        entry = self.query_one("#entry", EntryInput)
        if entry.value == raw:
            entry.value = ""
        self.entry_kind = EntryKind.NOTE
        self.show_kind()
        self.saving = None
        entry.remove_class("-saving")

    def entry_failed(self) -> None:
        """Not saved: the typed text stays in the line so nothing is lost."""
        self.saving = None
        self.query_one("#entry", EntryInput).remove_class("-saving")
