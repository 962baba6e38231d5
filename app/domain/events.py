"""The incident event vocabulary. Every change to an incident is one of these, appended."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import uuid4


class EventType(StrEnum):
    OPENED = "incident.opened"
    TITLE_CHANGED = "title.changed"
    SEVERITY_CHANGED = "severity.changed"
    STATUS_CHANGED = "status.changed"
    MILESTONE_MARKED = "milestone.marked"
    MILESTONE_CORRECTED = "milestone.corrected"
    ROLE_ASSIGNED = "role.assigned"
    ENTRY_ADDED = "entry.added"
    ENTRY_CORRECTED = "entry.corrected"
    CHECKLIST_TICKED = "checklist.ticked"
    CHECKLIST_UNTICKED = "checklist.unticked"
    UPDATE_POSTED = "update.posted"
    UPDATE_DELIVERED = "update.delivered"


class Status(StrEnum):
    """The default status lifecycle (config `statuses`). A stored status may be any configured
    name; a resolving change always stores `resolved`, with the configured name as `label`."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class Milestone(StrEnum):
    DETECTED = "detected"
    ACKNOWLEDGED = "acknowledged"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"


class EntryKind(StrEnum):
    NOTE = "note"
    ACTION = "action"
    DECISION = "decision"
    OBSERVATION = "observation"
    COMMUNICATION = "communication"


@dataclass(frozen=True)
class NewEvent:
    """An event not yet stored: the store gives it a sequence number once durable.

    `id` is made by the writer, once: a retry after a lost acknowledgement (a network store,
    the offline outbox) sends the same id, and the store keeps the event once."""

    type: EventType
    at: datetime
    actor: str
    data: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: str(uuid4()))


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    incident_id: str
    type: EventType
    at: datetime
    actor: str
    data: dict[str, Any]
    id: str = ""  # the writer's event id; empty for events stored before ids existed

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "type": str(self.type),
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "actor": self.actor,
            "data": self.data,
        }


def _require(data: dict[str, Any], *keys: str) -> None:
    missing = [k for k in keys if k not in data]
    if missing:
        raise ValueError(f"event data is missing {', '.join(missing)}")


_REQUIRED: dict[EventType, tuple[str, ...]] = {
    EventType.OPENED: ("title", "severity"),
    EventType.TITLE_CHANGED: ("title",),
    EventType.SEVERITY_CHANGED: ("severity",),
    EventType.STATUS_CHANGED: ("status",),
    EventType.MILESTONE_MARKED: ("milestone", "at"),
    EventType.MILESTONE_CORRECTED: ("milestone", "at", "reason"),
    EventType.ROLE_ASSIGNED: ("role", "person"),
    EventType.ENTRY_ADDED: ("kind", "text"),
    EventType.ENTRY_CORRECTED: ("target", "reason"),
    EventType.CHECKLIST_TICKED: ("item", "text"),
    EventType.CHECKLIST_UNTICKED: ("item", "text"),
    EventType.UPDATE_POSTED: ("text",),
    EventType.UPDATE_DELIVERED: ("update", "target", "ok"),
}


def validate(event: NewEvent) -> None:
    """Reject malformed events before they reach the log (the log is forever)."""
    etype = EventType(event.type)
    if event.at.tzinfo is None:
        raise ValueError("event time must be timezone-aware")
    _require(event.data, *_REQUIRED[etype])
    data = event.data
    if etype is EventType.STATUS_CHANGED:
        # Any configured name: one line, not blank (it is shown in the strip and exports).
        if not isinstance(data["status"], str) or not data["status"].strip() or not data["status"].isprintable():
            raise ValueError("a status is a name on one line")
    elif etype in (EventType.MILESTONE_MARKED, EventType.MILESTONE_CORRECTED):
        Milestone(data["milestone"])
    elif etype is EventType.ENTRY_ADDED:
        EntryKind(data["kind"])
        if not str(data["text"]).strip():
            raise ValueError("a timeline entry needs text")
    if not event.actor:
        raise ValueError("every event needs an actor")
