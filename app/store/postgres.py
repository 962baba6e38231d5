"""PostgreSQL store: a team's shared incident log, live on every terminal by LISTEN/NOTIFY.

The store runs on its caller's thread (the session's store thread, or `warroom log`): one
connection for work, in autocommit with explicit transactions, and a second one, opened on
first use, that only LISTENs (app/store/pg_listen.py).

Sequence numbers: `append` takes the incident row's lock by bumping `last_seq` in the same
statement that inserts the event, so writers on any number of machines queue on that row,
and a transaction that fails or whose client dies rolls its bump back with it: no gaps, no
duplicates. The event id's unique index makes a retry find its first attempt, also when two
retries of one id race each other (the later one waits on the row lock, then on the index).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import psycopg
from psycopg import sql

from app.domain.events import EventType, NewEvent, StoredEvent, validate
from app.domain.text import clean_data, one_line
from app.errors import IncidentNotFound, StoreError, StoreUnreachable
from app.store.base import PRESENCE_TTL_SECONDS, SUMMARY_FIELDS, IncidentStore, IncidentSummary, Presence, StoreCheck
from app.store.copying import missing_events, number_in_id, summary_after
from app.store.pg_conninfo import close_quietly, connect, parse_target, store_error
from app.store.pg_events import APPEND, EVENT_COLUMNS, EVENT_COLUMNS_V1, as_json_text, as_text, row_to_event
from app.store.pg_listen import ChangeListener
from app.store.pg_schema import KNOWN_VERSION, current_version, migrate, privileges, refuse_newer

T = TypeVar("T")
PRESENCE_KEPT = timedelta(days=1)

class _AlreadyStored(Exception):
    """A concurrent retry of the same event id committed first: roll back, return theirs."""


class PostgresStore(IncidentStore):
    pushes_changes = True

    def __init__(self, url: str, *, read_only: bool = False, wait_for_server: bool = False) -> None:
        """wait_for_server=True (the dashboard): a server out of reach now is not an error yet;
        the first call that reaches it opens the schema, and until then calls raise
        StoreUnreachable like any other outage. Every other problem still fails here."""
        self.target = parse_target(url)
        self.url = self.target.shown
        self.schema = self.target.schema
        self.read_only = read_only
        self._s = sql.Identifier(self.schema)
        self._lock = threading.RLock()  # the work connection: one statement at a time
        self._conn: psycopg.Connection | None = None
        self._own_pid = 0
        self._listener = ChangeListener(self.target, lambda: self._own_pid)
        self._version: int | None = None  # None: the schema is not opened yet
        try:
            self._connection()
        except StoreUnreachable:
            if not wait_for_server:
                raise

    def _open_schema(self, conn: psycopg.Connection) -> int:
        try:
            if self.read_only:
                version = current_version(conn, self.schema)
                refuse_newer(version, self.url)
                return version
            return migrate(conn, self.schema, self.url)
        except psycopg.Error as exc:
            error = self._error(exc, "cannot open the incident store", conn)
            self._drop()
            raise error from None
        except BaseException:
            self._drop()
            raise

    # --- connection and transactions ---------------------------------------------------------
    def _connection(self) -> psycopg.Connection:
        conn = self._conn
        if conn is not None and not conn.closed and not conn.broken:
            return conn
        self._drop()
        conn = connect(self.target, read_only=self.read_only)
        self._conn = conn
        self._own_pid = conn.info.backend_pid
        if self._version is None:
            self._version = self._open_schema(conn)
        return conn

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        close_quietly(conn)

    def _error(self, exc: BaseException, doing: str, conn: psycopg.Connection | None = None) -> StoreError:
        error = store_error(self.target, exc, doing, conn)
        if "permission denied" in str(error):
            return type(error)(f"{error} (see README: Where incidents are kept)")
        return error

    def _q(self, text: str, **parts: sql.Composable) -> sql.Composed:
        return sql.SQL(text).format(s=self._s, **parts)

    def _read(self, fn: Callable[[psycopg.Connection], T]) -> T:
        with self._lock:
            for attempt in (1, 2):
                conn = self._connection()
                try:
                    return fn(conn)
                except psycopg.Error as exc:
                    if attempt == 1 and (conn.broken or conn.closed):
                        continue  # the server restarted since our last call: one new connection
                    raise self._error(exc, "cannot read", conn) from None
        raise AssertionError("unreachable")

    def _write(self, fn: Callable[[psycopg.Connection], T], *, idempotent: bool, transaction: bool = True) -> T:
        """fn inside BEGIN ... COMMIT (or, for one statement, its own implicit transaction). A
        connection found dead is replaced and the work tried once more, if nothing could have
        been committed yet or the work is idempotent."""
        if self.read_only:
            raise StoreError(f"{self.url}: the incident store was opened read-only; nothing was written")
        with self._lock:
            for attempt in (1, 2):
                conn = self._connection()
                committing = False
                try:
                    if not transaction:
                        committing = True  # the statement commits itself
                        return fn(conn)
                    conn.execute("BEGIN")
                    result = fn(conn)
                    committing = True
                    conn.execute("COMMIT")
                    return result
                except BaseException as exc:
                    if transaction and not (conn.broken or conn.closed):
                        try:
                            conn.execute("ROLLBACK")
                        except psycopg.Error:
                            pass
                    if not isinstance(exc, psycopg.Error):
                        raise
                    if attempt == 1 and (conn.broken or conn.closed) and (idempotent or not committing):
                        continue
                    raise self._error(exc, "cannot write", conn) from None
        raise AssertionError("unreachable")

    # --- writing -----------------------------------------------------------------------------
    def open_incident(self, *, title, severity, actor, at, id_format, extra=None) -> StoredEvent:
        data = {"title": title, "severity": severity, "status": "investigating", **(extra or {})}
        event = NewEvent(EventType.OPENED, at, actor, data)
        validate(event)
        year = at.astimezone(UTC).year

        def tx(conn: psycopg.Connection) -> StoredEvent:
            n = self._next_number(conn, year)
            incident_id = id_format.format(year=year, seq=n)
            while conn.execute(self._q("SELECT 1 FROM {s}.incidents WHERE id = %s"), (incident_id,)).fetchone():
                n += 1
                incident_id = id_format.format(year=year, seq=n)
            conn.execute(
                self._q("INSERT INTO {s}.incidents (id, year, n, opened_at, title, severity, status) VALUES (%s, %s, %s, %s, %s, %s, %s)"),
                (incident_id, year, n, at, as_text(title), as_text(severity), as_text(str(data["status"]))),
            )
            return self._insert(conn, incident_id, event)

        # Not retried once COMMIT was sent: a lost acknowledgement could open it twice.
        return self._write(tx, idempotent=False)

    def _next_number(self, conn: psycopg.Connection, year: int) -> int:
        # Openers on any machine queue here until the one before them committed, so two
        # terminals opening in the same second get consecutive numbers, not the same one.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s), %s)", (f"warroom ids {self.schema}", year))
        row = conn.execute(self._q("SELECT coalesce(max(n), 0) + 1 FROM {s}.incidents WHERE year = %s"), (year,)).fetchone()
        return int(row[0]) if row else 1

    def append(self, incident_id: str, event: NewEvent) -> StoredEvent:
        validate(event)

        try:
            return self._write(lambda conn: self._insert(conn, incident_id, event), idempotent=True, transaction=False)
        except _AlreadyStored:
            found = self._read(lambda conn: self._held(conn, event.id, incident_id))
            if found is None:
                raise StoreError(f"{self.url}: event {event.id} was stored and then not found; try again") from None
            return found

    def _held(self, conn: psycopg.Connection, event_id: str, incident_id: str) -> StoredEvent | None:
        if not event_id:
            return None
        row = conn.execute(self._q(f"SELECT {EVENT_COLUMNS} FROM {{s}}.events WHERE event_id = %s"), (event_id,)).fetchone()
        if row is None:
            return None
        if row[1] != incident_id:
            raise StoreError(f"event {one_line(event_id)} is already stored in {one_line(row[1])}, not {incident_id}; nothing was written")
        return row_to_event(row)

    def _insert(self, conn: psycopg.Connection, incident_id: str, event: NewEvent) -> StoredEvent:
        payload = as_json_text(event.data)
        column = SUMMARY_FIELDS.get(event.type)
        summary = sql.SQL(", {} = %(value)s").format(sql.Identifier(column)) if column else sql.SQL("")
        params = {
            "incident": incident_id,
            "event_id": event.id or "",
            "type": str(event.type),
            "at": event.at,
            "actor": as_text(event.actor),
            "data": payload,
            "channel": self.target.channel,
            "value": as_text(str(event.data[column])) if column else None,
        }
        try:
            row = conn.execute(self._q(APPEND, summary=summary), params).fetchone()
        except psycopg.errors.UniqueViolation as exc:
            if exc.diag.constraint_name == "events_by_event_id":
                raise _AlreadyStored from None
            raise
        assert row is not None
        found, seq, _, *held = row
        if held[0] is not None:
            if held[1] != incident_id:
                raise StoreError(f"event {one_line(event.id)} is already stored in {one_line(held[1])}, not {incident_id}; nothing was written")
            return row_to_event(tuple(held))
        if not found:
            raise IncidentNotFound(f"no incident {incident_id!r} in {self.url}")
        if seq is None:
            raise _AlreadyStored
        return StoredEvent(
            seq, incident_id, EventType(event.type), event.at.astimezone(UTC), one_line(event.actor), clean_data(json.loads(payload)), one_line(event.id)
        )

    # --- reading -----------------------------------------------------------------------------
    def _readable_version(self) -> int:
        """A read-only store may have been created or upgraded by a writer since it opened."""
        if self._version is None:
            with self._lock:
                self._connection()  # out of reach still: StoreUnreachable; else opens the schema
        assert self._version is not None
        if self.read_only and self._version < KNOWN_VERSION:
            self._version = self._read(lambda conn: current_version(conn, self.schema))
            refuse_newer(self._version, self.url)
        return self._version

    def events(self, incident_id: str, after_seq: int = 0) -> list[StoredEvent]:
        version = self._readable_version()
        if version == 0:
            return []  # opened read-only before anyone wrote: nothing to read, nothing created
        columns = EVENT_COLUMNS if version >= 2 else EVENT_COLUMNS_V1
        query = self._q(f"SELECT {columns} FROM {{s}}.events WHERE incident_id = %s AND seq > %s ORDER BY seq")
        rows = self._read(lambda conn: conn.execute(query, (incident_id, after_seq)).fetchall())
        return [row_to_event(row) for row in rows]

    def incidents(self) -> list[IncidentSummary]:
        return self._summaries("")

    def incident(self, incident_id: str) -> IncidentSummary | None:
        found = self._summaries("WHERE id = %s", incident_id)
        return found[0] if found else None

    def _summaries(self, where: str, *params: Any) -> list[IncidentSummary]:
        if self._readable_version() == 0:
            return []
        query = self._q(f"SELECT id, title, severity, status, opened_at, last_seq FROM {{s}}.incidents {where} ORDER BY opened_at DESC, n DESC")
        rows = self._read(lambda conn: conn.execute(query, params).fetchall())
        # Titles come from whoever wrote the store: shown safely wherever they are read.
        return [IncidentSummary(one_line(r[0]), one_line(r[1]), one_line(r[2]), one_line(r[3]), r[4].astimezone(UTC), int(r[5])) for r in rows]

    # --- live sync -----------------------------------------------------------------------------
    def changed(self) -> bool:
        return self._listener.poll()

    def wait_for_change(self, timeout: float) -> bool:
        return self._listener.wait(timeout)

    # --- presence ------------------------------------------------------------------------------
    def heartbeat(self, incident_id: str, operator: str, terminal: str, at: datetime) -> None:
        def tx(conn: psycopg.Connection) -> None:
            conn.execute(
                self._q(
                    "INSERT INTO {s}.presence (terminal, incident_id, operator, seen_at) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (terminal) DO UPDATE SET incident_id = excluded.incident_id, "
                    "operator = excluded.operator, seen_at = excluded.seen_at"
                ),
                (as_text(terminal), incident_id, as_text(operator), at),
            )
            conn.execute(self._q("DELETE FROM {s}.presence WHERE seen_at < %s"), (at - PRESENCE_KEPT,))

        self._write(tx, idempotent=True)

    def present(self, incident_id: str, now: datetime, ttl: float = PRESENCE_TTL_SECONDS) -> list[Presence]:
        if self._readable_version() < 2:
            return []
        query = self._q("SELECT operator, terminal, seen_at FROM {s}.presence WHERE incident_id = %s AND seen_at >= %s ORDER BY operator, terminal")
        rows = self._read(lambda conn: conn.execute(query, (incident_id, now - timedelta(seconds=ttl))).fetchall())
        return [Presence(one_line(r[0]), one_line(r[1]), r[2].astimezone(UTC)) for r in rows]

    # --- moving between stores -----------------------------------------------------------------
    def copy_in(self, summary: IncidentSummary, events: list[StoredEvent]) -> int:
        if not events:
            return 0  # an incident is copied with its opening event or not at all

        def tx(conn: psycopg.Connection) -> int:
            year = summary.opened_at.astimezone(UTC).year
            if not conn.execute(self._q("SELECT 1 FROM {s}.incidents WHERE id = %s FOR UPDATE"), (summary.id,)).fetchone():
                n = number_in_id(summary.id)
                free = self._next_number(conn, year)
                if n is None or conn.execute(self._q("SELECT 1 FROM {s}.incidents WHERE year = %s AND n = %s"), (year, n)).fetchone():
                    n = free
                conn.execute(
                    self._q("INSERT INTO {s}.incidents (id, year, n, opened_at, title, severity, status) VALUES (%s, %s, %s, %s, %s, %s, %s)"),
                    (summary.id, year, n, summary.opened_at, as_text(summary.title), as_text(summary.severity), as_text(summary.status)),
                )
            rows = conn.execute(self._q(f"SELECT {EVENT_COLUMNS} FROM {{s}}.events WHERE incident_id = %s ORDER BY seq"), (summary.id,)).fetchall()
            existing = [row_to_event(r) for r in rows]
            new = missing_events(summary, events, existing)
            ids = [e.id for e in new if e.id]
            elsewhere = conn.execute(
                self._q("SELECT event_id, incident_id FROM {s}.events WHERE event_id = ANY(%s) AND incident_id <> %s LIMIT 1"), (ids, summary.id)
            ).fetchone()
            if elsewhere:
                raise StoreError(f"{summary.id}: refusing to copy: event {one_line(elsewhere[0])} is already stored in {one_line(elsewhere[1])}")
            if new:
                with conn.cursor() as cur:
                    cur.executemany(
                        self._q("INSERT INTO {s}.events (incident_id, seq, event_id, type, at, actor, data) VALUES (%s, %s, %s, %s, %s, %s, %s)"),
                        [(summary.id, e.seq, e.id or None, str(e.type), e.at, as_text(e.actor), as_json_text(e.data)) for e in new],
                    )
                columns = summary_after(summary, existing + new)
                last = max(e.seq for e in new)
                conn.execute(
                    self._q("UPDATE {s}.incidents SET title = %s, severity = %s, status = %s, last_seq = greatest(last_seq, %s) WHERE id = %s"),
                    (as_text(columns["title"]), as_text(columns["severity"]), as_text(columns["status"]), last, summary.id),
                )
                conn.execute("SELECT pg_notify(%s, json_build_object('incident', %s::text, 'seq', %s::bigint)::text)", (self.target.channel, summary.id, last))
            return len(new)

        return self._write(tx, idempotent=True)

    def check(self) -> StoreCheck:
        def look(conn: psycopg.Connection) -> tuple[int, bool, bool, str]:
            version = current_version(conn, self.schema)
            return (version, *privileges(conn, self.schema, version))

        version, can_read, can_write, detail = self._read(look)
        if 0 < version < KNOWN_VERSION:
            detail += f"; the next write upgrades it from v{version} to v{KNOWN_VERSION}"
        return StoreCheck("postgresql", self.url, version, KNOWN_VERSION, can_read, can_write, detail)

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            self._drop()

