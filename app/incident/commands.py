"""Every incident command, validated once for every front end.

A command is a small frozen dataclass saying what a person (or a script) asked for.
`plan(command, state, ...)` checks it against the incident as it stands and returns the
events that carry it out, or raises `CommandRejected` with one line for a person. It is
pure: the CLI runs it right before appending, the TUI runs it on its own copy of the state
to answer at once and again in the store thread before writing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from app.domain import actions
from app.domain.events import EntryKind, EventType, Milestone, NewEvent, Status
from app.domain.incident import IncidentState
from app.domain.text import multi_line, one_line
from app.domain.timefmt import dual
from app.errors import WarroomError

if TYPE_CHECKING:
    from app.config import Config

KINDS: tuple[str, ...] = tuple(k.value for k in EntryKind)
MILESTONES: tuple[str, ...] = tuple(m.value for m in Milestone)
FUTURE_SLACK = timedelta(minutes=1)
"""A milestone a minute ahead is a clock difference between machines, not a typo."""


class CommandRejected(WarroomError):
    """The command does not fit the incident as it stands; nothing was written."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        """Which input was wrong (title, severity, at, reason, ...): a front end names its own option."""


@dataclass(frozen=True)
class LogEntry:
    text: str
    kind: str = EntryKind.NOTE.value
    extra: dict[str, Any] = field(default_factory=dict)
    """Machine-readable data kept with the entry (an escalation's key, a pin's source)."""


@dataclass(frozen=True)
class CorrectEntry:
    seq: int
    reason: str


@dataclass(frozen=True)
class AssignRole:
    role: str
    person: str
    """Empty unassigns the role."""


@dataclass(frozen=True)
class ToggleChecklist:
    item: str
    text: str
    tick: bool


@dataclass(frozen=True)
class SetSeverity:
    severity: str


@dataclass(frozen=True)
class SetStatus:
    status: str


@dataclass(frozen=True)
class MarkMilestone:
    milestone: str
    at: datetime | None = None
    """None: now."""
    reason: str | None = None
    """Required to correct a milestone that is already marked."""


@dataclass(frozen=True)
class Resolve:
    pass


@dataclass(frozen=True)
class SetField:
    """A value for one of the record's configured fields (`fields:`); empty clears it."""

    name: str
    value: str


Command = LogEntry | CorrectEntry | AssignRole | ToggleChecklist | SetSeverity | SetStatus | MarkMilestone | Resolve | SetField


def _text(value: str, what: str, *, lines: bool = False) -> str:
    """Typed text, stripped, with control characters made visible (app/domain/text.py)."""
    cleaned = (multi_line(value) if lines else one_line(value)).strip()
    if not cleaned:
        raise CommandRejected(f"{what} is empty")
    return cleaned


def _need(config: Config | None) -> Config:
    if config is None:  # only the fast `warroom log` path plans without a config, and only entries
        raise CommandRejected("this command needs the configuration")
    return config


def _open(state: IncidentState) -> None:
    if not state.is_open:
        raise CommandRejected(f"{state.id} is resolved")


def _log(c: LogEntry, state: IncidentState, config: Config | None, actor: str, now: datetime) -> list[NewEvent]:
    if c.kind not in KINDS:
        raise CommandRejected(f"unknown entry kind {c.kind!r} (one of {', '.join(KINDS)})")
    # An entry may span lines (a pinned lock tree); a typed one is one line anyway.
    event = actions.entry_added(_text(c.text, "the entry text", lines=True), c.kind, actor, now)
    if c.extra:
        event = NewEvent(event.type, event.at, event.actor, {**c.extra, **event.data})
    return [event]


def _correct(c: CorrectEntry, state: IncidentState, config: Config | None, actor: str, now: datetime) -> list[NewEvent]:
    target = next((i for i in state.timeline if i.seq == c.seq), None)
    if target is None or target.event_type is not EventType.ENTRY_ADDED:
        raise CommandRejected(f"#{c.seq} is not a timeline entry of {state.id}")
    if target.struck:
        raise CommandRejected(f"#{c.seq} is already corrected")
    return [actions.entry_corrected(c.seq, _text(c.reason, "the reason"), actor, now)]


def _role_name(typed: str, state: IncidentState, config: Config | None) -> str:
    """The configured (or already held) role `typed` names, case aside: a typo must not make
    a new role that no panel lists and no required-role check counts."""
    role = _text(typed, "the role")
    known = list(dict.fromkeys([*(config.role_names if config is not None else []), *state.roles]))
    if config is None or role in known:
        return role
    match = [name for name in known if name.casefold() == role.casefold()]
    if len(match) == 1:
        return match[0]
    raise CommandRejected(f"unknown role {role!r} (configured: {', '.join(config.role_names)})", field="role")


def _assign(c: AssignRole, state: IncidentState, config: Config | None, actor: str, now: datetime) -> list[NewEvent]:
    role = _role_name(c.role, state, config)
    person = one_line(c.person).strip()
    if state.roles.get(role, "") == person:
        raise CommandRejected(f"{role} is already {person or 'unassigned'}")
    return [actions.role_assigned(role, person, actor, now)]


def _toggle(c: ToggleChecklist, state: IncidentState, config: Config | None, actor: str, now: datetime) -> list[NewEvent]:
    mark = state.checklist.get(c.item)
    if (mark.ticked if mark else False) == c.tick:
        raise CommandRejected(f"{c.text!r} is already {'ticked' if c.tick else 'open'}")
    return [actions.checklist_toggled(c.item, c.text, c.tick, actor, now)]


def _severity(c: SetSeverity, state: IncidentState, config: Config | None, actor: str, now: datetime) -> list[NewEvent]:
    config = _need(config)
    if config.severity(c.severity) is None:
        names = ", ".join(s.name for s in config.severities)
        raise CommandRejected(f"unknown severity {c.severity!r} (configured: {names})", field="severity")
    if c.severity == state.severity:
        raise CommandRejected(f"severity is already {c.severity}")
    return [actions.severity_changed(c.severity, state.severity, actor, now)]


def _resolved(state: IncidentState, config: Config | None, actor: str, now: datetime) -> NewEvent:
    """The resolving status change: stored as 'resolved', named as the config's last status."""
    label = config.final_status if config is not None else None
    return actions.status_changed(Status.RESOLVED, state.status, actor, now, label=label)


def _resolve(state: IncidentState, config: Config | None, actor: str, now: datetime) -> list[NewEvent]:
    """Resolving marks the resolved milestone (if not already) and closes the incident."""
    _open(state)
    events = []
    if Milestone.RESOLVED not in state.milestones:
        events.append(actions.milestone_marked(Milestone.RESOLVED, actor, now))
    events.append(_resolved(state, config, actor, now))
    return events


def _status(c: SetStatus, state: IncidentState, config: Config | None, actor: str, now: datetime) -> list[NewEvent]:
    config = _need(config)
    status = config.find_status(c.status)
    if status is None:
        raise CommandRejected(f"unknown status {one_line(c.status)!r} (one of {', '.join(config.status_names)})", field="status")
    if status.name == state.status:
        raise CommandRejected(f"status is already {status.name}")
    if status.name == config.final_status:
        return _resolve(state, config, actor, now)
    events = []
    if status.marks and Milestone(status.marks) not in state.milestones:
        # A status that means a milestone (Mitigated) marks it: TTA / TTM count from it.
        events.append(actions.milestone_marked(status.marks, actor, now))
    return events + [actions.status_changed(status.name, state.status, actor, now)]


def _milestone(c: MarkMilestone, state: IncidentState, config: Config | None, actor: str, now: datetime) -> list[NewEvent]:
    try:
        milestone = Milestone(c.milestone)
    except ValueError:
        raise CommandRejected(f"unknown milestone {c.milestone!r} (one of {', '.join(MILESTONES)})") from None
    at = c.at or now
    tz = _need(config).tzinfo()
    if at > now + FUTURE_SLACK:
        raise CommandRejected(f"{milestone.value}: {dual(at, tz)} is in the future", field="at")
    data: dict[str, Any] = {"milestone": milestone.value, "at": at.isoformat()}
    if milestone in state.milestones:
        reason = one_line(c.reason or "").strip()
        if not reason:
            was = dual(state.milestones[milestone], tz)
            raise CommandRejected(f"{milestone.value} is already marked ({was}): give a reason to correct it", field="reason")
        data |= {"reason": reason, "previous": state.milestones[milestone].isoformat()}
        return [NewEvent(EventType.MILESTONE_CORRECTED, now, actor, data)]
    if milestone is Milestone.RESOLVED:
        # The resolved milestone is the incident resolving, whichever front end marks it.
        events = [NewEvent(EventType.MILESTONE_MARKED, now, actor, data)]
        return events + ([_resolved(state, config, actor, now)] if state.is_open else [])
    return [NewEvent(EventType.MILESTONE_MARKED, now, actor, data)]


def _field(c: SetField, state: IncidentState, config: Config | None, actor: str, now: datetime) -> list[NewEvent]:
    from app.domain.incident import FIELD_KEY
    from app.domain.record_fields import parse_value, shown_value

    config = _need(config)
    field = config.field(c.name.strip())
    if field is None:
        known = ", ".join(f.name for f in config.fields) or "none configured (fields:)"
        raise CommandRejected(f"unknown record field {c.name[:40]!r} (known: {known})", field="field")
    try:
        value = parse_value(field, c.value)
    except ValueError as exc:
        raise CommandRejected(str(exc), field="value") from None
    if state.fields.get(field.name) == value:
        raise CommandRejected(f"{field.shown} is already {shown_value(value)}")
    text = f"{field.shown}: {shown_value(value)}" if value is not None else f"{field.shown}: cleared"
    return [NewEvent(EventType.ENTRY_ADDED, now, actor, {"kind": EntryKind.NOTE.value, "text": text, FIELD_KEY: field.name, "value": value})]


_PLANNERS: dict[type, Any] = {
    LogEntry: _log,
    CorrectEntry: _correct,
    AssignRole: _assign,
    ToggleChecklist: _toggle,
    SetSeverity: _severity,
    SetStatus: _status,
    MarkMilestone: _milestone,
    SetField: _field,
}
_ON_RESOLVED = (LogEntry, CorrectEntry, MarkMilestone, SetField)
"""What may still be written after resolution: late notes, corrections, milestone fixes,
record fields (revenue lost is known days later),
and ticks of what is owed after resolution (the post-mortem draft, the review)."""


def _owed_after_resolution(command: Command, state: IncidentState, config: Config | None) -> bool:
    if not isinstance(command, ToggleChecklist) or config is None:
        return False
    return any(item.id == command.item and item.after_resolution for item in config.checklist_for(state.severity))


def plan(command: Command, state: IncidentState, config: Config | None, actor: str, now: datetime) -> list[NewEvent]:
    """The events that carry out `command` on `state`, or CommandRejected saying why not."""
    if isinstance(command, Resolve):
        return _resolve(state, config, actor, now)
    if not isinstance(command, _ON_RESOLVED) and not _owed_after_resolution(command, state, config):
        _open(state)
    return _PLANNERS[type(command)](command, state, config, actor, now)


def describe(command: Command) -> str:
    """What was asked, for 'not saved: ...' messages."""
    match command:
        case LogEntry(text=text):
            return f"entry {text[:60]!r}"
        case CorrectEntry(seq=seq):
            return f"correction of #{seq}"
        case AssignRole(role=role):
            return f"{role} assignment"
        case ToggleChecklist(text=text):
            return f"checklist item {text[:40]!r}"
        case SetSeverity(severity=s):
            return f"severity {s}"
        case SetStatus(status=s):
            return f"status {s}"
        case MarkMilestone(milestone=m):
            return f"milestone {m}"
        case Resolve():
            return "resolution"
        case SetField(name=name):
            return f"record field {name[:40]!r}"
    return type(command).__name__
