"""PostgreSQL collector: connections, long-running queries and the lock tree.

One AsyncConnection per configured database, autocommit, application_name=warroom, a short
server-side statement_timeout, one statement per refresh. A lost connection is an error
snapshot (the pane keeps the last data, marked stale) and is re-opened on the next run;
LivePane's Backoff spaces those runs 1 s .. 30 s apart.

Actions (cancel / terminate) share the refresh connection behind an asyncio.Lock, so an
action never overlaps a refresh query.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import conninfo as pg_conninfo

from app.collectors.base import Check, Collector, Level, Snapshot, now_utc
from app.collectors.locktree import Backend, LockTree, build_lock_tree, format_seconds
from app.collectors.postgres_queries import CANCEL_SQL, REFRESH_SQL, TERMINATE_SQL
from app.config.postgres import PostgresTarget

if TYPE_CHECKING:
    from app.config import Config

MAX_ROWS = 500  # bounded response: long-running + lock-tree rows per refresh
STATES = ("active", "idle", "idle in transaction", "idle in transaction (aborted)", "waiting")


class ActionsDisabled(Exception):
    """Raised when an action is asked of a database without allow_actions: true."""


@dataclass(frozen=True)
class PostgresStatus:
    """What one refresh found. `backends` holds only rows worth showing (bounded)."""

    database: str
    server_version_num: int
    max_connections: int
    by_state: dict[str, int]
    per_database: dict[str, int]
    ungranted_locks: int
    long_running: list[Backend]
    lock_tree: LockTree
    backends: dict[int, Backend] = field(default_factory=dict)
    collect_ms: float = 0.0
    roots_connected: dict[int, str] = field(default_factory=dict)
    """The previous refresh's root blockers still connected (pid -> backend_start): whether a
    root that left the lock tree ended or only released its locks (a backend that commits
    and goes idle is in no other list)."""

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    @property
    def used_pct(self) -> float:
        return 100.0 * self.total / self.max_connections if self.max_connections else 0.0

    @property
    def waiting(self) -> int:
        return self.by_state.get("waiting", 0)

    @property
    def longest_wait_s(self) -> float:
        return max((n.backend.wait_s for n in self.lock_tree.nodes), default=0.0)

    @property
    def longest(self) -> Backend | None:
        return max(self.long_running, key=lambda b: b.duration_s, default=None)


@dataclass(frozen=True)
class ActionResult:
    pid: int
    action: str
    ok: bool
    message: str


def mask_dsn(dsn: str) -> str:
    """The DSN without its password, for anything shown or logged."""
    if not dsn:
        return "(libpq environment)"
    try:
        params = pg_conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "(unparseable dsn)"
    if "password" in params:
        params["password"] = "***"
    return pg_conninfo.make_conninfo("", **params)


def _dsn_password(dsn: str) -> str | None:
    try:
        password = pg_conninfo.conninfo_to_dict(dsn).get("password")
    except psycopg.ProgrammingError:
        return None
    return str(password) if password else None


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class PostgresCollector(Collector[PostgresStatus]):
    source = "postgres"

    def __init__(self, target: PostgresTarget) -> None:
        self.target = target
        self.name = target.name
        self.interval = target.interval.total_seconds()
        self.statement_timeout_s = target.statement_timeout.total_seconds()
        self.connect_timeout_s = max(2, int(target.connect_timeout.total_seconds()))
        self.timeout = self.connect_timeout_s + self.statement_timeout_s + 1.0
        self._conn: psycopg.AsyncConnection | None = None
        self._lock = asyncio.Lock()
        self._password = _dsn_password(target.dsn)
        self.backend_pid: int | None = None  # warroom's own backend (benchmarks read its /proc)
        self._roots: list[int] = []  # root blockers of the last refresh, asked about in the next

    @property
    def allow_actions(self) -> bool:
        return self.target.allow_actions

    def _redact(self, text: str) -> str:
        if self._password:
            text = text.replace(self._password, "***")
        return text

    async def _connection(self) -> psycopg.AsyncConnection:
        if self._conn is not None and not self._conn.closed and not self._conn.broken:
            return self._conn
        await self._drop()
        try:
            params = pg_conninfo.conninfo_to_dict(self.target.dsn) if self.target.dsn else {}
        except psycopg.ProgrammingError:
            raise psycopg.OperationalError("invalid dsn (libpq could not parse it)") from None
        timeout_ms = max(1, int(self.statement_timeout_s * 1000))
        # statement_timeout goes in the startup packet, so it holds from the very first query
        options = " ".join(filter(None, [str(params.pop("options", None) or ""), f"-c statement_timeout={timeout_ms}"]))
        params.update(
            application_name="warroom",
            connect_timeout=str(self.connect_timeout_s),
            options=options,
        )
        conn = await psycopg.AsyncConnection.connect(pg_conninfo.make_conninfo("", **params), autocommit=True)
        self._conn = conn
        self.backend_pid = conn.info.backend_pid
        return conn

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()
            except Exception:  # noqa: BLE001 - closing a dead connection may fail; it is gone anyway
                pass

    async def _execute(self, conn: psycopg.AsyncConnection, sql: str, params: dict[str, Any]) -> Any:
        """conn.execute with a client-side limit: statement_timeout cannot help if the server or
        the network hangs. Past the limit the socket is shut down here rather than the query
        cancelled: psycopg's cancel asks the (hung) server and waits up to 10 s more."""
        task = asyncio.ensure_future(conn.execute(sql, params))
        try:
            done, _ = await asyncio.wait({task}, timeout=self.statement_timeout_s + 3)
        except asyncio.CancelledError:
            await self._abandon(conn, task)
            raise
        if not done:
            await self._abandon(conn, task)
            raise TimeoutError
        return await (await task).fetchone()

    async def _abandon(self, conn: psycopg.AsyncConnection, task: asyncio.Future) -> None:
        with contextlib.suppress(OSError, psycopg.Error):
            # shutdown(2) on a duplicate of the fd: the query fails at once with a closed
            # connection, and psycopg's own fd stays valid until it is closed
            with socket.socket(fileno=os.dup(conn.pgconn.socket)) as sock:
                sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(task, 2.0)
        await self._drop()

    async def fetch(self) -> dict[str, Any]:
        """One round trip: the refresh statement. Raises psycopg errors."""
        async with self._lock:
            conn = await asyncio.wait_for(self._connection(), self.connect_timeout_s + 1)
            params = {"long_running_s": self.target.long_running.total_seconds(), "max_rows": MAX_ROWS, "roots": self._roots}
            row = await self._execute(conn, REFRESH_SQL, params)
            return row[0]

    async def collect(self) -> Snapshot[PostgresStatus]:
        started = time.perf_counter()
        try:
            document = await self.fetch()
        except psycopg.errors.QueryCanceled:
            reason = f"query cancelled after statement_timeout {self.statement_timeout_s:g}s (server slow or catalog locked)"
            return Snapshot(self.source, self.name, now_utc(), Level.UNKNOWN, reason)
        except TimeoutError:
            reason = f"no answer within {self.statement_timeout_s + 3:g}s; reconnecting"
            return Snapshot(self.source, self.name, now_utc(), Level.UNKNOWN, reason)
        except psycopg.OperationalError as exc:
            await self._drop()
            reason = self._redact(f"connection failed: {_one_line(exc)}")
            return Snapshot(self.source, self.name, now_utc(), Level.CRIT, reason)
        except psycopg.Error as exc:
            if self._conn is not None and (self._conn.broken or self._conn.closed):
                await self._drop()
            reason = self._redact(f"{type(exc).__name__}: {_one_line(exc)}")
            return Snapshot(self.source, self.name, now_utc(), Level.UNKNOWN, reason)
        status = parse_status(document, self.target.long_running.total_seconds(), time.perf_counter() - started)
        self._roots = [b.pid for b in status.lock_tree.roots][:MAX_ROWS]
        return Snapshot(self.source, self.name, now_utc(), self.level_of(status), None, status)

    def level_of(self, status: PostgresStatus) -> Level:
        pct = status.used_pct
        level = Level.CRIT if pct >= self.target.connections_crit else Level.WARN if pct >= self.target.connections_warn else Level.OK
        if level == Level.OK and status.longest_wait_s >= self.target.lock_wait_warn.total_seconds():
            level = Level.WARN
        return level

    async def signal(self, pid: int, backend_start: str, *, terminate: bool) -> ActionResult:
        """pg_cancel_backend / pg_terminate_backend, only if the pid is still the same backend."""
        action = "terminate" if terminate else "cancel"
        if not self.allow_actions:
            raise ActionsDisabled(f"actions are disabled for {self.name}: set allow_actions: true")
        sql = TERMINATE_SQL if terminate else CANCEL_SQL
        try:
            async with self._lock:
                conn = await asyncio.wait_for(self._connection(), self.connect_timeout_s + 1)
                row = await self._execute(conn, sql, {"pid": pid, "backend_start": backend_start})
        except (psycopg.Error, TimeoutError) as exc:
            return ActionResult(pid, action, False, self._redact(f"{action} failed: {_one_line(exc)}"))
        if row is None:
            return ActionResult(pid, action, False, f"backend {pid} is gone (or the pid was reused); nothing sent")
        if not row[0]:
            return ActionResult(pid, action, False, f"server refused to {action} backend {pid}")
        return ActionResult(pid, action, True, f"{action} signal delivered to backend {pid}")

    def checks(self, snapshot: Snapshot[PostgresStatus]) -> list[Check]:
        if snapshot.error is not None or snapshot.data is None:
            return [Check(self.source, self.name, snapshot.level, snapshot.error or "no data", {"dsn": mask_dsn(self.target.dsn)})]
        status = snapshot.data
        return [Check(self.source, self.name, snapshot.level, summary_of(status), detail_of(status))]

    async def aclose(self) -> None:
        async with self._lock:
            await self._drop()


def parse_status(document: dict[str, Any], long_running_s: float, elapsed_s: float = 0.0) -> PostgresStatus:
    backends = [Backend.from_row(row) for row in document.get("backends") or []]
    long_running = sorted(
        (b for b in backends if b.duration_s >= long_running_s and (b.state == "active" or b.idle_in_transaction)),
        key=lambda b: -b.duration_s,
    )
    by_state = {state: 0 for state in STATES}
    by_state.update({k: int(v) for k, v in (document.get("by_state") or {}).items()})
    return PostgresStatus(
        database=document.get("database") or "",
        server_version_num=int(document.get("server_version_num") or 0),
        max_connections=int(document.get("max_connections") or 0),
        by_state=by_state,
        per_database={k: int(v) for k, v in (document.get("per_database") or {}).items()},
        ungranted_locks=int(document.get("ungranted_locks") or 0),
        long_running=long_running,
        lock_tree=build_lock_tree(backends),
        backends={b.pid: b for b in backends},
        collect_ms=elapsed_s * 1000.0,
        roots_connected={int(pid): str(start) for pid, start in (document.get("roots_connected") or {}).items()},
    )


def summary_of(status: PostgresStatus) -> str:
    waiting = f"{status.waiting} waiting"
    if status.lock_tree.nodes:  # the why of a lock-wait WARN
        waiting += f" (longest lock wait {format_seconds(status.longest_wait_s)})"
    parts = [f"{status.total}/{status.max_connections} connections ({status.used_pct:.0f}%)", waiting]
    roots = status.lock_tree.roots
    if roots:
        parts.append("root blocker " + ", ".join(f"pid {b.pid}" for b in roots))
    longest = status.longest
    if longest is not None:
        parts.append(f"longest {format_seconds(longest.duration_s)} (pid {longest.pid})")
    return ", ".join(parts)


def _backend_json(b: Backend) -> dict[str, Any]:
    return {
        "pid": b.pid, "user": b.user, "database": b.database, "application": b.application,
        "client": b.client, "state": b.state, "duration_s": round(b.duration_s, 1),
        "wait_event": b.wait, "query": b.query,
    }


def detail_of(status: PostgresStatus) -> dict[str, Any]:
    return {
        "connections": {
            "total": status.total, "max": status.max_connections,
            "used_pct": round(status.used_pct, 1), "by_state": status.by_state,
            "per_database": status.per_database,
        },
        "ungranted_locks": status.ungranted_locks,
        "long_running": [_backend_json(b) for b in status.long_running],
        "lock_tree": [
            {
                "pid": n.backend.pid, "root": n.is_root, "depth": n.depth, "root_pid": n.root_pid,
                "blocked_by": list(n.backend.blocked_by), "wait_s": round(n.backend.wait_s, 1),
                "mode": n.backend.lock_mode or None, "relation": n.backend.relation or None,
                "lock_type": n.backend.lock_type or None,
                "user": n.backend.user, "state": n.backend.state, "backend_type": n.backend.backend_type,
                "query": n.backend.query,
            }
            for n in status.lock_tree.nodes
        ],
    }


def build(config: Config) -> list[Collector]:
    return build_for(config.postgres)


def build_for(targets: list[PostgresTarget]) -> list[Collector]:
    return [PostgresCollector(target) for target in targets]
