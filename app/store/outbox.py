"""The offline outbox: what was typed while the incident store could not be reached.

A SQLite file in the user's state dir, written with synchronous=FULL, so an entry typed while
the shared PostgreSQL store is down survives a crash or kill -9 of the terminal. Each event
keeps the id it was made with; the store keeps an id once, so sending an event again after a
lost acknowledgement (or after a crash between "stored" and "removed from the outbox") never
doubles it.

One file serves every store this user works with: rows are keyed by a hash of the store's URL
(never the URL itself, which may hold a password).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from app.domain.events import EventType, NewEvent
from app.domain.timestamps import format_time, parse_time
from app.errors import StoreError
from app.store.base import IncidentStore

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    store_key TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    data TEXT NOT NULL,
    refused TEXT
);
CREATE INDEX IF NOT EXISTS outbox_by_store ON outbox (store_key, position);
"""


def default_outbox_path() -> Path:
    return platformdirs.user_state_path("warroom") / "outbox.db"


def store_key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Queued:
    position: int
    incident_id: str
    event: NewEvent


class Outbox:
    """Durable, ordered queue of events for one store. Thread-safe."""

    def __init__(self, path: Path, store_url: str) -> None:
        self.path = path
        self.key = store_key(store_url)
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{path}: cannot open the offline outbox: {exc}") from None

    def put(self, incident_id: str, events: list[NewEvent]) -> None:
        """Returns once the events are on disk, in this order, after everything queued before."""
        rows = [
            (self.key, incident_id, e.id, str(e.type), format_time(e.at), e.actor,
             json.dumps(e.data, ensure_ascii=False, separators=(",", ":"), default=str))
            for e in events
        ]
        with self._lock:
            try:
                with self._conn:
                    self._conn.execute("BEGIN IMMEDIATE")
                    self._conn.executemany(
                        "INSERT INTO outbox (store_key, incident_id, event_id, type, at, actor, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        rows,
                    )
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: cannot keep the entry in the offline outbox: {exc}") from None

    def pending(self) -> list[Queued]:
        """Everything still to send to this store, oldest first (refused events excluded)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT position, incident_id, event_id, type, at, actor, data FROM outbox"
                " WHERE store_key = ? AND refused IS NULL ORDER BY position",
                (self.key,),
            ).fetchall()
        return [
            Queued(position, incident_id, NewEvent(EventType(etype), parse_time(at), actor, json.loads(data), event_id))
            for position, incident_id, event_id, etype, at, actor, data in rows
        ]

    def count(self) -> int:
        with self._lock:
            return self._conn.execute(
                "SELECT count(*) FROM outbox WHERE store_key = ? AND refused IS NULL", (self.key,)
            ).fetchone()[0]

    def sent(self, position: int) -> None:
        """The store has it: forget it."""
        with self._lock:
            self._conn.execute("DELETE FROM outbox WHERE position = ?", (position,))

    def refuse(self, position: int, reason: str) -> None:
        """The store will never take it (the incident is gone): kept, out of the queue, for a person."""
        with self._lock:
            self._conn.execute("UPDATE outbox SET refused = ? WHERE position = ?", (reason[:500], position))

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def outbox_for(store: IncidentStore) -> Outbox | None:
    """A store across a network (one that pushes changes: PostgreSQL) can be out of reach, so
    it gets an outbox; a local SQLite file cannot, and writes to it fail loudly instead."""
    if not store.pushes_changes:
        return None
    try:
        return Outbox(default_outbox_path(), store.url)
    except StoreError as exc:
        log.warning("no offline outbox: %s", exc)
        return None
