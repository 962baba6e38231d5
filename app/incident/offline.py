"""Writing through an outage: the store or, while it is out of reach, the local outbox.

Runs on the session's store thread only. While anything is waiting in the outbox every new
event joins the queue behind it, so the store receives events in the order they were typed.
Each event keeps the id it was made with and the store keeps an id once, so a retry after a
lost acknowledgement, or after a kill -9 between "stored" and "removed from the outbox",
never doubles an entry.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.domain.clock import Clock
from app.domain.events import NewEvent, StoredEvent
from app.domain.incident import IncidentState
from app.errors import StoreError, StoreUnreachable
from app.incident.commands import Command
from app.incident.results import CommandDone, CommandQueued, StoreBack, StoreFailed, StoreOffline
from app.store.base import IncidentStore
from app.store.outbox import Outbox

log = logging.getLogger(__name__)


class OfflineWriter:
    def __init__(
        self, store: IncidentStore, outbox: Outbox | None, post: Callable[[Any], Any], clock: Clock,
        on_sent: Callable[[StoredEvent], None] | None = None,
    ) -> None:
        self.store = store
        self._on_sent = on_sent
        self.outbox = outbox
        self._post = post
        self._clock = clock
        self.since: datetime | None = None
        self.reason = ""
        self._waiting = outbox.count() if outbox is not None else 0
        self._tickets: dict[str, tuple[int, Command]] = {}  # last event id of a command -> its ticket
        self._settled: list[CommandDone] = []  # sent; said once the screen can show them (take_settled)
        self._sent = 0  # since the outage began

    @property
    def waiting(self) -> int:
        return self._waiting

    @property
    def offline(self) -> bool:
        return self.since is not None or self._waiting > 0

    def went_offline(self, reason: str) -> None:
        """A read or write found the store out of reach."""
        if self.outbox is None:
            return
        self._mark_offline(reason)
        self._say_offline()

    def _mark_offline(self, reason: str) -> None:
        if self.since is None:
            self.since = self._clock.now()
            log.warning("incident store out of reach: %s", reason)
        self.reason = reason

    def _say_offline(self) -> None:
        assert self.since is not None
        self._post(StoreOffline(self.since, self._waiting, self.reason))

    def write(self, incident_id: str, events: list[NewEvent], ticket: int, command: Command) -> list[StoredEvent] | None:
        """The stored events, or None when they went to the outbox (CommandQueued is posted)."""
        stored: list[StoredEvent] = []
        if not self.offline:
            for index, event in enumerate(events):
                try:
                    stored.append(self.store.append(incident_id, event))
                except StoreUnreachable as exc:
                    if self.outbox is None:
                        raise
                    self._mark_offline(str(exc))
                    events = events[index:]  # the rest; a lost acknowledgement is safe to resend
                    break
            else:
                return stored
        assert self.outbox is not None, "offline implies an outbox"
        self.outbox.put(incident_id, events)
        self._waiting += len(events)
        self._tickets[events[-1].id] = (ticket, command)
        self._mark_offline(self.reason)  # also when only left-overs from a last run were waiting
        self._post(CommandQueued(ticket, command, self._waiting))
        self._say_offline()
        return None

    def flush(self) -> bool:
        """Send what waits, oldest first; stops at the first sign the store is still away.
        True when nothing waits any more (then `back()`)."""
        if self.outbox is None:
            return True
        waiting = self.outbox.pending()
        if not waiting:
            try:
                self.store.incidents()  # nothing to send: is it back, though?
            except StoreUnreachable as exc:
                self.went_offline(str(exc))
                return False
        for queued in waiting:
            try:
                stored = self.store.append(queued.incident_id, queued.event)
            except StoreUnreachable as exc:
                self._waiting = self.outbox.count()
                self.went_offline(str(exc))
                return False
            except StoreError as exc:
                # The store will never take it (say, the incident was removed): kept aside in
                # the outbox file for a person, never silently dropped.
                self.outbox.refuse(queued.position, str(exc))
                log.error("an event typed offline was refused by the store: %s (%s)", exc, queued.event)
                self._post(StoreFailed("an entry typed while offline was refused; it is kept in " + str(self.outbox.path), str(exc)))
                continue
            self.outbox.sent(queued.position)
            self._sent += 1
            if self._on_sent is not None:
                self._on_sent(stored)
            done = self._tickets.pop(queued.event.id, None)
            if done is not None:
                self._settled.append(CommandDone(done[0], done[1], [stored]))
        self._waiting = 0
        return True

    def back(self) -> StoreBack | None:
        """After a flush that sent everything: the outage is over (None if there was none)."""
        if self.since is None and not self._sent:
            return None
        back = StoreBack(self._sent)
        self.since, self._sent = None, 0
        return back

    def take_settled(self) -> list[CommandDone]:
        """Commands now in the store, to be said after the catch-up that shows them, so a
        line never leaves "not yet shared" before it is in the timeline."""
        settled, self._settled = self._settled, []
        return settled

    def planning_view(self, state: IncidentState) -> IncidentState:
        """The incident as it will be once the outbox is sent: commands typed offline are
        checked against what was typed before them (tick, then untick)."""
        if self.outbox is None or not self._waiting:
            return state
        queued = [q.event for q in self.outbox.pending() if q.incident_id == state.id]
        if not queued:
            return state
        view = copy.deepcopy(state)
        for event in queued:  # seqs made up for this copy only
            view.apply(StoredEvent(view.last_seq + 1, state.id, event.type, event.at, event.actor, event.data, event.id))
        return view
