"""What the incident session posts back to its front end: small, immutable, UI-free.

The TUI wraps each in one Textual message (app/ui/session_messages.py); tests can assert
on them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.domain.escalation import DueEscalation
from app.domain.events import StoredEvent
from app.domain.incident import IncidentState
from app.incident.commands import Command
from app.notify import DeliveryResult
from app.store.base import IncidentSummary, Presence


@dataclass(frozen=True)
class IncidentsListed:
    summaries: list[IncidentSummary]
    purpose: str
    """Why they were asked for ('start', 'switch'): the front end decides what to show."""


@dataclass(frozen=True)
class IncidentLoaded:
    state: IncidentState
    """A copy the receiver owns: the session never touches it again."""


@dataclass(frozen=True)
class EventsAppended:
    incident_id: str
    events: list[StoredEvent]
    """In sequence order, ours and other writers' alike, each exactly once."""


@dataclass(frozen=True)
class CommandDone:
    ticket: int
    command: Command
    events: list[StoredEvent]


@dataclass(frozen=True)
class CommandFailed:
    ticket: int
    command: Command
    reason: str
    rejected: bool = False
    """True when the command did not fit the incident (nothing to retry); False when the
    store failed (the same command may work again)."""


@dataclass(frozen=True)
class OpenFailed:
    title: str
    severity: str
    reason: str


@dataclass(frozen=True)
class StoreFailed:
    what: str
    reason: str


@dataclass(frozen=True)
class UpdateDelivered:
    incident_id: str
    update_seq: int
    results: list[DeliveryResult]


@dataclass(frozen=True)
class UpdateFailed:
    incident_id: str
    text: str
    template: str | None
    reason: str
    """The update was not recorded: the front end gives the text back to be posted again."""
    audience: str = "internal"


@dataclass(frozen=True)
class DeliveriesRetried:
    incident_id: str
    results: list[tuple[int, DeliveryResult]]


@dataclass(frozen=True)
class EscalationsLogged:
    incident_id: str
    steps: list[DueEscalation] = field(default_factory=list)


@dataclass(frozen=True)
class Exported:
    incident_id: str
    fmt: str
    path: Path


@dataclass(frozen=True)
class CommandQueued:
    ticket: int
    command: Command
    waiting: int
    """The store is out of reach: the command's events are in the local outbox (on disk), and
    CommandDone follows once the store has them."""


@dataclass(frozen=True)
class UpdateQueued:
    incident_id: str
    waiting: int
    """The update is in the outbox: recorded and sent to its targets once the store is back."""


@dataclass(frozen=True)
class StoreOffline:
    since: datetime
    waiting: int
    reason: str
    """Said when the store goes out of reach and whenever the count waiting changes."""


@dataclass(frozen=True)
class StoreBack:
    sent: int
    """Everything waiting has reached the store (`sent` events), in the order typed."""


@dataclass(frozen=True)
class PresenceSeen:
    incident_id: str
    present: list[Presence]
    """The terminals on this incident now, said when the list changes."""


SessionResult = (
    IncidentsListed | IncidentLoaded | EventsAppended | CommandDone | CommandFailed | OpenFailed | StoreFailed
    | UpdateDelivered | UpdateFailed | DeliveriesRetried | EscalationsLogged | Exported
    | CommandQueued | UpdateQueued | StoreOffline | StoreBack | PresenceSeen
)
