"""Countdowns derived from the incident's events and the clock, never from a counter.

Bases: the update countdown runs from the last posted update (or the opening);
acknowledgement from the opening; escalation steps from when the current severity
was set (raising SEV3 -> SEV1 starts SEV1's ladder then, not two hours in the past);
the monitoring window from the mitigation milestone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.config.incident import Severity
from app.domain.events import Milestone
from app.domain.incident import IncidentState


class TimerState(StrEnum):
    OK = "ok"
    DUE_SOON = "due soon"
    OVERDUE = "overdue"
    MET = "met"


SYMBOLS = {TimerState.OK: "●", TimerState.DUE_SOON: "▲", TimerState.OVERDUE: "✖", TimerState.MET: "✔"}


@dataclass(frozen=True)
class Countdown:
    key: str
    label: str
    due_at: datetime
    remaining: timedelta
    state: TimerState
    met_at: datetime | None = None

    @property
    def alarming(self) -> bool:
        """Overdue countdowns that need a person (the watch window ending is good news)."""
        return self.state is TimerState.OVERDUE


def _state(remaining: timedelta, due_soon: timedelta) -> TimerState:
    if remaining <= timedelta(0):
        return TimerState.OVERDUE
    if remaining <= due_soon:
        return TimerState.DUE_SOON
    return TimerState.OK


def countdowns(
    state: IncidentState,
    severity: Severity | None,
    now: datetime,
    *,
    due_soon: timedelta = timedelta(minutes=5),
    monitoring_window: timedelta = timedelta(minutes=30),
) -> list[Countdown]:
    if state.opened_at is None:
        return []
    out: list[Countdown] = []
    open_ = state.is_open
    acked = state.milestones.get(Milestone.ACKNOWLEDGED)
    mitigated = state.milestones.get(Milestone.MITIGATED)
    resolved = state.milestones.get(Milestone.RESOLVED)

    if severity and severity.update_every is not None and open_:
        base = max(state.last_update_at or state.opened_at, state.opened_at)
        due = base + severity.update_every
        out.append(Countdown("update", "Next status update", due, due - now, _state(due - now, due_soon)))

    if severity and severity.respond_within is not None:  # 0 is "due at once", not "none"
        due = state.opened_at + severity.respond_within
        if acked:
            out.append(Countdown("ack", "Acknowledge", due, due - acked, TimerState.MET, acked))
        elif open_:
            out.append(Countdown("ack", "Acknowledge", due, due - now, _state(due - now, due_soon)))

    if severity:
        base = state.severity_since or state.opened_at
        stop = mitigated or resolved
        for i, step in enumerate(severity.escalation):
            due = base + step.after
            label = f"Escalate to {step.to}"
            if stop and stop <= due:
                out.append(Countdown(f"escalation:{i}", label, due, due - stop, TimerState.MET, stop))
            elif open_ and not stop:
                out.append(Countdown(f"escalation:{i}", label, due, due - now, _state(due - now, due_soon)))

    if mitigated and not resolved:
        due = mitigated + monitoring_window
        remaining = due - now
        st = TimerState.MET if remaining <= timedelta(0) else TimerState.OK
        out.append(Countdown("monitoring", "Post-mitigation watch", due, remaining, st))
    return out


SECONDS_WITHIN = timedelta(minutes=10)
"""Closer than this (either side of the deadline) a countdown shows seconds; further away,
whole minutes. Nobody acts on the seconds of a deadline 25 minutes off, and a line that
changes once a minute is repainted once a minute: an idle dashboard stays cheap."""


def format_remaining(delta: timedelta) -> str:
    """'9:05' (minutes:seconds) within 10 minutes, '12m' (whole minutes, rounded down) further
    off, '1h02m' past an hour; a leading '-' when overdue ('-3:10', '-25m')."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    if seconds >= SECONDS_WITHIN.total_seconds():
        return f"{sign}{minutes}m"
    return f"{sign}{minutes}:{secs:02d}"
