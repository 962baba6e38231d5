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
from app.domain.events import EntryKind, EventType, Milestone, NewEvent, StoredEvent
from app.domain.incident import IncidentState
from app.domain.timefmt import human_duration, short_dual, utc_iso

DATA_KEY = "escalation"


@dataclass(frozen=True)
class DueEscalation:
    key: str
    severity: str
    index: int
    to: str
    after: timedelta
    due_at: datetime

    def text(self, tz=None) -> str:
        # A step at 0 is the runbook's "0 min: page the on-call engineer", not a lapse.
        why = f"not mitigated {human_duration(self.after)} after {self.severity} was set" if self.after else f"due as {self.severity} was set"
        return (
            f"Escalation due: {self.severity} step {self.index + 1}, bring in {self.to} "
            f"({why}; due {short_dual(self.due_at, tz)})"
        )


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
    """Steps whose time has come, while open and not mitigated, not yet logged; in order."""
    if not state.is_open or state.opened_at is None:
        return []
    if Milestone.MITIGATED in state.milestones or Milestone.RESOLVED in state.milestones:
        return []
    severity = config.severity(state.severity)
    if severity is None:
        return []
    since = state.severity_since or state.opened_at
    logged = logged_escalation_keys(events)
    due: list[DueEscalation] = []
    for index, step in enumerate(severity.escalation):
        due_at = since + step.after
        if due_at > now:
            break  # steps are in ascending order (validated in config)
        key = escalation_key(severity.name, index, since)
        if key not in logged:
            due.append(DueEscalation(key, severity.name, index, step.to, step.after, due_at))
    return due


def escalation_entry(due: DueEscalation, actor: str, now: datetime, tz=None) -> NewEvent:
    """The observation that records one due step (its data key makes it idempotent)."""
    return NewEvent(
        EventType.ENTRY_ADDED,
        now,
        actor,
        {"kind": EntryKind.OBSERVATION.value, "text": due.text(tz), DATA_KEY: due.key, "to": due.to},
    )
