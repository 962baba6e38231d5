"""An incident opened in a real SQLite store at a frozen time, for tests of what the core
and the domain make of the events that follow."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from app.domain.clock import FrozenClock
from app.domain.events import EventType, NewEvent
from app.store.sqlite import SQLiteStore


@contextmanager
def opened_incident(path: Path, *, at: datetime, severity: str = "SEV1", title: str = "t",
                    actor: str = "a") -> Iterator[tuple[SQLiteStore, str, FrozenClock]]:
    store = SQLiteStore(path)
    try:
        iid = store.open_incident(title=title, severity=severity, actor=actor, at=at, id_format="INC-{year}-{seq:03d}").incident_id
        yield store, iid, FrozenClock(at)
    finally:
        store.close()


def append(store: SQLiteStore, iid: str, clock: FrozenClock, etype: EventType, actor: str = "a", **data) -> None:
    """One event at the clock's time, as a front end would write it."""
    store.append(iid, NewEvent(etype, clock.now(), actor, data))
