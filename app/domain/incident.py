"""An incident's state is a fold over its events; nothing here mutates the log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from app.domain.events import EventType, Milestone, Status, StoredEvent
from app.domain.text import one_line
from app.domain.timestamps import parse_time


@dataclass
class TimelineItem:
    """One line of the timeline: every event is one, so the timeline is the log."""

    seq: int
    at: datetime
    actor: str
    kind: str
    text: str
    event_type: EventType
    struck: bool = False
    strike_reason: str | None = None
    struck_by: int | None = None


@dataclass(frozen=True)
class RoleAssignment:
    seq: int
    at: datetime
    actor: str
    role: str
    person: str
    previous: str | None


@dataclass(frozen=True)
class ChecklistMark:
    ticked: bool
    at: datetime
    actor: str
    text: str


@dataclass(frozen=True)
class StatusUpdate:
    seq: int
    at: datetime
    actor: str
    text: str
    data: dict[str, Any]


@dataclass
class IncidentState:
    id: str
    title: str = ""
    severity: str = ""
    status: str = Status.INVESTIGATING.value
    """As shown: the configured name (a status no longer configured is shown as stored)."""
    resolved: bool = False
    """The incident is over: a status change stored as 'resolved' (whatever it is called)."""
    opened_at: datetime | None = None
    opened_by: str = ""
    opened_impact: str | None = None
    """The impact given when the incident was opened (a later "Impact:" entry supersedes it)."""
    severity_since: datetime | None = None
    status_since: datetime | None = None
    """When the status last changed (the opening sets the first one)."""
    first_response_at: datetime | None = None
    """The first time a person acted on the incident after it was opened (not an observation)."""
    field_sets: list[tuple[int, str, Any]] = field(default_factory=list)
    """(seq, field, value) of every record field set, in order (see `fields`)."""
    progress_at: list[datetime] = field(default_factory=list)
    """When the response visibly moved: an action or decision entry, a milestone, a status
    change, a ticked checklist item ("no progress in 15m" escalation steps read this)."""
    milestones: dict[Milestone, datetime] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    role_history: list[RoleAssignment] = field(default_factory=list)
    timeline: list[TimelineItem] = field(default_factory=list)
    checklist: dict[str, ChecklistMark] = field(default_factory=dict)
    updates: list[StatusUpdate] = field(default_factory=list)
    deliveries: list[StoredEvent] = field(default_factory=list)
    last_seq: int = 0
    _by_seq: dict[int, TimelineItem] = field(default_factory=dict, repr=False)
    _milestone_source: dict[Milestone, int] = field(default_factory=dict, repr=False)

    @property
    def is_open(self) -> bool:
        return not self.resolved

    @property
    def fields(self) -> dict[str, Any]:
        """The record fields' current values: the latest setting of each that was not corrected."""
        values: dict[str, Any] = {}
        for seq, name, value in self.field_sets:
            item = self._by_seq.get(seq)
            if item is None or not item.struck:
                values[name] = value
        return values

    @property
    def last_update_at(self) -> datetime | None:
        return self.updates[-1].at if self.updates else None

    def elapsed(self, now: datetime):
        end = self.milestones.get(Milestone.RESOLVED) if not self.is_open else None
        return (end or now) - (self.opened_at or now)

    def apply(self, event: StoredEvent) -> None:
        """Fold one more event in. Events must come in sequence order."""
        if event.seq <= self.last_seq:
            return
        self.last_seq = event.seq
        handler = _HANDLERS.get(event.type)
        text = handler(self, event) if handler else None
        item = TimelineItem(
            seq=event.seq,
            at=event.at,
            actor=event.actor,
            kind=str(event.data.get("kind", "event")) if event.type is EventType.ENTRY_ADDED else "event",
            text=text if text is not None else describe(event),
            event_type=event.type,
        )
        self.timeline.append(item)
        self._by_seq[event.seq] = item
        if event.type in _PROGRESS or (event.type is EventType.ENTRY_ADDED and item.kind in _PROGRESS_KINDS):
            self.progress_at.append(event.at)
        if self.first_response_at is None and (
            event.type in _RESPONSE or (event.type is EventType.ENTRY_ADDED and item.kind in _RESPONSE_KINDS)
        ):
            self.first_response_at = event.at
        if event.type in (EventType.MILESTONE_MARKED, EventType.MILESTONE_CORRECTED):
            self._strike_replaced_milestone(event)

    def _strike_replaced_milestone(self, event: StoredEvent) -> None:
        """A corrected milestone strikes the line that set the old time, like an entry correction."""
        milestone = Milestone(event.data["milestone"])
        previous = self._by_seq.get(self._milestone_source.get(milestone, -1))
        if previous is not None and event.type is EventType.MILESTONE_CORRECTED:
            previous.struck = True
            previous.strike_reason = event.data["reason"]
            previous.struck_by = event.seq
        self._milestone_source[milestone] = event.seq

    def struck_by(self, correction_seq: int) -> TimelineItem | None:
        """The item a correction event struck, if any."""
        return next((i for i in reversed(self.timeline) if i.struck_by == correction_seq), None)


def _opened(state: IncidentState, e: StoredEvent) -> None:
    state.title = one_line(e.data["title"])
    state.severity = e.data["severity"]
    state.opened_at = e.at
    state.opened_by = e.actor
    state.opened_impact = str(e.data["impact"]) if e.data.get("impact") else None
    state.severity_since = e.at
    state.status = str(e.data.get("status", Status.INVESTIGATING.value))
    state.status_since = e.at
    if "detected_at" in e.data:
        state.milestones[Milestone.DETECTED] = parse_time(e.data["detected_at"])


def _title(state: IncidentState, e: StoredEvent) -> None:
    state.title = one_line(e.data["title"])


def _severity(state: IncidentState, e: StoredEvent) -> None:
    state.severity = e.data["severity"]
    state.severity_since = e.at


def _status(state: IncidentState, e: StoredEvent) -> None:
    state.resolved = e.data["status"] == Status.RESOLVED
    state.status = str(e.data.get("label") or e.data["status"])
    state.status_since = e.at


def _milestone(state: IncidentState, e: StoredEvent) -> None:
    state.milestones[Milestone(e.data["milestone"])] = parse_time(e.data["at"])


def _role(state: IncidentState, e: StoredEvent) -> str:
    role, person = e.data["role"], e.data["person"]
    previous = state.roles.get(role)
    if person:
        state.roles[role] = person
    else:
        state.roles.pop(role, None)
    state.role_history.append(RoleAssignment(e.seq, e.at, e.actor, role, person, previous))
    if person and previous:
        return f"{role}: {person} (handoff from {previous})"
    if not person and previous:
        return f"{role}: unassigned (was {previous})"
    return describe(e)


def _entry(state: IncidentState, e: StoredEvent) -> str:
    # A record field is set by an entry carrying it (older warroom versions show the note).
    if isinstance(e.data.get(FIELD_KEY), str) and "value" in e.data:
        state.field_sets.append((e.seq, e.data[FIELD_KEY], e.data["value"]))
    return str(e.data["text"])


FIELD_KEY = "field"


def _correction(state: IncidentState, e: StoredEvent) -> None:
    target = state._by_seq.get(int(e.data["target"]))
    if target is not None:
        target.struck = True
        target.strike_reason = e.data["reason"]
        target.struck_by = e.seq


def _tick(state: IncidentState, e: StoredEvent) -> None:
    state.checklist[e.data["item"]] = ChecklistMark(
        e.type is EventType.CHECKLIST_TICKED, e.at, e.actor, e.data["text"]
    )


def _update(state: IncidentState, e: StoredEvent) -> None:
    state.updates.append(StatusUpdate(e.seq, e.at, e.actor, e.data["text"], e.data))


def _delivered(state: IncidentState, e: StoredEvent) -> None:
    state.deliveries.append(e)


_PROGRESS = {EventType.MILESTONE_MARKED, EventType.STATUS_CHANGED, EventType.CHECKLIST_TICKED}
_PROGRESS_KINDS = {"action", "decision"}
# Observations are mostly written by the panes and the escalation ladder: not a person acting.
_RESPONSE = {
    EventType.ROLE_ASSIGNED, EventType.STATUS_CHANGED, EventType.SEVERITY_CHANGED, EventType.MILESTONE_MARKED,
    EventType.CHECKLIST_TICKED, EventType.UPDATE_POSTED, EventType.TITLE_CHANGED,
}
_RESPONSE_KINDS = {"note", "action", "decision", "communication"}

_HANDLERS: dict[EventType, Any] = {
    EventType.OPENED: _opened,
    EventType.TITLE_CHANGED: _title,
    EventType.SEVERITY_CHANGED: _severity,
    EventType.STATUS_CHANGED: _status,
    EventType.MILESTONE_MARKED: _milestone,
    EventType.MILESTONE_CORRECTED: _milestone,
    EventType.ROLE_ASSIGNED: _role,
    EventType.ENTRY_ADDED: _entry,
    EventType.ENTRY_CORRECTED: _correction,
    EventType.CHECKLIST_TICKED: _tick,
    EventType.CHECKLIST_UNTICKED: _tick,
    EventType.UPDATE_POSTED: _update,
    EventType.UPDATE_DELIVERED: _delivered,
}


def describe(e: StoredEvent) -> str:
    """How a non-entry event reads in the timeline."""
    d = e.data
    match e.type:
        case EventType.OPENED:
            return f"Incident opened: {d['title']} ({d['severity']})"
        case EventType.TITLE_CHANGED:
            return f"Title changed to: {d['title']}"
        case EventType.SEVERITY_CHANGED:
            prev = f" (was {d['previous']})" if d.get("previous") else ""
            return f"Severity set to {d['severity']}{prev}"
        case EventType.STATUS_CHANGED:
            return f"Status set to {d.get('label') or d['status']}"
        case EventType.MILESTONE_MARKED:
            return f"Milestone {d['milestone']} at {parse_time(d['at']).strftime('%H:%M:%S')} UTC"
        case EventType.MILESTONE_CORRECTED:
            return f"Milestone {d['milestone']} corrected to {parse_time(d['at']).strftime('%H:%M:%S')} UTC: {d['reason']}"
        case EventType.ROLE_ASSIGNED:
            return f"{d['role']}: {d['person']}" if d["person"] else f"{d['role']}: unassigned"
        case EventType.ENTRY_CORRECTED:
            return f"Correction of #{d['target']}: {d['reason']}"
        case EventType.CHECKLIST_TICKED:
            return f"Checked: {d['text']}"
        case EventType.CHECKLIST_UNTICKED:
            return f"Unchecked: {d['text']}"
        case EventType.UPDATE_POSTED:
            return f"Status update posted: {d['text']}"
        case EventType.UPDATE_DELIVERED:
            result = "delivered" if d["ok"] else f"FAILED ({d.get('error', 'unknown error')})"
            return f"Update #{d['update']} to {d['target']}: {result}"
        case _:
            return str(d.get("text", e.type))


def fold(incident_id: str, events: Iterable[StoredEvent]) -> IncidentState:
    state = IncidentState(id=incident_id)
    for event in events:
        state.apply(event)
    return state
