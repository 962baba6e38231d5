"""Countdowns derived from the incident's events and the clock, never from a counter.

Bases: the update countdown runs from the last posted update (or the opening), and with
`update_on_status_change` a status change since then makes it due at once;
acknowledgement from the opening; escalation steps from when the current severity
was set (raising SEV3 -> SEV1 starts SEV1's ladder then, not two hours in the past), or
from the opening (`from: opened`); the monitoring window from the mitigation milestone.
A severity on the business clock counts its durations in business hours only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.config import Config
from app.config.business_hours import BusinessHours
from app.config.incident import EscalationStep, Severity, obligation_id
from app.domain.business_time import add_business_time
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


def deadline(base: datetime, duration: timedelta, severity: Severity, hours: BusinessHours | None) -> datetime:
    """`base + duration`, counted in business hours for a severity on the business clock."""
    if severity.clock == "business" and hours is not None:
        return add_business_time(base, duration, hours)
    return base + duration


def step_base(step: EscalationStep, state: IncidentState) -> datetime | None:
    if step.from_ == "opened":
        return state.opened_at
    return state.severity_since or state.opened_at


def step_stopped_at(step: EscalationStep, state: IncidentState) -> datetime | None:
    """When the milestone that makes this step unnecessary was reached (None: not yet).
    Mitigation and resolution end every ladder but one that waits for resolution."""
    m = state.milestones
    ends = [m.get(Milestone.RESOLVED)]
    if step.unless.milestone != "resolved":
        ends.append(m.get(Milestone.MITIGATED))
    if step.unless.milestone == "acknowledged":
        ends.append(m.get(Milestone.ACKNOWLEDGED))
    reached = [at for at in ends if at is not None]
    return min(reached) if reached else None


def progress_before(step: EscalationStep, state: IncidentState, due: datetime) -> datetime | None:
    """For a "no progress" step: the latest progress in the window before it fell due."""
    window = step.unless.progress_within
    if window is None:
        return None
    moved = [at for at in state.progress_at if due - window <= at <= due]
    return max(moved) if moved else None


def countdowns(
    state: IncidentState,
    severity: Severity | None,
    now: datetime,
    *,
    due_soon: timedelta = timedelta(minutes=5),
    monitoring_window: timedelta = timedelta(minutes=30),
    business_hours: BusinessHours | None = None,
) -> list[Countdown]:
    if state.opened_at is None:
        return []
    out: list[Countdown] = []
    open_ = state.is_open
    acked = state.milestones.get(Milestone.ACKNOWLEDGED)
    mitigated = state.milestones.get(Milestone.MITIGATED)
    resolved = state.milestones.get(Milestone.RESOLVED)

    def running(key: str, label: str, due: datetime) -> Countdown:
        return Countdown(key, label, due, due - now, _state(due - now, due_soon))

    if severity and severity.update_every is not None and open_:
        base = max(state.last_update_at or state.opened_at, state.opened_at)
        due = deadline(base, severity.update_every, severity, business_hours)
        label = "Next status update"
        changed = state.status_since
        if severity.update_on_status_change and changed is not None and changed > base:
            due, label = min(due, changed), "Status update (status changed)"
        out.append(running("update", label, due))

    if severity and severity.first_response_within is not None:
        due = deadline(state.opened_at, severity.first_response_within, severity, business_hours)
        first = state.first_response_at
        if first is not None:
            out.append(Countdown("respond", "First response", due, due - first, TimerState.MET, first))
        elif open_:
            out.append(running("respond", "First response", due))

    if severity and severity.respond_within is not None:  # 0 is "due at once", not "none"
        due = deadline(state.opened_at, severity.respond_within, severity, business_hours)
        if acked:
            out.append(Countdown("ack", "Acknowledge", due, due - acked, TimerState.MET, acked))
        elif open_:
            out.append(running("ack", "Acknowledge", due))

    for i, step in enumerate(severity.escalation if severity else []):
        since = step_base(step, state)
        if since is None or severity is None:
            continue
        due = deadline(since, step.after, severity, business_hours)
        label = f"Escalate to {step.to}" + (f" {step.unless.label}" if step.unless.label else "")
        stop = step_stopped_at(step, state)
        moved = progress_before(step, state, due) if now >= due else None
        if stop and stop <= due:
            out.append(Countdown(f"escalation:{i}", label, due, due - stop, TimerState.MET, stop))
        elif moved is not None and not stop:
            out.append(Countdown(f"escalation:{i}", label, due, due - moved, TimerState.MET, moved))
        elif open_ and not stop:
            out.append(running(f"escalation:{i}", label, due))

    if resolved and not open_ and severity:
        out.extend(obligations(state, severity, resolved, now, due_soon, business_hours))

    if mitigated and not resolved:
        due = mitigated + monitoring_window
        remaining = due - now
        st = TimerState.MET if remaining <= timedelta(0) else TimerState.OK
        out.append(Countdown("monitoring", "Post-mitigation watch", due, remaining, st))
    return out


def obligations(
    state: IncidentState,
    severity: Severity,
    resolved: datetime,
    now: datetime,
    due_soon: timedelta,
    business_hours: BusinessHours | None,
) -> list[Countdown]:
    """What is owed after resolution, each met by ticking its checklist item."""
    out = []
    for obligation in severity.after_resolution:
        key = obligation_id(obligation.what)
        due = deadline(resolved, obligation.within, severity, business_hours)
        mark = state.checklist.get(key)
        if mark is not None and mark.ticked:
            out.append(Countdown(key, obligation.what, due, due - mark.at, TimerState.MET, mark.at))
        else:
            out.append(Countdown(key, obligation.what, due, due - now, _state(due - now, due_soon)))
    return out


def incident_countdowns(config: Config, state: IncidentState, now: datetime) -> list[Countdown]:
    """Every countdown of an incident under this config (the TUI, confirmations, exports)."""
    settings = config.incident
    return countdowns(
        state,
        config.severity(state.severity),
        now,
        due_soon=settings.due_soon,
        monitoring_window=settings.monitoring_window,
        business_hours=settings.business_hours,
    )


SECONDS_WITHIN = timedelta(minutes=10)
"""Closer than this (either side of the deadline) a countdown shows seconds; further away,
whole minutes. Nobody acts on the seconds of a deadline 25 minutes off, and a line that
changes once a minute is repainted once a minute: an idle dashboard stays cheap."""


def format_remaining(delta: timedelta) -> str:
    """'9:05' (minutes:seconds) within 10 minutes, '12m' (whole minutes, rounded down) further
    off, '1h02m' past an hour, '3d04h' past two days; a leading '-' when overdue ('-3:10', '-25m')."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours >= 48:  # obligations after resolution run for days: '6d23h', not '167h59m'
        return f"{sign}{hours // 24}d{hours % 24:02d}h"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    if seconds >= SECONDS_WITHIN.total_seconds():
        return f"{sign}{minutes}m"
    return f"{sign}{minutes}:{secs:02d}"


def _iso(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at is not None else None


def countdowns_json(items: list[Countdown]) -> dict[str, object]:
    """The countdowns for scripts and exports: each with its due time (ISO, UTC) and, while
    it runs, the seconds left (negative: overdue by that much); a met one says when."""
    running = [c for c in items if c.state is not TimerState.MET]
    soonest = min(running, key=lambda c: c.due_at, default=None)

    def one(c: Countdown) -> dict[str, object]:
        met = c.state is TimerState.MET
        return {
            "key": c.key,
            "label": c.label,
            "state": str(c.state),
            "due_at": _iso(c.due_at),
            "seconds_remaining": None if met else int(c.remaining.total_seconds()),
            "met_at": _iso(c.met_at) if met else None,
        }

    return {"next_deadline": one(soonest) if soonest else None, "countdowns": [one(c) for c in items]}
