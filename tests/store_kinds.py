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


class PostgresKind:
    """A schema of the test's own on the session's server, dropped afterwards."""

    name = "postgresql"

    def __init__(self, dsn: str) -> None:
        import uuid

        self.dsn = dsn
        self.schema = f"t_{uuid.uuid4().hex[:12]}"
        self.url = with_schema(dsn, self.schema)

    def open(self, read_only: bool = False) -> IncidentStore:
        return open_store(self.url, read_only=read_only)

    def exists(self) -> bool:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            return conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.schema,)).fetchone() is not None

    def drop(self) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema)))


def with_schema(dsn: str, schema: str) -> str:
    """The DSN (URL or key=value) naming a warroom schema."""
    if dsn.startswith(("postgresql://", "postgres://")):
        return f"{dsn}{'&' if '?' in dsn else '?'}warroom_schema={schema}"
    return f"{dsn} warroom_schema={schema}"
