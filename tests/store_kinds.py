"""The store kinds the contract suite (tests/foundation/test_store_contract.py) runs against.

Each test gets a store of its own: a fresh SQLite file, or a fresh schema on the session's
PostgreSQL, so tests never see each other's incidents."""

from __future__ import annotations

from pathlib import Path

from app.store import IncidentStore, open_store


class SQLiteKind:
    name = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"

    def open(self, read_only: bool = False) -> IncidentStore:
        return open_store(self.url, read_only=read_only)

    def exists(self) -> bool:
        return self.path.exists()
