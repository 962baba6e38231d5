"""Status update texts, filled from the incident's state and timeline.

Templates use the standard library's string.Template ($name / ${name}): no new dependency,
no logic or attribute access in text that comes from a config file (str.format would let
'{x.__class__}' reach into objects), and braces in Slack/JSON snippets need no escaping.
The variable set is fixed (TEMPLATE_VARIABLES) and checked when the config is loaded.

Conventions the variables read from the timeline:
- impact: the latest entry starting "Impact:" (else the `impact` given when the incident
  was opened, else "Being assessed.");
- next_steps: the latest entry starting "Next:" or "Next steps:", else a default;
- actions: every action/decision entry since the last posted update, one "- HH:MM UTC text"
  line each; struck (corrected) entries are left out.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime

from app.config import Config
from app.config.notify import TEMPLATE_VARIABLES
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


@dataclass(frozen=True)
class UpdateDraft:
    template: str
    """initial, update or resolution."""
    text: str
    variables: dict[str, str]


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
    return _latest_prefixed(state, _IMPACT_PREFIXES) or opened_impact or state.opened_impact or "Being assessed."


def actions_since_last_update(state: IncidentState) -> list[str]:
    since = state.updates[-1].seq if state.updates else 0
    lines = []
    for item in _live_entries(state):
        if item.seq <= since or item.kind not in (EntryKind.ACTION, EntryKind.DECISION):
            continue
        label = "Decision: " if item.kind == EntryKind.DECISION else ""
        lines.append(f"- {item.at.strftime('%H:%M')} UTC {label}{item.text}")
    return lines


def template_variables(
    state: IncidentState, config: Config, now: datetime, *, opened_impact: str | None = None
) -> dict[str, str]:
    tz = config.tzinfo()
    severity = config.severity(state.severity)
    resolved = not state.is_open
    if resolved:
        next_update = "no further updates (resolved)"
    elif severity and severity.update_every:
        next_update = short_dual(now + severity.update_every, tz)
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
        "started": dual(state.opened_at, tz) if state.opened_at else "-",
        "duration": human_duration(state.elapsed(now)),
        "commander": state.roles.get(config.commander_role) or "unassigned",
        "now": short_dual(now, tz),
    }
    assert set(variables) == set(TEMPLATE_VARIABLES)  # the config check and this stay in step
    return variables


def template_text(config: Config, name: str) -> str:
    override = getattr(config.notify.templates, name, None)
    return override if override is not None else DEFAULT_TEMPLATES[name]


def render_update(
    state: IncidentState,
    config: Config,
    now: datetime,
    *,
    template: str | None = None,
    opened_impact: str | None = None,
) -> UpdateDraft:
    """The next update, ready to edit. `template` forces initial/update/resolution."""
    name = template or choose_template(state)
    if name not in DEFAULT_TEMPLATES:
        raise ValueError(f"unknown template {name!r} (initial, update, resolution)")
    variables = template_variables(state, config, now, opened_impact=opened_impact)
    # safe_substitute: a config template was validated at load, so nothing is left over;
    # a stray '$' in a default never raises mid-incident.
    text = string.Template(template_text(config, name)).safe_substitute(variables)
    return UpdateDraft(name, text, variables)
