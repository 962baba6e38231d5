"""SQLite store: WAL + synchronous=FULL, one file, safe for several processes at once."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.domain.text import clean_data, one_line
from app.domain.events import EventType, NewEvent, StoredEvent, validate
from app.domain.timestamps import format_time, parse_time
from app.errors import IncidentNotFound, StoreError
from app.store.base import SUMMARY_FIELDS, IncidentStore, IncidentSummary
from app.store.sqlite_files import ReadConnection, check_store_path, no_space_left, read_header, recovery_hint

APPLICATION_ID = 0x5752_4D31  # "WRM1": marks a file as warroom's
BUSY_TIMEOUT_MS = 10_000

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
]


def _inspect_existing(path: Path, busy_timeout: float) -> None:
    """Check a file is a warroom database we can use, without writing a byte to it."""
    if not read_header(path):
        return  # an empty file is a new database
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
    if version > len(MIGRATIONS):
        raise StoreError(f"{path}: written by a newer warroom (schema v{version}, this one knows v{len(MIGRATIONS)})")


class SQLiteStore(IncidentStore):
    """read_only=True never creates, migrates or writes anything (not even -wal/-shm files
    where it can help it) and its write methods raise StoreError; a missing file reads as
    an empty store. The default opens for writing and refuses a damaged file."""

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = BUSY_TIMEOUT_MS / 1000, read_only: bool = False) -> None:
        self.busy_timeout = busy_timeout
        self.path = Path(path).expanduser()
        self.url = f"sqlite:///{self.path}"
        self.read_only = read_only
        self._lock = threading.RLock()
        self._reader: ReadConnection | None = None
        exists = check_store_path(self.path) is not None
        if read_only:
            self._open_for_reading(exists)
            return
        if exists:
            _inspect_existing(self.path, busy_timeout)
            # A file with no write bits was made read-only on purpose: respect that even as root.
            marked_read_only = self.path.stat().st_mode & 0o222 == 0
            if marked_read_only or not os.access(self.path, os.W_OK) or not os.access(self.path.parent, os.W_OK):
                raise StoreError(f"{self.path}: incident store is read-only (need write access to the file and its folder)")
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{self.path.parent}: cannot create store folder: {exc.strerror or exc}") from None
        if no_space_left(self.path):
            # Checked first: SQLite would leave -wal/-shm stubs behind on a full disk.
            raise StoreError(f"{self.path}: cannot write: no space left on the disk; reading still works (incident list, export)")
        try:
            self._conn = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open incident store: {exc}") from None
        try:
            if exists:
                self._refuse_if_damaged()
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
            self._data_version = self._read_data_version()
        except sqlite3.OperationalError as exc:
            self._conn.close()
            raise StoreError(f"{self.path}: cannot open incident store: {_explain(exc, self.busy_timeout, self.path)}") from None
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"{self.path}: incident store is unreadable ({exc}); nothing was written; {recovery_hint(self.path)}") from None

    def _refuse_if_damaged(self) -> None:
        """Before the first write: appending to a damaged file can spread the damage, and
        the events already there are the record. Costs a few ms for a typical store."""
        rows = self._conn.execute("PRAGMA quick_check(5)").fetchall()
        if rows != [("ok",)]:
            first = str(rows[0][0]).splitlines()[0][:120] if rows else "no answer"
            self._conn.close()
            raise StoreError(
                f"{self.path}: incident store is damaged (quick_check: {first}); nothing was written; "
                f"{recovery_hint(self.path)}"
            )

    def _open_for_reading(self, exists: bool) -> None:
        if exists and read_header(self.path):
            _inspect_existing(self.path, self.busy_timeout)
            self._reader = ReadConnection(self.path, self.busy_timeout)
            self._conn = self._reader.conn
        else:
            # Nothing recorded yet: an empty in-memory store, so `list` says so and creates nothing.
            self._conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            self._migrate()
        self._data_version = self._read_data_version()

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version >= len(MIGRATIONS):
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in filter(str.strip, script.split(";")):
                    self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {int(number)}")
            self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def _read_data_version(self) -> int:
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    def _write(self, fn):
        if self.read_only:
            raise StoreError(f"{self.path}: the incident store was opened read-only; nothing was written")
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(f"{self.path}: cannot write: {_explain(exc, self.busy_timeout, self.path)}") from None
            try:
                result = fn(self._conn)
                self._conn.execute("COMMIT")
                return result
            except BaseException as exc:
                try:
                    self._conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                if isinstance(exc, sqlite3.OperationalError):
                    raise StoreError(f"{self.path}: cannot write: {_explain(exc, self.busy_timeout, self.path)}") from None
                if isinstance(exc, sqlite3.DatabaseError):
                    raise StoreError(f"{self.path}: incident store is damaged ({exc}); nothing was written; {recovery_hint(self.path)}") from None
                raise

    def open_incident(self, *, title, severity, actor, at, id_format, extra=None) -> StoredEvent:
        data = {"title": title, "severity": severity, "status": "investigating", **(extra or {})}
        event = NewEvent(EventType.OPENED, at, actor, data)
        validate(event)
        year = at.astimezone(UTC).year

        def tx(conn: sqlite3.Connection) -> StoredEvent:
            n = conn.execute("SELECT coalesce(max(n), 0) + 1 FROM incidents WHERE year = ?", (year,)).fetchone()[0]
            incident_id = id_format.format(year=year, seq=n)
            while conn.execute("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)).fetchone():
                n += 1
                incident_id = id_format.format(year=year, seq=n)
            conn.execute(
                "INSERT INTO incidents (id, year, n, opened_at, title, severity, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (incident_id, year, n, format_time(at), title, severity, "investigating"),
            )
            return self._insert(conn, incident_id, event)

        return self._write(tx)

    def append(self, incident_id: str, event: NewEvent) -> StoredEvent:
        validate(event)

        def tx(conn: sqlite3.Connection) -> StoredEvent:
            if not conn.execute("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)).fetchone():
                raise IncidentNotFound(f"no incident {incident_id!r} in {self.path}")
            stored = self._insert(conn, incident_id, event)
            column = SUMMARY_FIELDS.get(event.type)
            if column:
                # column comes from a fixed mapping, never from input
                conn.execute(f"UPDATE incidents SET {column} = ? WHERE id = ?", (event.data[column], incident_id))
            return stored

        return self._write(tx)

    def _insert(self, conn: sqlite3.Connection, incident_id: str, event: NewEvent) -> StoredEvent:
        payload = json.dumps(event.data, ensure_ascii=False, separators=(",", ":"), default=str)
        cur = conn.execute(
            "INSERT INTO events (incident_id, type, at, actor, data) VALUES (?, ?, ?, ?, ?)",
            (incident_id, str(event.type), format_time(event.at), event.actor, payload),
        )
        seq = cur.lastrowid
        assert seq is not None, "an INSERT into a rowid table always sets lastrowid"
        conn.execute("UPDATE incidents SET last_seq = ? WHERE id = ?", (seq, incident_id))
        return StoredEvent(seq, incident_id, EventType(event.type), event.at.astimezone(UTC), one_line(event.actor), clean_data(json.loads(payload)))

    def events(self, incident_id: str, after_seq: int = 0) -> list[StoredEvent]:
        with self._lock:
            rows = self._read(
                "SELECT seq, incident_id, type, at, actor, data FROM events WHERE incident_id = ? AND seq > ? ORDER BY seq",
                (incident_id, after_seq),
            )
        return [_row_to_event(row) for row in rows]

    def incidents(self) -> list[IncidentSummary]:
        with self._lock:
            rows = self._read(
                "SELECT id, title, severity, status, opened_at, last_seq FROM incidents ORDER BY opened_at DESC, n DESC"
            )
        # Titles come from whoever wrote the store: shown safely wherever they are read.
        return [IncidentSummary(r[0], one_line(r[1]), one_line(r[2]), r[3], parse_time(r[4]), r[5]) for r in rows]

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        for attempt in range(3):
            try:
                rows = self._conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                if self._reread_after_change():
                    continue
                raise StoreError(f"{self.path}: cannot read: {_explain(exc, self.busy_timeout, self.path)}") from None
            except sqlite3.DatabaseError as exc:
                if self._reread_after_change():
                    continue
                raise StoreError(f"{self.path}: incident store is damaged ({exc}); {recovery_hint(self.path)}") from None
            if not self._reread_after_change():
                return rows
        raise StoreError(f"{self.path}: cannot read: the file kept changing while being read")

    def _reread_after_change(self) -> bool:
        """For an immutable reader: a writer touched the file, so reopen and read again."""
        if self._reader is None or not self._reader.changed_underneath():
            return False
        self._reader.reopen()
        self._conn = self._reader.conn
        return True

    def changed(self) -> bool:
        with self._lock:
            if self._reread_after_change():
                self._data_version = self._read_data_version()
                return True
            version = self._read_data_version()
            if version != self._data_version:
                self._data_version = version
                return True
            return False

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _row_to_event(row: tuple[Any, ...]) -> StoredEvent:
    seq, incident_id, etype, at, actor, data = row
    # Another client may have written control characters: they never leave the store raw.
    return StoredEvent(seq, incident_id, EventType(etype), parse_time(at), one_line(actor), clean_data(json.loads(data)))


def _explain(exc: sqlite3.OperationalError, busy_timeout: float, path: Path) -> str:
    text = str(exc)
    if "full" in text or "I/O" in text or "disk" in text:
        if no_space_left(path):
            return f"no space left on the disk ({text}); reading still works (incident list, export)"
    if "locked" in text or "busy" in text:
        return f"locked by another process for over {busy_timeout:g}s ({text})"
    if "readonly" in text:
        return f"read-only ({text})"
    return text

