"""Status update texts, filled from the incident's state and timeline.

Templates use the standard library's string.Template ($name / ${name}): no new dependency,
no logic or attribute access in text that comes from a config file (str.format would let
'{x.__class__}' reach into objects), and braces in Slack/JSON snippets need no escaping.
The variable set is fixed (TEMPLATE_VARIABLES) and checked when the config is loaded.

Conventions the variables read from the timeline:
- impact: the latest entry starting "Impact:" (else the `impact` given when the incident
  was opened, else "Being assessed.");
- next_steps: the latest entry starting "Next:" or "Next steps:", else a default;
- eta, root_cause, resolution: the latest entry starting "ETA:", "Root cause:",
  "Resolution:" (else "unknown", "under investigation", "in progress");
- actions: every action/decision entry since the last posted update, one "- HH:MM UTC text"
  line each; struck (corrected) entries are left out.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.config import Config
from app.config.notify import DEFAULT_AUDIENCE, TEMPLATE_VARIABLES, role_variable
from app.domain.events import EntryKind, EventType
from app.domain.incident import IncidentState
from app.domain.timefmt import dual, human_duration, short_dual

INITIAL, UPDATE, RESOLUTION = "initial", "update", "resolution"

DEFAULT_TEMPLATES: dict[str, str] = {
    INITIAL: (
        "[$severity] $id: $title\n"
        "Status: $status\n"
        "Impact: $impact\n"
        "We are investigating. Incident commander: $commander.\n"
        "Next update by $next_update."
    ),
    UPDATE: (
        "[$severity] $id: $title (update)\n"
        "Status: $status, for $duration so far\n"
        "Impact: $impact\n"
        "Since the last update:\n"
        "$actions\n"
        "Next steps: $next_steps\n"
        "Next update by $next_update."
    ),
    RESOLUTION: (
        "[$severity] $id: $title (resolved)\n"
        "Resolved after $duration.\n"
        "Impact: $impact\n"
        "Since the last update:\n"
        "$actions\n"
        "Next steps: $next_steps"
    ),
}

_IMPACT_PREFIXES = ("impact:",)
_NEXT_PREFIXES = ("next steps:", "next step:", "next:")
_ETA_PREFIXES = ("eta:",)
_CAUSE_PREFIXES = ("root cause:", "cause:")
_RESOLUTION_PREFIXES = ("resolution:", "fix:")
ASSESSING = "some services (being assessed)"


@dataclass(frozen=True)
class UpdateDraft:
    template: str
    """initial, update or resolution."""
    text: str
    variables: dict[str, str]
    audience: str = DEFAULT_AUDIENCE


def choose_template(state: IncidentState) -> str:
    if not state.is_open:
        return RESOLUTION
    if not state.updates:
        return INITIAL
    return UPDATE


def _live_entries(state: IncidentState):
    return [t for t in state.timeline if t.event_type is EventType.ENTRY_ADDED and not t.struck]


def _latest_prefixed(state: IncidentState, prefixes: tuple[str, ...]) -> str | None:
    for item in reversed(_live_entries(state)):
        lowered = item.text.lower()
        for prefix in prefixes:
            if lowered.startswith(prefix):
                rest = item.text[len(prefix) :].strip()
                if rest:
                    return rest
    return None


def current_impact(state: IncidentState, opened_impact: str | None = None) -> str:
    # Reads inside a sentence and after "Impact:" alike: a runbook's "affecting $impact."
    # gave "affecting Being assessed.." with the old default.
    return _latest_prefixed(state, _IMPACT_PREFIXES) or opened_impact or state.opened_impact or ASSESSING


def actions_since_last_update(state: IncidentState) -> list[str]:
    since = state.updates[-1].seq if state.updates else 0
    lines = []
    for item in _live_entries(state):
        if item.seq <= since or item.kind not in (EntryKind.ACTION, EntryKind.DECISION):
            continue
        label = "Decision: " if item.kind == EntryKind.DECISION else ""
        lines.append(f"- {item.at.strftime('%H:%M')} UTC {label}{item.text}")
    return lines


def _time(config: Config, *, dated: bool = False) -> Callable[[datetime], str]:
    """How a time reads in an update: the configured strftime and zone, else '13:13 UTC
    (08:13 EST)' (with the date when `dated`)."""
    notify = config.notify
    zone_name = notify.time_zone or config.timezone
    zone = None if zone_name == "local" else ZoneInfo(zone_name)
    if notify.time_format is None:
        return (lambda at: dual(at, zone)) if dated else (lambda at: short_dual(at, zone))
    fmt = notify.time_format
    return lambda at: at.astimezone(zone).strftime(fmt)


def template_variables(
    state: IncidentState, config: Config, now: datetime, *, opened_impact: str | None = None
) -> dict[str, str]:
    when = _time(config)
    severity = config.severity(state.severity)
    resolved = not state.is_open
    if resolved:
        next_update = "no further updates (resolved)"
    elif severity and severity.update_every:
        next_update = when(now + severity.update_every)
    else:
        next_update = "when there is news"
    actions = actions_since_last_update(state)
    default_next = "Write the post-mortem." if resolved else "Investigation continues."
    variables = {
        "id": state.id,
        "title": state.title,
        "severity": state.severity,
        "status": state.status[:1].upper() + state.status[1:],  # as configured; the default's first letter up
        "impact": current_impact(state, opened_impact),
        "actions": "\n".join(actions) if actions else "- No new actions.",
        "next_steps": _latest_prefixed(state, _NEXT_PREFIXES) or default_next,
        "next_update": next_update,
        "started": _time(config, dated=True)(state.opened_at) if state.opened_at else "-",
        "duration": human_duration(state.elapsed(now)),
        "commander": state.roles.get(config.commander_role) or "unassigned",
        "now": when(now),
        "eta": _latest_prefixed(state, _ETA_PREFIXES) or "unknown",
        "root_cause": _latest_prefixed(state, _CAUSE_PREFIXES) or "under investigation",
        "resolution": _latest_prefixed(state, _RESOLUTION_PREFIXES) or ("resolved" if resolved else "in progress"),
        "cadence": human_cadence(severity.update_every) if severity and severity.update_every else "as there is news",
        "channel": config.notify.channel or "the incident channel",
    }
    assert set(variables) == set(TEMPLATE_VARIABLES)  # the config check and this stay in step
    for role in config.role_names:
        variables[role_variable(role)] = state.roles.get(role) or "unassigned"
    return variables


def human_cadence(every: timedelta) -> str:
    """'15 minutes', '1 hour', '2 hours': how a runbook writes a cadence."""
    minutes = int(every.total_seconds() // 60)
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if minutes:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    seconds = int(every.total_seconds())
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def template_text(config: Config, name: str, audience: str = DEFAULT_AUDIENCE, severity: str | None = None) -> str | None:
    """The text of one template for one audience and severity (the most specific one set);
    None when that audience has no such text (another audience's words are never borrowed:
    an internal draft must not reach customers)."""
    if audience == DEFAULT_AUDIENCE:
        override = getattr(config.notify.templates, name, None)
        return override if override is not None else DEFAULT_TEMPLATES[name]
    chosen = config.notify.audience(audience)
    if chosen is None:
        return None
    per = chosen.severities.get(severity or "")
    specific = getattr(per, name, None) if per is not None else None
    return specific if specific is not None else getattr(chosen, name, None)


def render_update(
    state: IncidentState,
    config: Config,
    now: datetime,
    *,
    template: str | None = None,
    opened_impact: str | None = None,
    audience: str = DEFAULT_AUDIENCE,
) -> UpdateDraft:
    """The next update, ready to edit. `template` forces initial/update/resolution."""
    name = template or choose_template(state)
    if name not in DEFAULT_TEMPLATES:
        raise ValueError(f"unknown template {name!r} (initial, update, resolution)")
    if audience not in config.notify.audience_names:
        raise ValueError(f"unknown audience {audience!r} (known: {', '.join(config.notify.audience_names)})")
    chosen = config.notify.audience(audience)
    if chosen is not None and not chosen.hears(state.severity):
        raise ValueError(f"the {audience} audience hears only of {', '.join(chosen.only_for)} incidents (this one is {state.severity})")
    text = template_text(config, name, audience, state.severity)
    if text is None:
        raise ValueError(f"the {audience} audience has no {name} text in the config")
    variables = template_variables(state, config, now, opened_impact=opened_impact)
    # safe_substitute: a config template was validated at load, so nothing is left over;
    # a stray '$' in a default never raises mid-incident.
    return UpdateDraft(name, string.Template(text).safe_substitute(variables), variables, audience)


def available_drafts(state: IncidentState, config: Config) -> list[tuple[str, str]]:
    """(audience, template) pairs that have a text, the state's own template first for each audience."""
    first = choose_template(state)
    order = [first, *(n for n in DEFAULT_TEMPLATES if n != first)]
    not_told = {a.name for a in config.notify.audiences if not a.hears(state.severity)}
    return [
        (audience, name)
        for audience in config.notify.audience_names
        if audience not in not_told
        for name in order
        if template_text(config, name, audience, state.severity) is not None
    ]
