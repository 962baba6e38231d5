"""One function per user action in the incident panel, each building the NewEvent to append.

Pure: no store, no UI. The UI decides when; these decide what the event says.
"""

from __future__ import annotations

from datetime import datetime

from app.domain.events import EntryKind, EventType, Milestone, NewEvent, Status

# Typed at the start of an entry line to choose its kind without leaving the keyboard.
KIND_PREFIXES: dict[str, EntryKind] = {
    "!": EntryKind.DECISION,
    ">": EntryKind.ACTION,
    "?": EntryKind.OBSERVATION,
    "~": EntryKind.OBSERVATION,
    "@": EntryKind.COMMUNICATION,
}

KIND_ORDER = [EntryKind.NOTE, EntryKind.ACTION, EntryKind.DECISION, EntryKind.OBSERVATION, EntryKind.COMMUNICATION]


def parse_entry(line: str, default: EntryKind = EntryKind.NOTE) -> tuple[EntryKind, str]:
    """'! roll back' -> (decision, 'roll back'); no prefix -> (default, line)."""
    stripped = line.strip()
    if stripped and stripped[0] in KIND_PREFIXES:
        return KIND_PREFIXES[stripped[0]], stripped[1:].strip()
    return default, stripped


def next_kind(kind: EntryKind) -> EntryKind:
    return KIND_ORDER[(KIND_ORDER.index(kind) + 1) % len(KIND_ORDER)]


def entry_added(text: str, kind: EntryKind | str, actor: str, at: datetime) -> NewEvent:
    return NewEvent(EventType.ENTRY_ADDED, at, actor, {"kind": str(EntryKind(kind)), "text": text})


def entry_corrected(target_seq: int, reason: str, actor: str, at: datetime) -> NewEvent:
    return NewEvent(EventType.ENTRY_CORRECTED, at, actor, {"target": int(target_seq), "reason": reason})


def role_assigned(role: str, person: str, actor: str, at: datetime) -> NewEvent:
    """An empty person unassigns the role; a new person over an old one is a handoff."""
    return NewEvent(EventType.ROLE_ASSIGNED, at, actor, {"role": role, "person": person.strip()})


def severity_changed(severity: str, previous: str | None, actor: str, at: datetime) -> NewEvent:
    data = {"severity": severity}
    if previous:
        data["previous"] = previous
    return NewEvent(EventType.SEVERITY_CHANGED, at, actor, data)


def status_changed(status: Status | str, previous: Status | str | None, actor: str, at: datetime, *, label: str | None = None) -> NewEvent:
    """`label`: the configured name of the resolving status when it is not 'resolved' (the
    stored status is then 'resolved': every store and terminal knows the incident is over)."""
    data = {"status": str(status)}
    if label and label != str(status):
        data["label"] = label
    if previous:
        data["previous"] = str(previous)
    return NewEvent(EventType.STATUS_CHANGED, at, actor, data)


def milestone_marked(milestone: Milestone | str, actor: str, at: datetime) -> NewEvent:
    return NewEvent(EventType.MILESTONE_MARKED, at, actor, {"milestone": str(Milestone(milestone)), "at": at.isoformat()})


def checklist_toggled(item_id: str, text: str, ticked: bool, actor: str, at: datetime) -> NewEvent:
    etype = EventType.CHECKLIST_TICKED if ticked else EventType.CHECKLIST_UNTICKED
    return NewEvent(etype, at, actor, {"item": item_id, "text": text})


def update_posted(text: str, actor: str, at: datetime) -> NewEvent:
    return NewEvent(EventType.UPDATE_POSTED, at, actor, {"text": text})
