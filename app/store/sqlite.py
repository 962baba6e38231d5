"""SQLite store: WAL + synchronous=FULL, one file, safe for several processes at once."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from app.domain.events import EventType, NewEvent, StoredEvent, validate
from app.domain.text import clean_data, one_line
from app.domain.timestamps import format_time, parse_time
from app.errors import IncidentNotFound, StoreError
from app.store.base import PRESENCE_TTL_SECONDS, SUMMARY_FIELDS, IncidentStore, IncidentSummary, Presence, StoreCheck
from app.store.file_watch import FolderWatch, watch_folder
from app.store.copying import missing_events, number_in_id, summary_after
from app.store.sqlite_files import ReadConnection, check_store_path, no_space_left, read_header, recovery_hint
from app.store.sqlite_schema import KNOWN_VERSION, inspect_existing, migrate, schema_version

BUSY_TIMEOUT_MS = 10_000
# A terminal's presence row is kept this long after its last heartbeat, then swept.
PRESENCE_KEPT = timedelta(days=1)
_EVENT_COLUMNS = "seq, incident_id, type, at, actor, data, event_id"
_EVENT_COLUMNS_V1 = "seq, incident_id, type, at, actor, data, '' AS event_id"

T = TypeVar("T")


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
        self._version = KNOWN_VERSION  # a read-only open of an older file reads it as it is
        exists = check_store_path(self.path) is not None
        if read_only:
            self._open_for_reading(exists)
            return
        if exists:
            inspect_existing(self.path, busy_timeout)
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
            migrate(self._conn)
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
            inspect_existing(self.path, self.busy_timeout)
            self._reader = ReadConnection(self.path, self.busy_timeout)
            self._conn = self._reader.conn
            self._version = schema_version(self._conn)
        else:
            # Nothing recorded yet: an empty in-memory store, so `list` says so and creates nothing.
            self._conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            migrate(self._conn)
        self._data_version = self._read_data_version()

    def _read_data_version(self) -> int:
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
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
                (incident_id, year, n, format_time(at), title, severity, str(data["status"])),  # the config's first status
            )
            return self._insert(conn, incident_id, event)

        return self._write(tx)

    def append(self, incident_id: str, event: NewEvent) -> StoredEvent:
        validate(event)

        def tx(conn: sqlite3.Connection) -> StoredEvent:
            if not conn.execute("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)).fetchone():
                raise IncidentNotFound(f"no incident {incident_id!r} in {self.path}")
            held = self._held(conn, event.id, incident_id)
            if held is not None:
                return held  # a retry whose first attempt was saved: keep it once
            stored = self._insert(conn, incident_id, event)
            column = SUMMARY_FIELDS.get(event.type)
            if column:
                # column comes from a fixed mapping, never from input
                conn.execute(f"UPDATE incidents SET {column} = ? WHERE id = ?", (event.data[column], incident_id))
            return stored

        return self._write(tx)

    def _held(self, conn: sqlite3.Connection, event_id: str, incident_id: str) -> StoredEvent | None:
        if not event_id:
            return None
        row = conn.execute(f"SELECT {_EVENT_COLUMNS} FROM events WHERE event_id = ?", (event_id,)).fetchone()
        if row is None:
            return None
        if row[1] != incident_id:
            raise StoreError(f"event {one_line(event_id)} is already stored in {one_line(row[1])}, not {incident_id}; nothing was written")
        return _row_to_event(row)

    def _insert(self, conn: sqlite3.Connection, incident_id: str, event: NewEvent) -> StoredEvent:
        payload = json.dumps(event.data, ensure_ascii=False, separators=(",", ":"), default=str)
        # Seqs count per incident (as on PostgreSQL); the write lock makes last_seq + 1 safe.
        conn.execute("UPDATE incidents SET last_seq = last_seq + 1 WHERE id = ?", (incident_id,))
        seq = conn.execute("SELECT last_seq FROM incidents WHERE id = ?", (incident_id,)).fetchone()[0]
        conn.execute(
            "INSERT INTO events (incident_id, seq, event_id, type, at, actor, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (incident_id, seq, event.id or None, str(event.type), format_time(event.at), event.actor, payload),
        )
        return StoredEvent(
            seq, incident_id, EventType(event.type), event.at.astimezone(UTC), one_line(event.actor), clean_data(json.loads(payload)), one_line(event.id)
        )

    def events(self, incident_id: str, after_seq: int = 0) -> list[StoredEvent]:
        with self._lock:
            columns = _EVENT_COLUMNS if self._version >= 2 else _EVENT_COLUMNS_V1
            rows = self._read(f"SELECT {columns} FROM events WHERE incident_id = ? AND seq > ? ORDER BY seq", (incident_id, after_seq))
        return [_row_to_event(row) for row in rows]

    # --- presence ---------------------------------------------------------------------------
    def heartbeat(self, incident_id: str, operator: str, terminal: str, at: datetime) -> None:
        def tx(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO presence (terminal, incident_id, operator, seen_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (terminal) DO UPDATE SET incident_id = excluded.incident_id, "
                "operator = excluded.operator, seen_at = excluded.seen_at",
                (terminal, incident_id, operator, format_time(at)),
            )
            conn.execute("DELETE FROM presence WHERE seen_at < ?", (format_time(at - PRESENCE_KEPT),))

        self._write(tx)

    def present(self, incident_id: str, now: datetime, ttl: float = PRESENCE_TTL_SECONDS) -> list[Presence]:
        if self._version < 2:
            return []  # an older file opened read-only has no presence yet
        with self._lock:
            rows = self._read(
                "SELECT operator, terminal, seen_at FROM presence WHERE incident_id = ? AND seen_at >= ? ORDER BY operator, terminal",
                (incident_id, format_time(now - timedelta(seconds=ttl))),
            )
        return [Presence(one_line(r[0]), one_line(r[1]), parse_time(r[2])) for r in rows]

    # --- moving between stores ----------------------------------------------------------------
    def copy_in(self, summary: IncidentSummary, events: list[StoredEvent]) -> int:
        if not events:
            return 0  # an incident is copied with its opening event or not at all

        def tx(conn: sqlite3.Connection) -> int:
            rows = conn.execute(f"SELECT {_EVENT_COLUMNS} FROM events WHERE incident_id = ? ORDER BY seq", (summary.id,)).fetchall()
            existing = [_row_to_event(r) for r in rows]
            new = missing_events(summary, events, existing)
            for event in new:
                if event.id:
                    self._held(conn, event.id, summary.id)  # the same id on another incident: refuse
            if not conn.execute("SELECT 1 FROM incidents WHERE id = ?", (summary.id,)).fetchone():
                self._insert_incident_row(conn, summary)
            for e in new:
                payload = json.dumps(e.data, ensure_ascii=False, separators=(",", ":"), default=str)
                conn.execute(
                    "INSERT INTO events (incident_id, seq, event_id, type, at, actor, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (summary.id, e.seq, e.id or None, str(e.type), format_time(e.at), e.actor, payload),
                )
            if new:
                columns = summary_after(summary, existing + new)
                conn.execute(
                    "UPDATE incidents SET title = ?, severity = ?, status = ?, last_seq = max(last_seq, ?) WHERE id = ?",
                    (columns["title"], columns["severity"], columns["status"], max(e.seq for e in new), summary.id),
                )
            return len(new)

        return self._write(tx)

    def _insert_incident_row(self, conn: sqlite3.Connection, summary: IncidentSummary) -> None:
        year = summary.opened_at.astimezone(UTC).year
        n = number_in_id(summary.id)
        if n is None or conn.execute("SELECT 1 FROM incidents WHERE year = ? AND n = ?", (year, n)).fetchone():
            n = conn.execute("SELECT coalesce(max(n), 0) + 1 FROM incidents WHERE year = ?", (year,)).fetchone()[0]
        conn.execute(
            "INSERT INTO incidents (id, year, n, opened_at, title, severity, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (summary.id, year, n, format_time(summary.opened_at), summary.title, summary.severity, summary.status),
        )

    def check(self) -> StoreCheck:
        exists = check_store_path(self.path) is not None
        version = inspect_existing(self.path, self.busy_timeout) if exists else 0
        notes = []
        if not exists:
            notes.append("no file yet: the first write creates it")
            folder = next((p for p in [self.path.parent, *self.path.parent.parents] if p.exists()), self.path.parent)
            can_write = os.access(folder, os.W_OK)
        else:
            marked_read_only = self.path.stat().st_mode & 0o222 == 0
            can_write = not marked_read_only and os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)
            if not can_write:
                notes.append("need write access to the file and its folder")
        if can_write and no_space_left(self.path):
            can_write = False
            notes.append("no space left on the disk")
        if exists and version < KNOWN_VERSION:
            notes.append(f"the next write upgrades it from v{version} to v{KNOWN_VERSION}")
        return StoreCheck("sqlite", self.url, version, KNOWN_VERSION, True, can_write, "; ".join(notes))

    def incidents(self) -> list[IncidentSummary]:
        with self._lock:
            rows = self._read(
                "SELECT id, title, severity, status, opened_at, last_seq FROM incidents ORDER BY opened_at DESC, n DESC"
            )
        # Titles come from whoever wrote the store: shown safely wherever they are read.
        return [IncidentSummary(one_line(r[0]), one_line(r[1]), one_line(r[2]), one_line(r[3]), parse_time(r[4]), r[5]) for r in rows]

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

    def change_hint(self) -> object | None:
        # A commit appends to the -wal file (or, without WAL, rewrites the database file):
        # its size or time moves. Times are coarse (a clock tick), hence "almost surely".
        looks: list[tuple[int, int, int] | None] = []
        for name in (self.path, Path(f"{self.path}-wal")):
            try:
                info = os.stat(name)
            except OSError:
                looks.append(None)
            else:
                looks.append((info.st_ino, info.st_size, info.st_mtime_ns))
        return tuple(looks)

    def watch_files(self) -> FolderWatch | None:
        return watch_folder(self.path.parent)

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
    seq, incident_id, etype, at, actor, data, event_id = row
    # Another client may have written control characters: they never leave the store raw.
    return StoredEvent(
        seq, incident_id, EventType(etype), parse_time(at), one_line(actor), clean_data(json.loads(data)), one_line(event_id or "")
    )


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

