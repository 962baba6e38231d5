"""Time to acknowledge / mitigate / resolve, from the milestones (live while still running).

The clock starts at the detected milestone when one is marked (an alert often fires before
anyone opens the incident), otherwise at the opening. A correction event moves a
milestone, so every figure here follows corrections automatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.domain.events import Milestone
from app.domain.incident import IncidentState
from app.domain.timefmt import human_duration

METRICS = (
    ("time_to_acknowledge", "Time to acknowledge", "TTA", Milestone.ACKNOWLEDGED),
    ("time_to_mitigate", "Time to mitigate", "TTM", Milestone.MITIGATED),
    ("time_to_resolve", "Time to resolve", "TTR", Milestone.RESOLVED),
)


@dataclass(frozen=True)
class MilestoneMetric:
    key: str
    label: str
    short: str
    milestone: Milestone
    value: timedelta | None
    """Start -> milestone; while the milestone is not reached and the incident is open,
    start -> now (running=True). None when it can no longer be measured."""
    running: bool

    @property
    def display(self) -> str:
        if self.value is None:
            return "-"
        return human_duration(self.value) + ("…" if self.running else "")


def clock_start(state: IncidentState) -> datetime | None:
    return state.milestones.get(Milestone.DETECTED) or state.opened_at


def incident_metrics(state: IncidentState, now: datetime) -> list[MilestoneMetric]:
    start = clock_start(state)
    out: list[MilestoneMetric] = []
    for key, label, short, milestone in METRICS:
        reached = state.milestones.get(milestone)
        if start is None:
            value, running = None, False
        elif reached is not None:
            value, running = reached - start, False
        elif state.is_open:
            value, running = now - start, True
        else:
            value, running = None, False
        out.append(MilestoneMetric(key, label, short, milestone, value, running))
    return out


def metrics_json(state: IncidentState, now: datetime) -> dict[str, Any]:
    """{"time_to_acknowledge": {"seconds": 240, "reached": true}, ...} for --json output."""
    return {
        m.key: {"seconds": int(m.value.total_seconds()) if m.value is not None else None, "reached": not m.running and m.value is not None}
        for m in incident_metrics(state, now)
    }


def header_text(state: IncidentState, now: datetime) -> str:
    """'TTA 4m 00s · TTM 22m 10s… · TTR -' for the incident header."""
    return " · ".join(f"{m.short} {m.display}" for m in incident_metrics(state, now))
