"""Which escalation steps fell due while the incident was not mitigated, and are not logged.

timers.countdowns() shows the ladder; this decides what to *record*. Each step is logged
once, as an observation entry carrying a key in its data. The key includes when the current
severity was set, so raising SEV2 -> SEV1 starts SEV1's ladder afresh (as the countdowns
do) while a restart of the app, or a second terminal, finds the step already logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from app.config import Config
from app.config.incident import EscalationStep
from app.config.types import format_duration
from app.domain.events import EntryKind, EventType, NewEvent, StoredEvent
from app.domain.incident import IncidentState
from app.domain.timefmt import human_duration, short_dual, utc_iso
from app.domain.timers import deadline, progress_before, step_base, step_stopped_at

DATA_KEY = "escalation"


@dataclass(frozen=True)
class DueEscalation:
    key: str
    severity: str
    index: int
    to: str
    after: timedelta
    due_at: datetime
    step: EscalationStep | None = None

    def text(self, tz=None) -> str:
        return (
            f"Escalation due: {self.severity} step {self.index + 1}, bring in {self.to}"
            f"{f' [{self.step.contact}]' if self.step is not None and self.step.contact else ''} "
            f"({self.why()}; due {short_dual(self.due_at, tz)})"
        )

    def why(self) -> str:
        since = "the incident was opened" if self.step is not None and self.step.from_ == "opened" else f"{self.severity} was set"
        unless = self.step.unless if self.step is not None else None
        if unless is not None and unless.progress_within is not None:
            return f"no progress in the {format_duration(unless.progress_within)} before it fell due"
        if not self.after:
            # A step at 0 is the runbook's "0 min: page the on-call engineer", not a lapse.
            return "due as the incident opened" if since.startswith("the incident") else f"due as {since}"
        words = {"acknowledged": "not acknowledged", "resolved": "not resolved"}
        word = words.get(unless.milestone or "", "not mitigated") if unless is not None else "not mitigated"
        return f"{word} {human_duration(self.after)} after {since}"


def escalation_key(severity: str, index: int, since: datetime) -> str:
    return f"{severity}/{index}/{utc_iso(since)}"


def logged_escalation_keys(events: Iterable[StoredEvent]) -> set[str]:
    return {
        str(e.data[DATA_KEY])
        for e in events
        if e.type is EventType.ENTRY_ADDED and DATA_KEY in e.data
    }


def due_escalations(
    state: IncidentState, events: Iterable[StoredEvent], config: Config, now: datetime
) -> list[DueEscalation]:
    """Steps whose time has come, while open and their condition (not mitigated, not
    acknowledged, not resolved, no progress) holds, not yet logged; in order of time."""
    if not state.is_open or state.opened_at is None:
        return []
    severity = config.severity(state.severity)
    if severity is None:
        return []
    logged = logged_escalation_keys(events)
    hours = config.incident.business_hours
    due: list[DueEscalation] = []
    for index, step in enumerate(severity.escalation):
        base = step_base(step, state)
        if base is None or step_stopped_at(step, state) is not None:
            continue
        due_at = deadline(base, step.after, severity, hours)
        if due_at > now or progress_before(step, state, due_at) is not None:
            continue
        key = escalation_key(severity.name, index, base)
        if key not in logged:
            due.append(DueEscalation(key, severity.name, index, step.to, step.after, due_at, step))
    return sorted(due, key=lambda d: (d.due_at, d.index))


def escalation_entry(due: DueEscalation, actor: str, now: datetime, tz=None) -> NewEvent:
    """The observation that records one due step (its data key makes it idempotent)."""
    return NewEvent(
        EventType.ENTRY_ADDED,
        now,
        actor,
        {"kind": EntryKind.OBSERVATION.value, "text": due.text(tz), DATA_KEY: due.key, "to": due.to},
    )
