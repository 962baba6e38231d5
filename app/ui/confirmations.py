"""Which dialog answers are risky, and what the confirmation says about them.

Three steps are hard to take back in the middle of an incident: handing off (or
unassigning) the Incident Commander, lowering severity (slower updates, a gentler
escalation ladder), and resolving (every clock stops). Each question names exactly what
will happen; resolving also lists what is still open. Everything else applies at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from rich.text import Text

from app.collectors.base import Level
from app.config import Config
from app.domain.incident import IncidentState
from app.domain.timefmt import human_duration
from app.domain.timers import TimerState, format_remaining, incident_countdowns
from app.ui.live_levels import LiveProblem

SHOWN = 3  # names listed per kind of open item: enough to recognise, short enough to read


@dataclass(frozen=True)
class Confirmation:
    question: str
    action: str
    """The action button's label."""
    details: list[Text] = field(default_factory=list)


def handoff(role: str, holders: dict[str, str], person: str, commander: str) -> Confirmation | None:
    """Only the commander's role (`commander`, as configured): the other roles change hands
    often and harmlessly."""
    holder = holders.get(role)
    if role != commander or not holder or holder == person:
        return None
    if person:
        return Confirmation(f"Hand off {role} from {holder} to {person}?", "Hand off",
                            [Text(f"{person} runs the incident from now on; the handoff is logged to the timeline.")])
    return Confirmation(f"Unassign {role} ({holder})?", "Unassign",
                        [Text("Nobody runs the incident until someone is assigned; this is logged to the timeline.")])


def lowering(config: Config, current: str, new: str) -> Confirmation | None:
    """Severities are listed most severe first: a later one is lower."""
    names = [s.name for s in config.severities]
    if current not in names or new not in names or names.index(new) <= names.index(current):
        return None
    before, after = config.severity(current), config.severity(new)
    details = [Text(f"{new}: {after.description}")] if after and after.description else []
    if before and after and before.update_every != after.update_every:
        every = human_duration(after.update_every) if after.update_every else "none required"
        details.append(Text(f"Status updates: every {human_duration(before.update_every) if before.update_every else '-'} → {every}."))
    if after is not None:
        first = after.escalation[0] if after.escalation else None
        ladder = f"first step {first.to} after {human_duration(first.after)}" if first else "no escalation steps"
        details.append(Text(f"Escalation restarts on {new}'s ladder ({ladder})."))
    return Confirmation(f"Lower severity from {current} to {new}?", "Lower severity", details)


def resolving(config: Config, state: IncidentState, now: datetime, tz: tzinfo | None, problems: list[LiveProblem],
              at: datetime | None = None) -> Confirmation:
    when = (at or now).astimezone(tz).strftime("%H:%M:%S")
    details = [Text(f"Marks {state.id} resolved at {when} and stops every countdown.")]
    still_open = open_items(config, state, now, problems)
    details.append(Text("Still open:" if still_open else "Nothing is still open.", style="bold"))
    details.extend(still_open)
    return Confirmation(f"Resolve {state.id} ({state.title})?", "Resolve", details)


def open_items(config: Config, state: IncidentState, now: datetime, problems: list[LiveProblem]) -> list[Text]:
    lines: list[Text] = []
    failing = [p for p in problems if p.level in (Level.CRIT, Level.UNKNOWN)]
    for p in failing[:SHOWN]:
        # Check names and summaries come from the targets: Text, never markup.
        lines.append(Text(f"{p.level.symbol} {p.level.word} {p.source} {p.name}: {p.summary}"))
    if len(failing) > SHOWN:
        lines.append(Text(f"  … {len(failing) - SHOWN} more checks CRIT or UNKNOWN"))
    items = [i for i in config.checklist_for(state.severity) if not i.after_resolution]  # owed later, not now
    unticked = [i for i in items if not (state.checklist.get(i.id) and state.checklist[i.id].ticked)]
    if unticked:
        names = "; ".join(i.text for i in unticked[:SHOWN]) + ("; …" if len(unticked) > SHOWN else "")
        lines.append(Text(f"[ ] {len(unticked)} of {len(items)} checklist items unticked: {names}"))
    for c in incident_countdowns(config, state, now):
        if c.key == "monitoring" and c.state is not TimerState.MET:
            lines.append(Text(f"● Post-mitigation watch still running: {format_remaining(c.remaining)} left"))
        elif c.key == "update" and c.state is TimerState.OVERDUE:
            lines.append(Text(f"▲ Status update OVERDUE by {format_remaining(-c.remaining)}"))
    return lines
