"""Hearing other writers: a connection of its own that LISTENs on the store's channel.

Notifications carry only an incident id and a seq; a terminal fetches what it has not seen by
seq, so a notification lost while this connection was down loses nothing: after every
(re)connection the listener answers "maybe changed" once and the caller catches up.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psycopg
from psycopg import sql

from app.errors import StoreError
from app.store.pg_conninfo import PgTarget, close_quietly, connect

# A connection that has been silent this long is asked a trivial question before we wait on
# it again: a server that restarted or a NAT that dropped the flow shows up now, not never.
CHECK_AFTER_S = 20.0
# After a failed attempt to listen again, `poll` (meant to be cheap) leaves the server alone
# this long: connecting to an unreachable host can take the whole connect_timeout.
RETRY_AFTER_S = 2.0


class ChangeListener:
    def __init__(self, target: PgTarget, own_pid: Callable[[], int]) -> None:
        self.target = target
        self._own_pid = own_pid  # notifications from our own work connection are not news
        self._lock = threading.Lock()
        self._conn: psycopg.Connection | None = None
        self._heard_at = 0.0
        self._failed_at = -RETRY_AFTER_S
        self._closed = False

    def poll(self) -> bool:
        """Non-blocking. While another thread waits, it holds the connection and will report."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            return self._wait(0.0)
        finally:
            self._lock.release()

    def wait(self, timeout: float) -> bool:
        started = time.monotonic()
        if not self._lock.acquire(timeout=max(0.0, timeout)):
            return False
        try:
            return self._wait(max(0.0, timeout - (time.monotonic() - started)))
        finally:
            self._lock.release()

    def _wait(self, timeout: float) -> bool:
        if self._closed:
            return False
        conn = self._conn
        if conn is None or conn.closed or conn.broken:
            if timeout == 0 and time.monotonic() - self._failed_at < RETRY_AFTER_S:
                return False
            return self._restart(timeout)
        try:
            if time.monotonic() - self._heard_at > CHECK_AFTER_S:
                conn.execute("SELECT 1")
                self._heard_at = time.monotonic()
            deadline = time.monotonic() + timeout
            while True:
                heard = list(conn.notifies(timeout=max(0.0, deadline - time.monotonic()), stop_after=1))
                self._heard_at = time.monotonic()
                own = self._own_pid()
                if any(n.pid != own for n in heard):
                    list(conn.notifies(timeout=0))  # take the rest of the burst now: one catch-up covers it
                    return True
                if time.monotonic() >= deadline:
                    return False
        except psycopg.Error:
            # The backend was terminated, the server restarted or the network went: listen
            # again at once, and say "maybe" so the caller fetches what it missed meanwhile.
            self._drop()
            self._restart(0.0)
            return True

    def _restart(self, timeout: float) -> bool:
        """Listen again; True once listening (anything may have happened meanwhile). If the
        server is still away, wait out the timeout here rather than spin, and say False."""
        self._drop()
        started = time.monotonic()
        try:
            conn = connect(self.target, read_only=True)
            try:
                conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.target.channel)))
            except psycopg.Error:
                conn.close()
                raise
        except (StoreError, psycopg.Error):
            self._failed_at = time.monotonic()
            time.sleep(max(0.0, timeout - (time.monotonic() - started)))
            return False
        self._conn, self._heard_at = conn, time.monotonic()
        return True

    @property
    def backend_pid(self) -> int | None:
        conn = self._conn
        return conn.info.backend_pid if conn is not None and not conn.closed else None

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        close_quietly(conn)

    def close(self, wait: float = 5.0) -> None:
        self._closed = True
        # A waiter holds the connection for at most its timeout; past `wait` the process is
        # ending anyway and the server drops the connection with it.
        if self._lock.acquire(timeout=wait):
            try:
                self._drop()
            finally:
                self._lock.release()
