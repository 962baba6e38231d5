"""The incident store interface. SQLite implements it now; PostgreSQL fits behind it later."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.domain.events import EventType, NewEvent, StoredEvent


@dataclass(frozen=True)
class IncidentSummary:
    id: str
    title: str
    severity: str
    status: str
    opened_at: datetime
    last_seq: int

    @property
    def is_open(self) -> bool:
        return self.status != "resolved"


class IncidentStore(ABC):
    """Append-only incident log. `append` returns only once the event is durable."""

    url: str

    @abstractmethod
    def open_incident(
        self, *, title: str, severity: str, actor: str, at: datetime, id_format: str, extra: dict[str, Any] | None = None
    ) -> StoredEvent:
        """Allocate the next id and append its `incident.opened` event, atomically."""

    @abstractmethod
    def append(self, incident_id: str, event: NewEvent) -> StoredEvent:
        """Durably append one event; raises IncidentNotFound or StoreError."""

    @abstractmethod
    def events(self, incident_id: str, after_seq: int = 0) -> list[StoredEvent]:
        """Events of one incident with seq > after_seq, in order."""

    @abstractmethod
    def incidents(self) -> list[IncidentSummary]:
        """Every incident, newest first."""

    @abstractmethod
    def changed(self) -> bool:
        """Cheap check: did another connection write since the last call?"""

    @abstractmethod
    def close(self) -> None: ...

    def incident(self, incident_id: str) -> IncidentSummary | None:
        return next((i for i in self.incidents() if i.id == incident_id), None)

    def open_incidents(self) -> list[IncidentSummary]:
        return [i for i in self.incidents() if i.is_open]

    def __enter__(self) -> IncidentStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Events that change the columns kept in the incidents table.
SUMMARY_FIELDS = {
    EventType.TITLE_CHANGED: "title",
    EventType.SEVERITY_CHANGED: "severity",
    EventType.STATUS_CHANGED: "status",
}
