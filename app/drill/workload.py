"""Real client sessions on the drill's PostgreSQL, as the scenario asks for them.

An application schema (orders, payments), idle pool connections per service, sessions a
leaking service leaves idle in transaction, and a lock queue: a migration that took an
ACCESS EXCLUSIVE lock on `orders` and sits idle in its transaction (the root blocker), with
writers queueing behind it, each in a thread of its own, really waiting on the lock.
Terminating the root from the pane (a real pg_terminate_backend) frees the queue.

Runs on the drill runner's thread; each waiting statement has a thread of its own.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass

import psycopg

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id bigint PRIMARY KEY, customer_id bigint NOT NULL, state text NOT NULL,
    total_cents bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS payments (
    id bigint PRIMARY KEY, order_id bigint NOT NULL, provider text NOT NULL, state text NOT NULL);
INSERT INTO orders SELECT g, g % 97, 'new', 1000 + g FROM generate_series(1, 500) g ON CONFLICT DO NOTHING;
INSERT INTO payments SELECT g, g, 'acquirer-a', 'authorised' FROM generate_series(1, 500) g ON CONFLICT DO NOTHING;
"""
MIGRATION = "ALTER TABLE orders ADD COLUMN refund_reference text"
WRITE = "UPDATE orders SET state = 'paid' WHERE id = %s"
LEAK = "SELECT id, state FROM orders WHERE customer_id = %s"


@dataclass(frozen=True)
class DatabaseState:
    pool: dict[str, int]
    """Idle pool connections per application name."""
    idle_in_transaction: int = 0
    """Sessions of the leaking service left idle in a transaction."""
    leaking_app: str = "orders-worker"
    lock_queue: int | None = None
    """None: no migration; a number: the migration holds its lock and this many writers queue."""
    migration_app: str = "schema-migrate"
    writer_app: str = "checkout-api"


class Workload:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._pool: dict[str, list[psycopg.Connection]] = {}
        self._leaks: list[psycopg.Connection] = []
        self._root: psycopg.Connection | None = None
        self._root_done = False  # the migration was terminated or finished: never started again
        self._writers: list[tuple[psycopg.Connection, threading.Thread]] = []
        self._all: list[psycopg.Connection] = []
        self._control: psycopg.Connection | None = None
        self._lock = threading.Lock()

    def _connect(self, app: str) -> psycopg.Connection:
        conn = psycopg.connect(self.dsn, autocommit=True, application_name=app, connect_timeout=5)
        with self._lock:
            self._all.append(conn)
        return conn

    def setup(self) -> None:
        self._control = psycopg.connect(self.dsn, autocommit=True, application_name="drill-control", connect_timeout=5)
        self._control.execute(SCHEMA)

    # --- reconciling with the scenario -------------------------------------------------
    def apply(self, state: DatabaseState) -> None:
        for app, wanted in state.pool.items():
            sessions = self._pool.setdefault(app, [])
            while len(sessions) < wanted:
                conn = self._connect(app)
                conn.execute("SELECT 1")
                sessions.append(conn)
            while len(sessions) > wanted:
                self._close(sessions.pop())
        while len(self._leaks) < state.idle_in_transaction:
            conn = self._connect(state.leaking_app)
            conn.execute("BEGIN")
            conn.execute(LEAK, (len(self._leaks) % 97,))
            self._leaks.append(conn)
        while len(self._leaks) > state.idle_in_transaction:
            self._close(self._leaks.pop())
        if state.lock_queue is None:
            self._finish_migration()
        elif not self._root_done:
            self._lock_queue(state)

    def _lock_queue(self, state: DatabaseState) -> None:
        if self._root is None:
            self._root = self._connect(state.migration_app)
            self._root.execute("BEGIN")
            self._root.execute(MIGRATION)
        assert state.lock_queue is not None
        while len(self._writers) < state.lock_queue:
            conn = self._connect(state.writer_app)
            thread = threading.Thread(target=self._write, args=(conn, len(self._writers) + 1), daemon=True,
                                      name="drill-writer")
            thread.start()
            self._writers.append((conn, thread))

    def _write(self, conn: psycopg.Connection, order_id: int) -> None:
        # Waits on the migration's lock until it ends, then the write goes through and the
        # service hands its connection back (closes it: connections fall as the queue drains).
        with contextlib.suppress(psycopg.Error):
            conn.execute(WRITE, (order_id,))
        self._close(conn)

    def _finish_migration(self) -> None:
        """The migration ends on its own (the scenario's recovery): commit is not wanted on a
        drill schema, so it rolls back, which frees the queue just the same."""
        if self._root is not None and not self._root_done:
            with contextlib.suppress(psycopg.Error):
                self._root.execute("ROLLBACK")
            self._root_done = True

    # --- what the runner asks ------------------------------------------------------------
    def root_pid(self) -> int | None:
        return self._root.info.backend_pid if self._root is not None and not self._root_done else None

    def root_terminated(self) -> bool:
        """True once the migration's backend is gone (someone terminated it)."""
        pid = self.root_pid()
        if pid is None or self._control is None:
            return False
        try:
            row = self._control.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
        except psycopg.Error:
            return False
        gone = row is not None and row[0] == 0
        if gone:
            self._root_done = True
        return gone

    def waiting(self) -> int:
        return sum(1 for _, thread in self._writers if thread.is_alive())

    # --- the end -------------------------------------------------------------------------
    def _close(self, conn: psycopg.Connection) -> None:
        with contextlib.suppress(Exception):
            conn.close()

    def stop(self) -> None:
        """Every session ends (terminated server-side, so waiting threads return at once)."""
        with self._lock:
            conns = [c for c in self._all if not c.closed]
        if self._control is not None:
            pids = []
            for conn in conns:
                with contextlib.suppress(Exception):
                    pids.append(conn.info.backend_pid)
            with contextlib.suppress(psycopg.Error):
                self._control.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (pids,))
        for _, thread in self._writers:
            thread.join(5)
        for conn in conns:
            self._close(conn)
        if self._control is not None:
            self._close(self._control)
