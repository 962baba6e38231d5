"""The session's third thread: hears of other writers, retries an absent store, says who is here.

It never touches the store's data itself: it asks the session, which queues the work on its
store thread, so every read and write still happens in one order. With a store that pushes
changes (PostgreSQL LISTEN/NOTIFY) it sleeps in `wait_for_change` and wakes the moment
another terminal commits; with SQLite it sleeps until the file's folder is written (Linux
inotify, app/store/file_watch.py), then asks every POLL_SECONDS (a cheap `data_version` read)
while the writes go on; without inotify it asks every POLL_SECONDS throughout. Either way the
screen's own loop has no timer for it, and an idle dashboard's follower hardly ever wakes.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

from app.errors import StoreError
from app.store.base import IncidentStore

log = logging.getLogger(__name__)

POLL_SECONDS = 0.4  # SQLite: another terminal's entry is on screen within about this
FOLLOW_SECONDS = 2.0  # SQLite: after a write is seen, ask every POLL_SECONDS this long
ASK_ANYWAY_SECONDS = 5.0  # SQLite with a watch: asked at least this often (a missed notice)
WAIT_SECONDS = 1.0  # PostgreSQL: the longest one wait blocks (so stopping is prompt)
RETRY_SECONDS = 2.0  # store out of reach: how often to try sending what waits
HEARTBEAT_SECONDS = 10.0  # presence expires after 30 s without one


class Followed(Protocol):
    """What the loop asks of the session (app/incident/session.py)."""

    @property
    def store(self) -> IncidentStore: ...
    @property
    def offline(self) -> bool: ...
    def poll(self, *, changed: bool = False) -> None: ...
    def retry_offline(self) -> None: ...
    def heartbeat(self) -> None: ...


class SyncLoop:
    def __init__(self, session: Followed) -> None:
        self.session = session
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="warroom-sync", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        session = self.session
        store = session.store
        next_retry = next_heartbeat = time.monotonic() + RETRY_SECONDS
        failing = False
        files = _FileFollower(store, self._stop) if not store.pushes_changes else None
        try:
            self._loop(session, store, files, next_retry, next_heartbeat, failing)
        finally:
            if files is not None:
                files.close()

    def _loop(self, session: Followed, store: IncidentStore, files: _FileFollower | None,
              next_retry: float, next_heartbeat: float, failing: bool) -> None:
        while not self._stop.is_set():
            changed = False
            try:
                if session.offline:
                    self._stop.wait(0.2)
                elif files is None:
                    changed = store.wait_for_change(WAIT_SECONDS)
                else:
                    changed = files.wait()  # the session then asks the store on its own thread
                failing = False
            except StoreError as exc:
                if self._stop.is_set():
                    return  # the store was closed under a wait: we are quitting
                # The listening connection is gone: the store thread will find out too; wait a bit.
                if not failing:
                    log.warning("cannot follow other terminals: %s", exc)
                    failing = True
                    session.poll(changed=True)  # the store thread finds the outage and says so
                self._stop.wait(RETRY_SECONDS)
            except Exception:  # noqa: BLE001 - this thread must not die; the trace goes to the log
                if self._stop.is_set():
                    return
                log.exception("sync thread")
                self._stop.wait(RETRY_SECONDS)
            if self._stop.is_set():
                return
            if changed:
                session.poll(changed=store.pushes_changes)
            now = time.monotonic()
            if session.offline and now >= next_retry:
                next_retry = now + RETRY_SECONDS
                session.retry_offline()
            if now >= next_heartbeat:
                next_heartbeat = now + HEARTBEAT_SECONDS
                session.heartbeat()


class _FileFollower:
    """SQLite: sleeps until it is worth asking the store whether another terminal committed."""

    def __init__(self, store: IncidentStore, stop: threading.Event) -> None:
        self.store = store
        self.stop = stop
        self.watch = store.watch_files()
        self.look = store.change_hint()
        self.follow_until = 0.0

    def wait(self) -> bool:
        """True: ask now."""
        now = time.monotonic()
        if self.watch is None or now < self.follow_until:
            self.stop.wait(POLL_SECONDS)
            return True
        woke = self.watch.wait(ASK_ANYWAY_SECONDS)
        look = self.store.change_hint()
        if woke or look != self.look:
            # The first write of a commit wakes us before the commit is visible: keep asking
            # while it (and whatever follows it) lands.
            self.follow_until = time.monotonic() + FOLLOW_SECONDS
        self.look = look
        return True  # written, or a quiet while: ask either way

    def close(self) -> None:
        if self.watch is not None:
            self.watch.close()
