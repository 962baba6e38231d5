"""The incident store interface: SQLite (one file, the default) and PostgreSQL (a team's shared
store) implement it, and one contract test suite runs against both."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.domain.events import EventType, NewEvent, StoredEvent
from app.store.file_watch import FolderWatch


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


@dataclass(frozen=True)
class Presence:
    """One terminal on an incident, as of its last heartbeat."""

    operator: str
    terminal: str  # a random id per running warroom, so one person on two machines counts twice
    seen_at: datetime


@dataclass(frozen=True)
class StoreCheck:
    """What `warroom store check` says: which store, its schema, what this login may do."""

    kind: str  # "sqlite" | "postgresql"
    where: str  # the URL with any password removed
    schema_version: int
    known_version: int  # the newest schema this warroom knows
    can_read: bool
    can_write: bool
    detail: str = ""  # one line: why not, or what else to know


PRESENCE_TTL_SECONDS = 30.0


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
        """Durably append one event; raises IncidentNotFound or StoreError. Idempotent on
        `event.id`: appending an id the store already holds returns the stored event and
        writes nothing (a retry after a lost acknowledgement); the same id on another
        incident raises StoreError. Seqs count per incident from 1 without gaps (a SQLite
        file from before schema v2 keeps its older, file-wide seqs). StoreUnreachable (a
        StoreError) means the store could not be reached: retry with the same event."""

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

    # --- live sync, presence, moving between stores ------------------------------------------
    #: True when `wait_for_change` wakes as soon as another writer commits (PostgreSQL
    #: LISTEN/NOTIFY); False when it can only poll (SQLite), so a front end polls `changed()`.
    pushes_changes: bool = False

    def change_hint(self) -> object | None:
        """A look at the store without asking it (no query, no lock; any thread): when two
        looks differ, another writer may have committed in between. None: no such look."""
        return None

    def watch_files(self) -> FolderWatch | None:
        """Something to sleep on until the store's files are written (see file_watch.py), or
        None: then a poller looks on a timer."""
        return None

    def wait_for_change(self, timeout: float) -> bool:
        """Block up to `timeout` s until another writer may have appended; True if so. Safe to
        call from a thread of its own while other threads use the store. True may be a
        "maybe" (after listening again following a lost connection): catch up by seq.
        This store's own writes do not count, as with `changed()`."""
        import time

        time.sleep(timeout)
        return self.changed()

    @abstractmethod
    def heartbeat(self, incident_id: str, operator: str, terminal: str, at: datetime) -> None:
        """Say this terminal is on this incident now (upsert by terminal; not an event)."""

    @abstractmethod
    def present(self, incident_id: str, now: datetime, ttl: float = PRESENCE_TTL_SECONDS) -> list[Presence]:
        """Terminals whose last heartbeat on this incident is within `ttl` s of `now`, by
        operator. Times are the terminals' own clocks, so machines should keep NTP time."""

    @abstractmethod
    def copy_in(self, summary: IncidentSummary, events: list[StoredEvent]) -> int:
        """Store another store's incident with its id, seqs and event ids kept; returns how many
        events were new. Copying again adds only what is missing; an incident with the same id
        but different events, or an event id held by another incident, raises StoreError and
        writes nothing. No events: nothing is created."""

    @abstractmethod
    def check(self) -> StoreCheck:
        """Which store this is, its schema version, and whether this login can read and write."""

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
