"""The SQLite store's schema: its versions, the forward migrations, and the look at an existing
file before anything is written to it.

v1: incidents + events, seq a file-wide rowid.
v2: events keyed by (incident_id, seq) so a copied incident keeps its seqs (PostgreSQL counts
    per incident: a file-wide key would collide), a writer-made `event_id` under a unique
    index (retries are kept once; rows from v1 have none), and `presence`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.errors import StoreError
from app.store.sqlite_files import ReadConnection, read_header

APPLICATION_ID = 0x5752_4D31  # "WRM1": marks a file as warroom's

MIGRATIONS: list[str] = [
    # v1
    """
    CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        year INTEGER NOT NULL,
        n INTEGER NOT NULL,
        opened_at TEXT NOT NULL,
        title TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL,
        last_seq INTEGER NOT NULL DEFAULT 0,
        UNIQUE (year, n)
    );
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        incident_id TEXT NOT NULL REFERENCES incidents(id),
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX events_by_incident ON events (incident_id, seq);
    """,
    # v2: the table is rebuilt because SQLite cannot change a primary key in place; every
    # seq is kept, so entry numbers and corrections that point at them stay right.
    """
    CREATE TABLE events_v2 (
        incident_id TEXT NOT NULL REFERENCES incidents(id),
        seq INTEGER NOT NULL,
        event_id TEXT,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (incident_id, seq)
    );
    INSERT INTO events_v2 (incident_id, seq, event_id, type, at, actor, data)
        SELECT incident_id, seq, NULL, type, at, actor, data FROM events ORDER BY seq;
    DROP TABLE events;
    ALTER TABLE events_v2 RENAME TO events;
    CREATE UNIQUE INDEX events_by_event_id ON events (event_id) WHERE event_id IS NOT NULL AND event_id <> '';
    CREATE TABLE presence (
        terminal TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL,
        operator TEXT NOT NULL,
        seen_at TEXT NOT NULL
    );
    CREATE INDEX presence_by_incident ON presence (incident_id, seen_at);
    """,
]

KNOWN_VERSION = len(MIGRATIONS)


def inspect_existing(path: Path, busy_timeout: float) -> int:
    """Check a file is a warroom database we can use, without writing a byte to it; its
    schema version (0 for an empty file)."""
    if not read_header(path):
        return 0  # an empty file is a new database
    reader = ReadConnection(path, busy_timeout)
    try:
        for attempt in range(3):
            try:
                conn = reader.conn
                app_id = conn.execute("PRAGMA application_id").fetchone()[0]
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if app_id == APPLICATION_ID:
                    conn.execute("SELECT count(*) FROM incidents").fetchone()
            except sqlite3.DatabaseError as exc:
                # A writer checkpointing under a lock-free reader looks like damage: look again.
                if attempt < 2 and reader.changed_underneath():
                    reader.reopen()
                    continue
                raise StoreError(f"{path}: incident store is unreadable ({exc}); left untouched") from None
            break
    finally:
        reader.close()
    if app_id != APPLICATION_ID and tables:
        raise StoreError(f"{path}: a SQLite database that is not warroom's; left untouched")
    if version > KNOWN_VERSION:
        raise StoreError(f"{path}: written by a newer warroom (schema v{version}, this one knows v{KNOWN_VERSION}); nothing was written")
    return int(version)


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the file to KNOWN_VERSION in one transaction: a crash mid-way leaves the old schema."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version >= KNOWN_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            for statement in filter(str.strip, script.split(";")):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {int(number)}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])
