"""The commander's record keys: the update composer, delivery retries, escalations,
milestone corrections and the export. A mixin for WarroomApp, kept apart so app.py stays
about layout and the event log.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work

from app.domain.escalation import due_escalations, escalation_entry
from app.domain.events import EventType, Milestone, NewEvent
from app.domain.incident import IncidentState, fold
from app.domain.record import export
from app.domain.timers import Countdown, TimerState
from app.errors import WarroomError
from app.ui.screens.pickers import ChoiceScreen
from app.ui.screens.prompt import TextPromptScreen
from app.ui.screens_update import ComposedUpdate, UpdateComposer

if TYPE_CHECKING:
    from app.ui.app import WarroomApp

COMMANDER = "Incident Commander"
EXPORT_FORMATS = [("markdown", "markdown: post-mortem draft"), ("yaml", "yaml: incident record"), ("json", "json: every event")]
_EXT = {"markdown": "md", "yaml": "yaml", "json": "json"}


def _post_failures() -> tuple[type[BaseException], ...]:
    return (WarroomError, sqlite3.Error, OSError, ValueError)


class RecordActions:
    """Mixed into WarroomApp; relies on its store, config, clock, state and append()."""

    def logs_shared_observations(self: WarroomApp, state: IncidentState) -> bool:
        """What every open terminal sees alike (escalations, level changes) is logged by one:
        the Incident Commander's; with no commander assigned, by every terminal."""
        commander = state.roles.get(COMMANDER)
        return not commander or commander == self.config.operator

    @work(thread=True, group="store.pull", exit_on_error=False)
    def pull_events(self: WarroomApp, incident_id: str) -> None:
        """Fold in what we wrote ourselves outside append(): our own connection's writes
        do not change SQLite's data_version, so the change poll would not see them."""
        state = self.state
        try:
            new = self.store.events(incident_id, after_seq=state.last_seq if state and state.id == incident_id else 0)
        except _post_failures() as exc:
            self.call_from_thread(self._store_failed, "cannot read the incident", exc)
            return
        if new:
            self.call_from_thread(self._apply_events, incident_id, new)

    # --- status updates ------------------------------------------------------------------
    def action_record_update(self: WarroomApp) -> None:
        """`u`: compose the next update from its template, then record and deliver it."""
        if self._require_incident() is None:
            return
        self._open_composer(self.state.id)

    @work(thread=True, group="store.composer", exclusive=True, exit_on_error=False)
    def _open_composer(self: WarroomApp, incident_id: str) -> None:
        try:
            events = self.store.events(incident_id)
        except _post_failures() as exc:
            self.call_from_thread(self._store_failed, "cannot read the incident", exc)
            return
        state = fold(incident_id, events)
        opened_impact = events[0].data.get("impact") if events else None
        screen = UpdateComposer.for_incident(state, self.config, self.clock.now(), opened_impact=opened_impact)
        self.call_from_thread(self.push_screen, screen, lambda result: self._update_composed(incident_id, result))

    def _update_composed(self: WarroomApp, incident_id: str, result: ComposedUpdate | None) -> None:
        if result is not None:
            self._post_update(incident_id, result)

    @work(group="status-update", exit_on_error=False)
    async def _post_update(self: WarroomApp, incident_id: str, result: ComposedUpdate) -> None:
        from app.notify import post_update

        try:
            posted = await post_update(
                self.store, incident_id, result.text, config=self.config, clock=self.clock,
                actor=self.config.operator, template=result.template,
            )
        except _post_failures() as exc:
            self._store_failed("cannot save the update", exc)
            # Nothing typed is lost: reopen the composer with the text as it was.
            self.push_screen(
                UpdateComposer({result.template: result.text}, result.template, incident=incident_id),
                lambda again: self._update_composed(incident_id, again),
            )
            return
        lines = [r.summary() for r in posted.results]
        self.notify(
            "\n".join(lines) or "Update recorded (no webhooks configured).",
            title="Status update", severity="information" if posted.all_ok else "error", markup=False,
            timeout=8,
        )
        self.pull_events(incident_id)

    def action_retry_updates(self: WarroomApp) -> None:
        """`U`: re-send every update whose delivery failed."""
        if self._require_incident() is None:
            return
        self._retry_updates(self.state.id)

    @work(group="status-update", exit_on_error=False)
    async def _retry_updates(self: WarroomApp, incident_id: str) -> None:
        from app.notify import retry_failed

        try:
            results = await retry_failed(self.store, incident_id, config=self.config, clock=self.clock, actor=self.config.operator)
        except _post_failures() as exc:
            self._store_failed("cannot retry deliveries", exc)
            return
        # retry_failed returns (update seq, result) pairs, not bare results.
        lines = [f"update #{seq}: {r.summary()}" for seq, r in results]
        self.notify("\n".join(lines) or "Nothing to retry: every update was delivered.", markup=False,
                    severity="information" if all(r.ok for _, r in results) else "error")
        self.pull_events(incident_id)

    # --- escalation ----------------------------------------------------------------------
    def check_escalations(self: WarroomApp, items: list[Countdown]) -> None:
        """Called each tick: a step that just fell due is logged once (and posted)."""
        state = self.state
        if state is None or not state.is_open:
            return
        due = {(state.id, c.key, c.due_at) for c in items if c.key.startswith("escalation") and c.state is TimerState.OVERDUE}
        fresh = due - self._escalations_seen
        if not fresh:
            return
        self._escalations_seen |= fresh
        # (with no commander assigned, the event's key makes a re-check find it logged)
        if self.logs_shared_observations(state):
            self._log_escalations(state.id)

    @work(group="escalation", exclusive=True, exit_on_error=False)
    async def _log_escalations(self: WarroomApp, incident_id: str) -> None:
        from app.notify import deliver_escalation

        try:
            events = self.store.events(incident_id)
            state = fold(incident_id, events)
            for due in due_escalations(state, events, self.config, self.clock.now()):
                entry = self.store.append(incident_id, escalation_entry(due, self.config.operator, self.clock.now(), self.tz))
                self.notify(due.text(self.tz), title="Escalation due", severity="warning", markup=False, timeout=15)
                await deliver_escalation(self.store, incident_id, entry, config=self.config, clock=self.clock, actor=self.config.operator)
        except _post_failures() as exc:
            self._store_failed("cannot log the escalation", exc)
        self.pull_events(incident_id)

    # --- milestones ------------------------------------------------------------------------
    def action_milestone(self: WarroomApp) -> None:
        """`m`: mark a milestone now; one already marked can have its time corrected."""
        state = self._require_incident()
        if state is None:
            return
        choices = [
            (m, f"{m.value}" + (f"  (marked {state.milestones[m].astimezone(self.tz):%H:%M:%S}: Enter corrects it)" if m in state.milestones else ""))
            for m in Milestone
        ]

        def chosen(milestone: Milestone | None) -> None:
            if milestone is None or self.state is None:
                return
            if milestone in self.state.milestones:
                self._correct_milestone(milestone)
            else:
                self._mark_milestone(milestone)

        self.push_screen(ChoiceScreen("Milestone", choices, hint="Enter, then the time (now, or when it happened) · Esc cancel"), chosen)

    def _mark_milestone(self: WarroomApp, milestone: Milestone) -> None:
        """Asks when, pre-filled with now: detection is usually earlier than the person noticing."""
        from app.cli_record import parse_when

        asked_at = self.clock.now()
        shown = asked_at.astimezone(self.tz).strftime("%H:%M:%S")

        def got_time(text: str | None) -> None:
            if not text:
                return
            try:
                at = asked_at if text.strip() == shown else parse_when(text, self.tz, self.clock.now())
            except (ValueError, WarroomError) as exc:
                self.notify(f"{text!r}: {exc}", severity="error", markup=False)
                self.push_screen(TextPromptScreen(f"When was it {milestone.value}? (HH:MM or ISO)", initial=text), got_time)
                return
            self.append(NewEvent(EventType.MILESTONE_MARKED, self.clock.now(), self.config.operator,
                                 {"milestone": milestone.value, "at": at.isoformat()}))

        self.push_screen(
            TextPromptScreen(f"When was it {milestone.value}? Enter = now, or type HH:MM", initial=shown, placeholder="14:05"), got_time
        )

    def _correct_milestone(self: WarroomApp, milestone: Milestone) -> None:
        from app.cli_record import parse_when

        previous = self.state.milestones[milestone]

        def got_time(text: str | None) -> None:
            if not text:
                return
            try:
                at = parse_when(text, self.tz, self.clock.now())
            except (ValueError, WarroomError) as exc:
                self.notify(f"{text!r}: {exc}", severity="error", markup=False)
                self.push_screen(TextPromptScreen(f"When was it {milestone.value}? (HH:MM or ISO)", initial=text), got_time)
                return

            def got_reason(reason: str | None) -> None:
                if reason:
                    self.append(NewEvent(EventType.MILESTONE_CORRECTED, self.clock.now(), self.config.operator, {
                        "milestone": milestone.value, "at": at.isoformat(), "reason": reason, "previous": previous.isoformat(),
                    }))

            self.push_screen(TextPromptScreen(f"Why correct {milestone.value}?", placeholder="reason (kept in the record)"), got_reason)

        shown = previous.astimezone(self.tz).strftime("%H:%M:%S")
        self.push_screen(
            TextPromptScreen(f"{milestone.value} is marked at {shown}. Correct time (HH:MM or ISO):", placeholder="14:05"), got_time
        )

    # --- export ----------------------------------------------------------------------------
    def action_export(self: WarroomApp) -> None:
        """`e`: write the record next to where warroom was started."""
        if self._require_incident() is None:
            return
        incident_id = self.state.id

        def chosen(fmt: str | None) -> None:
            if fmt:
                self._export(incident_id, fmt)

        self.push_screen(ChoiceScreen("Export the record", EXPORT_FORMATS, "markdown"), chosen)

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self: WarroomApp, incident_id: str, fmt: str) -> None:
        try:
            events = self.store.events(incident_id)
            text = export(fmt, fold(incident_id, events), events, self.config, self.clock.now())
            suffix = "-postmortem" if fmt == "markdown" else ""
            path = Path.cwd() / f"{incident_id}{suffix}.{_EXT[fmt]}"
            path.write_text(text, encoding="utf-8")
        except _post_failures() as exc:
            self.call_from_thread(self._store_failed, "cannot export", exc)
            return
        self.call_from_thread(self.notify, f"Wrote {path}", title="Exported", markup=False, timeout=10)
