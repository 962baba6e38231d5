"""Action items: what a responder said must be done after the incident, with its owner
and due date, typed as a timeline entry so it is an event like everything else:

    Action item: add an alert on pool saturation @bob due 2026-12-03
    Follow-up: review the runbook @alice due 7d

`@name` is the owner, `due` takes a date or a number of days/weeks/hours from the entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from app.domain.events import EventType
from app.domain.incident import IncidentState

PREFIXES = ("action item:", "follow-up:", "follow up:")
_OWNER = re.compile(r"(?:^|\s)@([\w.-]{1,40})(?=\s|$)")
_DUE = re.compile(r"(?:^|\s)due[:\s]\s*(\d{4}-\d{2}-\d{2}|\d{1,3}\s*[hdw])(?=\s|$)", re.IGNORECASE)
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


@dataclass(frozen=True)
class ActionItem:
    text: str
    owner: str | None
    due: datetime | None
    at: datetime
    by: str
    seq: int


def _due(value: str, logged: datetime) -> datetime | None:
    value = value.replace(" ", "").lower()
    if value[-1] in _UNITS:
        return logged + int(value[:-1]) * _UNITS[value[-1]]
    try:
        # A date is due by the end of that day (UTC): "due 2026-12-03" is not overdue at 09:00 that day.
        return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time(23, 59, 59), tzinfo=timezone.utc)
    except ValueError:
        return None  # 2026-13-45: left in the text, where a reader sees it


def parse_action_item(body: str, logged: datetime, by: str, seq: int) -> ActionItem:
    owner = due = None
    if (m := _OWNER.search(body)) is not None:
        owner, body = m.group(1), body[: m.start()] + body[m.end() :]
    if (m := _DUE.search(body)) is not None and (parsed := _due(m.group(1), logged)) is not None:
        due, body = parsed, body[: m.start()] + body[m.end() :]
    return ActionItem(" ".join(body.split()), owner, due, logged, by, seq)


def action_items(state: IncidentState) -> list[ActionItem]:
    """Entries a responder tagged 'Action item:' / 'Follow-up:' during the incident (not struck)."""
    out = []
    for item in state.timeline:
        if item.event_type is not EventType.ENTRY_ADDED or item.struck:
            continue
        lowered = item.text.lower()
        for prefix in PREFIXES:
            if lowered.startswith(prefix) and item.text[len(prefix) :].strip():
                out.append(parse_action_item(item.text[len(prefix) :].strip(), item.at, item.actor, item.seq))
                break
    return out
