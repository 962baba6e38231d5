"""Shared set-up for the TUI benchmarks: a real SQLite file with one big open incident."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.config import Config
from app.domain import actions
from app.domain.clock import FrozenClock
from app.store.sqlite import SQLiteStore

START = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


def seed(db: Path, entries: int) -> None:
    """Bulk insert (one transaction) so seeding 10,000 entries takes seconds, not minutes."""
    with SQLiteStore(db) as store:
        inc = store.open_incident(title="Benchmark incident", severity="SEV2", actor="bench", at=START, id_format="INC-{year}-{seq:03d}").incident_id
        events = [
            actions.entry_added(f"entry {i}: something happened", "note", "bench", START + timedelta(seconds=i))
            for i in range(entries)
        ]
        store._write(lambda conn: [store._insert(conn, inc, e) for e in events])


def config() -> Config:
    return Config(operator="bench", timezone="UTC")


def clock() -> FrozenClock:
    return FrozenClock(START + timedelta(hours=3))
