"""The dashboard under test: a fixed config, a frozen clock, a real SQLite store, and one
settle() that waits for workers and the incident session alike."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from app.config import Config
from app.domain.clock import FrozenClock
from app.store.sqlite import SQLiteStore
from app.ui.app import WarroomApp

START = datetime(2026, 3, 14, 9, 0, 0, tzinfo=UTC)


def make_config(**overrides) -> Config:
    # Fixed operator and zone: snapshots must not depend on the OS user or the machine.
    return Config(operator="alice", timezone="UTC", **overrides)


class RecordingApp(WarroomApp):
    """The real app; only the terminal bell is counted instead of written."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.bells = 0

    def bell(self) -> None:
        self.bells += 1


def make_app(db: Path, clock: FrozenClock | None = None, config: Config | None = None) -> RecordingApp:
    return RecordingApp(config or make_config(), SQLiteStore(db), clock or FrozenClock(START))


async def settle(app: WarroomApp, pilot) -> None:
    """Let workers and the incident session finish, and their messages be handled."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await asyncio.to_thread(app.session.drain)
        await pilot.pause()
