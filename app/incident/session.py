"""IncidentSession: one front end's live view of the incident store, kept off its loop.

Every store read and write runs on one store thread, in the order asked, so entries typed
faster than the store answers are written exactly once each and in order. Webhook
deliveries and exports run on a second thread, so a slow receiver never holds up an entry.
Results are posted back as small immutable messages (app/incident/results.py) through
the `post` callable the front end gives, which must be thread-safe (Textual's
`post_message` is). A third thread (app/incident/sync.py) waits for other writers' changes,
retries the store while it is out of reach and says who is on the incident.

With a shared store (PostgreSQL) and an outbox, the session keeps working through an outage:
what is typed goes to the outbox on disk and reaches the store, in order and once, when it is
back (app/incident/offline.py).

The session keeps its own fold of the loaded incident (touched by the store thread only)
to validate commands and to know where catching up starts; the front end keeps its own
copy, built from `IncidentLoaded` and `EventsAppended`. Nothing is shared between threads.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from app.domain.events import EventType, StoredEvent
from app.domain.incident import IncidentState, fold
from app.errors import StoreUnreachable, WarroomError
from app.incident.commands import Command, CommandRejected, LogEntry, describe
from app.incident.core import IncidentCore, logs_shared_observations
from app.incident.offline import OfflineWriter
from app.incident.results import (
    CommandDone,
    CommandFailed,
    DeliveriesRetried,
    EscalationsLogged,
    EventsAppended,
    Exported,
    IncidentLoaded,
    IncidentsListed,
    OpenFailed,
    PresenceSeen,
    SessionResult,
    StoreFailed,
    UpdateDelivered,
    UpdateFailed,
    UpdateQueued,
)
from app.incident.sync import SyncLoop
from app.store.base import IncidentStore
from app.store.outbox import Outbox

log = logging.getLogger(__name__)


def _reason(exc: BaseException) -> str:
    """One line for a person; anything we did not expect also goes to the log with its trace."""
    if isinstance(exc, WarroomError):
        return str(exc)
    log.error("unexpected error in the incident session", exc_info=exc)
    return f"{type(exc).__name__}: {exc}"


class IncidentSession:
    def __init__(self, core: IncidentCore, post: Callable[[SessionResult], Any], *, outbox: Outbox | None = None) -> None:
        self.core = core
        self._post = post
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warroom-store")
        self._slow_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warroom-notify")
        self._state: IncidentState | None = None  # the store thread's own fold
        self.loaded_id: str | None = None  # which incident that is, for the sync thread
        self.terminal = uuid.uuid4().hex[:12]  # this running warroom, for presence
        self._writer = OfflineWriter(core.store, outbox, post, core.clock, on_sent=self._sent_from_outbox)
        self._presence: list[tuple[str, str]] | None = None
        self._tickets = itertools.count(1)
        self._poll_queued = threading.Event()
        self._retry_queued = threading.Event()
        self._start_waits = False  # the first listing found the store away: list again when back
        self._poll_failing = False
        self._closed = False
        self._sync = SyncLoop(self)

    def start(self) -> None:
        """Begin following other writers (and, offline, retrying the store)."""
        if self._writer.waiting:
            # Left waiting by a warroom that ended while the store was away: send it now.
            self.retry_offline()
        self._sync.start()

    @property
    def offline(self) -> bool:
        return self._writer.offline

    @property
    def store(self) -> IncidentStore:
        return self.core.store

    @property
    def operator(self) -> str:
        return self.core.actor

    # --- plumbing -------------------------------------------------------------------------
    def _run(self, executor: ThreadPoolExecutor, job: Callable[[], object], on_error: Callable[[str], SessionResult | None]) -> None:
        if self._closed:
            return

        def guarded() -> None:
            try:
                job()
            except Exception as exc:  # noqa: BLE001 - every failure becomes a message, none vanishes
                if isinstance(exc, StoreUnreachable) and executor is self._store_thread:
                    self._writer.went_offline(str(exc))
                result = on_error(_reason(exc))
                if result is not None:
                    self._post(result)

        executor.submit(guarded)

    def _store(self, job: Callable[[], object], what: str) -> None:
        self._run(self._store_thread, job, lambda reason: StoreFailed(what, reason))

    def _state_for(self, incident_id: str) -> IncidentState:
        """The loaded incident caught up with the store (plus what waits in the outbox), or
        a fresh fold of another one."""
        if self._state is not None and self._state.id == incident_id:
            try:
                self._catch_up(incident_id)
            except StoreUnreachable as exc:
                if self._writer.outbox is None:
                    raise
                self._writer.went_offline(str(exc))  # carry on from what we hold
            return self._writer.planning_view(self._state)
        return fold(incident_id, self.core.events(incident_id))

    def _catch_up(self, incident_id: str) -> list[StoredEvent]:
        state = self._state
        if state is None or state.id != incident_id or self._writer.offline:
            return []
        new = self.core.events(incident_id, after_seq=state.last_seq)
        for event in new:
            state.apply(event)
        if new:
            self._post(EventsAppended(incident_id, new))
        return new

    def _then_catch_up(self, incident_id: str) -> None:
        # Our own connection's writes from the slow thread do not show as "changed".
        self._store(lambda: self._catch_up(incident_id), "cannot read the incident")

    # --- loading ------------------------------------------------------------------------
    def list_incidents(self, purpose: str) -> None:
        def job() -> None:
            try:
                summaries = self.core.incidents()
            except StoreUnreachable:
                # Started during an outage of the shared store: the strip says so, and the
                # start is taken up again the moment it is back (retry_offline).
                self._start_waits = purpose == "start" and self._writer.outbox is not None
                raise
            self._post(IncidentsListed(summaries, purpose))

        self._run(self._store_thread, job, lambda reason: None if self._start_waits else StoreFailed("cannot list incidents", reason))

    def load(self, incident_id: str) -> None:
        self._store(lambda: self._load(incident_id), f"cannot load {incident_id}")

    def _load(self, incident_id: str) -> None:
        events = self.core.events(incident_id)
        self._state = fold(incident_id, events)
        self.loaded_id = incident_id
        self._presence = None
        self._post(IncidentLoaded(fold(incident_id, events)))
        self._heartbeat()

    def open(self, title: str, severity: str, impact: str | None = None) -> None:
        def job() -> None:
            opened = self.core.open(title, severity, impact=impact)
            self._load(opened.incident_id)

        self._run(self._store_thread, job, lambda reason: OpenFailed(title, severity, reason))

    def poll(self, *, changed: bool = False) -> None:
        """Fold in what other writers appended; cheap when nothing changed. Never queued twice.
        changed=True: the store already said so (a notification), so do not ask it again."""
        incident_id = self.loaded_id
        if incident_id is None or self._poll_queued.is_set() or self._writer.offline:
            return
        self._poll_queued.set()

        def job() -> None:
            # Cleared before reading, not after: a change announced while this read runs must
            # queue another one. Cleared after, its notification was dropped here and the
            # change stayed unseen until some later write (two entries of 140 in a team drill).
            self._poll_queued.clear()
            try:
                if changed or self.core.store.changed():
                    self._catch_up(incident_id)
                self._poll_failing = False
            except Exception as exc:  # noqa: BLE001 - a flaky store is said once, then retried quietly
                reason = _reason(exc)
                if isinstance(exc, StoreUnreachable) and self._writer.outbox is not None:
                    self._writer.went_offline(reason)
                elif not self._poll_failing:
                    self._poll_failing = True
                    self._post(StoreFailed("cannot read other terminals' changes", reason))

        self._store(job, "cannot poll")

    # --- commands -----------------------------------------------------------------------
    def submit(self, incident_id: str, command: Command) -> int:
        """Queue a command; returns its ticket. CommandDone or CommandFailed follows."""
        ticket = next(self._tickets)

        def job() -> None:
            try:
                state = self._state_for(incident_id)
                events = self.core.plan(command, state)
            except CommandRejected as exc:
                self._post(CommandFailed(ticket, command, str(exc), rejected=True))
                return
            stored = self._writer.write(incident_id, events, ticket, command)
            if stored is None:
                return  # in the outbox: CommandQueued said so; CommandDone follows when it is sent
            self._catch_up(incident_id)
            self._post(CommandDone(ticket, command, stored))

        self._run(self._store_thread, job, lambda reason: CommandFailed(ticket, command, f"cannot save the {describe(command)}: {reason}"))
        return ticket

    def observe(self, incident_id: str, text: str, kind: str, *, automatic: bool) -> None:
        """A pane's observation. An automatic one (a level change every terminal sees) is
        logged by one terminal only; with the incident resolved it is not news."""

        def job() -> None:
            state = self._state_for(incident_id)
            if not state.is_open or (automatic and not logs_shared_observations(state, self.operator, self.core.commander_role)):
                return
            command = LogEntry(text, kind)
            if self._writer.write(incident_id, self.core.plan(command, state), next(self._tickets), command) is not None:
                self._catch_up(incident_id)

        self._store(job, "cannot log the observation")

    # --- updates, escalations, export ----------------------------------------------------------
    def post_update(self, incident_id: str, text: str, template: str | None = None, audience: str = "internal") -> None:
        def record() -> None:
            event = self.core.update_event(text, template, audience)
            stored = self._writer.write(incident_id, [event], next(self._tickets), LogEntry(text))
            if stored is None:
                # Kept with the entries typed offline; sent to its targets once the store has it.
                self._post(UpdateQueued(incident_id, self._writer.waiting))
                return
            self._catch_up(incident_id)
            self._deliver_update(stored[0])

        self._run(self._store_thread, record, lambda reason: UpdateFailed(incident_id, text, template, reason, audience))

    def _deliver_update(self, update: StoredEvent) -> None:
        """To the webhooks, on the slow thread: a slow receiver never holds up an entry."""
        incident_id = update.incident_id

        def deliver() -> None:
            results = asyncio.run(self.core.deliver_update(incident_id, update))
            self._post(UpdateDelivered(incident_id, update.seq, results))
            self._then_catch_up(incident_id)

        self._run(self._slow_thread, deliver, lambda reason: StoreFailed("cannot record the delivery", reason))

    def retry_deliveries(self, incident_id: str) -> None:
        def job() -> None:
            results = asyncio.run(self.core.retry_deliveries(incident_id))
            self._post(DeliveriesRetried(incident_id, results))
            self._then_catch_up(incident_id)

        self._run(self._slow_thread, job, lambda reason: StoreFailed("cannot retry deliveries", reason))

    def log_due_escalations(self, incident_id: str) -> None:
        def log_steps() -> None:
            logged = self.core.log_due_escalations(incident_id)
            self._catch_up(incident_id)
            if logged:
                self._post(EscalationsLogged(incident_id, [step for step, _ in logged]))
                entries = [entry for _, entry in logged]
                self._run(self._slow_thread, lambda: deliver(entries), lambda reason: StoreFailed("cannot post the escalation", reason))

        def deliver(entries: list[StoredEvent]) -> None:
            for entry in entries:
                asyncio.run(self.core.deliver_escalation(incident_id, entry))
            self._then_catch_up(incident_id)

        self._store(log_steps, "cannot log the escalation")

    def export(self, incident_id: str, fmt: str, folder: Path | None = None) -> None:
        def job() -> None:
            self._post(Exported(incident_id, fmt, self.core.export_to_file(incident_id, fmt, folder)))

        self._run(self._slow_thread, job, lambda reason: StoreFailed("cannot export", reason))

    # --- outages and presence (asked for by the sync thread) -------------------------------------
    def retry_offline(self) -> None:
        """Send what waits in the outbox; once it is all there, catch up with the others."""
        if self._retry_queued.is_set():
            return
        self._retry_queued.set()

        def job() -> None:
            try:
                if not self._writer.flush():
                    return  # still away; what was sent is said once it can be shown
                back = self._writer.back()
                if self.loaded_id is not None:
                    self._catch_up(self.loaded_id)
                for done in self._writer.take_settled():
                    self._post(done)
                if back is not None:
                    self._post(back)
                if self._start_waits and self.loaded_id is None:
                    self._start_waits = False
                    self._post(IncidentsListed(self.core.incidents(), "start"))
                self._heartbeat()
            finally:
                self._retry_queued.clear()

        self._store(job, "cannot send what was typed offline")

    def _sent_from_outbox(self, event: StoredEvent) -> None:
        if event.type is EventType.UPDATE_POSTED:
            self._deliver_update(event)  # its targets hear of it now the record has it

    def heartbeat(self) -> None:
        def job() -> None:
            try:
                self._heartbeat()
            except StoreUnreachable as exc:
                self._writer.went_offline(str(exc))
            except Exception as exc:  # noqa: BLE001 - presence is a nicety: logged, never a popup every 10 s
                log.warning("presence: %s", _reason(exc))

        self._store(job, "cannot say who is here")

    def _heartbeat(self) -> None:
        incident_id = self.loaded_id
        if incident_id is None or self._writer.offline:
            return
        now = self.core.clock.now()
        self.core.store.heartbeat(incident_id, self.operator, self.terminal, now)
        present = self.core.store.present(incident_id, now)
        seen = sorted((p.operator, p.terminal) for p in present)
        if seen != self._presence:
            self._presence = seen
            self._post(PresenceSeen(incident_id, present))

    # --- lifecycle ------------------------------------------------------------------------
    def drain(self, timeout: float = 30.0) -> None:
        """Block until everything asked so far (and what it led to) is done; for tests and exit."""
        if self._closed:
            return
        for executor in (self._store_thread, self._slow_thread, self._store_thread):
            marker: Future[None] = executor.submit(lambda: None)
            marker.result(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Finish what is queued (entries typed just before quitting are kept), then stop."""
        try:
            self.drain(timeout)
        except Exception:  # noqa: BLE001 - a hung store must not hold up quitting forever
            log.warning("incident session: pending work did not finish within %ss", timeout)
        self._closed = True
        self._sync.stop()
        self._store_thread.shutdown(wait=False, cancel_futures=True)
        self._slow_thread.shutdown(wait=False, cancel_futures=True)
