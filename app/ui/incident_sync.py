"""Which incident is on screen, kept in step with the store: load and resume it, open or
switch incidents, append events durably in thread workers, and fold in events other
processes wrote. A mixin for WarroomApp, kept apart so app.py stays about layout and keys.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work

from app.domain.events import NewEvent, StoredEvent
from app.domain.incident import IncidentState, fold
from app.errors import WarroomError
from app.logfile import log_exception
from app.store.base import IncidentSummary
from app.ui.screens.open_incident import OpenIncidentScreen
from app.ui.screens.pickers import ChoiceScreen

if TYPE_CHECKING:
    from app.ui.app import WarroomApp

log = logging.getLogger(__name__)

NEW_INCIDENT = "\x00new"  # picker value meaning "open a new incident"


class IncidentSync:
    """Mixed into WarroomApp; relies on its store, config, clock, state and panel widgets."""

    def _store_failed(self: WarroomApp, what: str, exc: BaseException) -> None:
        """One place for store errors: a person gets a line, the log gets the trace."""
        try:
            log_exception(exc)
        except OSError:
            pass
        reason = str(exc) if isinstance(exc, WarroomError) else f"{type(exc).__name__}: {exc}"
        self.notify(f"{what}: {reason}", title="Not saved" if "save" in what else "Store problem", severity="error", timeout=10)

    @work(thread=True, group="store.load", exit_on_error=False)
    def _list_incidents(self: WarroomApp, then: Callable[[list[IncidentSummary]], None]) -> None:
        try:
            summaries = self.store.incidents()
        except (WarroomError, sqlite3.Error, OSError) as exc:
            self.call_from_thread(self._store_failed, "cannot list incidents", exc)
            return
        self.call_from_thread(then, summaries)

    def load_start(self: WarroomApp) -> None:
        """On start: resume the open incident, ask which if several, or offer to open one."""
        self._list_incidents(self._choose_start)

    def _choose_start(self: WarroomApp, summaries: list[IncidentSummary]) -> None:
        open_ = [s for s in summaries if s.is_open]
        if len(open_) == 1:
            self.load_incident(open_[0].id)
        elif open_:
            self._pick_incident(open_, "Several incidents are open: which one?")
        else:
            self.action_open_incident()

    @work(thread=True, group="store.load_incident", exclusive=True, exit_on_error=False)
    def load_incident(self: WarroomApp, incident_id: str) -> None:
        try:
            state = fold(incident_id, self.store.events(incident_id))
        except (WarroomError, sqlite3.Error, OSError) as exc:
            self.call_from_thread(self._store_failed, f"cannot load {incident_id}", exc)
            return
        self.call_from_thread(self._show_incident, state)

    def _show_incident(self: WarroomApp, state: IncidentState) -> None:
        self.state = state
        self.sub_title = state.id
        self._bell_seeded = False
        self.timeline.load(state)
        self._refresh_panel(rebuild_checklist=True)

    @work(thread=True, group="store.write", exit_on_error=False)
    def _open(self: WarroomApp, title: str, severity: str) -> None:
        try:
            opened = self.store.open_incident(
                title=title, severity=severity, actor=self.config.operator, at=self.clock.now(), id_format=self.config.incident.id_format
            )
            state = fold(opened.incident_id, self.store.events(opened.incident_id))
        except (WarroomError, sqlite3.Error, OSError, ValueError) as exc:
            self.call_from_thread(self._store_failed, "cannot save the new incident", exc)
            self.call_from_thread(self.push_screen, OpenIncidentScreen(self.config.severities, title=title, severity=severity), self._opened_screen_done)
            return
        self.call_from_thread(self._show_incident, state)

    def append(
        self,
        events: NewEvent | list[NewEvent],
        *,
        on_saved: Callable[[], None] | None = None,
        on_failed: Callable[[], None] | None = None,
    ) -> None:
        """Append to the current incident in a thread; the UI updates once durable."""
        if self.state is None:
            self.notify("No incident open: press o to open one.", severity="warning")
            if on_failed:
                on_failed()
            return
        self._append_worker(self.state.id, events if isinstance(events, list) else [events], on_saved, on_failed)

    @work(thread=True, group="store.write", exit_on_error=False)
    def _append_worker(self: WarroomApp, incident_id: str, events: list[NewEvent], on_saved, on_failed) -> None:
        try:
            for event in events:
                self.store.append(incident_id, event)
            # Fetch from our last seen seq, not just our own event: another process may
            # have written in between, and the fold needs events in order.
            after = self.state.last_seq if self.state and self.state.id == incident_id else 0
            new = self.store.events(incident_id, after_seq=after)
        except (WarroomError, sqlite3.Error, OSError, ValueError) as exc:
            self.call_from_thread(self._store_failed, "cannot save", exc)
            if on_failed:
                self.call_from_thread(on_failed)
            return
        self.call_from_thread(self._apply_events, incident_id, new)
        if on_saved:
            self.call_from_thread(on_saved)

    def _poll(self: WarroomApp) -> None:
        if self.state is not None and not self._polling:
            self._polling = True
            self._poll_worker(self.state.id, self.state.last_seq)

    @work(thread=True, group="store.poll", exit_on_error=False)
    def _poll_worker(self: WarroomApp, incident_id: str, after: int) -> None:
        try:
            if self.store.changed():
                new = self.store.events(incident_id, after_seq=after)
                if new:
                    self.call_from_thread(self._apply_events, incident_id, new)
        except (WarroomError, sqlite3.Error, OSError) as exc:
            log.warning("poll failed: %s", exc)
        finally:
            self._polling = False

    def _apply_events(self: WarroomApp, incident_id: str, events: list[StoredEvent]) -> None:
        state = self.state
        if state is None or state.id != incident_id:
            return
        before = len(state.timeline)
        severity = state.severity
        for event in events:
            state.apply(event)
        new_items = state.timeline[before:]
        if not new_items:
            return
        self.timeline.apply_events(state, new_items)
        self._refresh_panel(rebuild_checklist=state.severity != severity)


    def action_open_incident(self: WarroomApp) -> None:
        self.push_screen(OpenIncidentScreen(self.config.severities), self._opened_screen_done)

    def _opened_screen_done(self: WarroomApp, result: tuple[str, str] | None) -> None:
        if result is not None:
            self._open(*result)
        elif self.state is None:
            self._refresh_panel()

    def action_switch_incident(self: WarroomApp) -> None:
        self._list_incidents(lambda summaries: self._pick_incident(summaries, "Switch incident"))

    def _pick_incident(self: WarroomApp, summaries: list[IncidentSummary], title: str) -> None:
        ordered = sorted(summaries, key=lambda s: not s.is_open)  # stable: open first, newest first
        choices: list[tuple[str, str]] = [
            (s.id, f"{s.id}  {s.severity}  {s.status:<13} {s.opened_at.astimezone(self.tz):%Y-%m-%d %H:%M}  {s.title}")
            for s in ordered
        ]
        choices.append((NEW_INCIDENT, "＋ open a new incident"))

        def done(choice: str | None) -> None:
            if choice == NEW_INCIDENT:
                self.action_open_incident()
            elif choice:
                self.load_incident(choice)
            elif self.state is None:
                self._refresh_panel()

        self.push_screen(ChoiceScreen(title, choices, self.state.id if self.state else None), done)
