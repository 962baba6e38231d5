"""Ticking a checklist item that stands for a milestone offers to mark that milestone.

"Acknowledge the alert" ticked while the acknowledgement countdown still runs was two
records of one fact, one of them missing. The link is data (`milestone:` on a checklist
item, app/config/incident.py), not a guess from the item's words.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from app.config.incident import ChecklistItemDef
from app.domain.events import Milestone
from app.domain.text import one_line
from app.incident import MarkMilestone

if TYPE_CHECKING:
    from app.ui.app import WarroomApp


class MilestoneOfferScreen(ModalScreen[bool]):
    """Yes is the default: the item was just ticked, so the milestone is what was meant;
    a wrong time can be corrected later (m), like any milestone."""

    BINDINGS = [
        Binding("y", "answer(True)", "Mark it", id="offer.yes"),
        Binding("n", "answer(False)", "Not now", id="offer.no"),
        Binding("escape", "answer(False)", "Not now", show=False, id="offer.cancel"),
    ]

    def __init__(self, item_text: str, milestone: Milestone, at: str) -> None:
        super().__init__(classes="prompt")
        self.item_text = item_text
        self.milestone = milestone
        self.at = at

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(f"Mark {self.milestone.value} at {self.at}?"), classes="dialog-title")
            yield Label(Text(f"Ticked: {one_line(self.item_text)}"), classes="dialog-context")
            with Horizontal(id="offer-buttons"):
                yield Button(Text(f"Mark {self.milestone.value} {self.at}"), id="offer-yes", variant="primary")
                yield Button(Text("Not now"), id="offer-no")
            yield Label(Text("Enter/y mark · n/Esc not now · m corrects a milestone later"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#offer-yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "offer-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def linked_milestone(item: ChecklistItemDef, marked: dict[Milestone, datetime]) -> Milestone | None:
    """The milestone ticking `item` should offer, if it has one not yet marked."""
    if item.milestone is None:
        return None
    milestone = Milestone(item.milestone)
    return None if milestone in marked else milestone


def offer_linked_milestone(app: WarroomApp, item: ChecklistItemDef, tick: bool) -> None:
    """After a tick: ask, stating the time; Yes marks the milestone at the moment of the tick."""
    state = app.state
    if not tick or state is None or not state.is_open:
        return
    milestone = linked_milestone(item, state.milestones)
    if milestone is None:
        return
    at = app.clock.now()
    shown = at.astimezone(app.tz).strftime("%H:%M:%S")

    def answered(yes: bool | None) -> None:
        current = app.state
        # Another terminal may have marked it while the question was open.
        if yes and current is not None and milestone not in current.milestones:
            app.flows.submit(MarkMilestone(milestone.value, at))

    app.push_screen(MilestoneOfferScreen(item.text, milestone, shown), answered)
