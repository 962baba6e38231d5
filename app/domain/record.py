"""The incident's record as data: JSON (all events), YAML (a typical incident record) and
the markdown post-mortem draft (app/domain/postmortem.py). Secrets are masked in all three."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import yaml

from app.domain.events import Milestone, StoredEvent
from app.domain.incident import IncidentState
from app.domain.metrics import metrics_json
from app.domain.scrub import Scrubber
from app.domain.timefmt import human_duration, utc_iso

if TYPE_CHECKING:
    from app.config import Config

FORMATS = ("json", "markdown", "yaml")


def _t(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def state_json(state: IncidentState) -> dict[str, Any]:
    return {
        "id": state.id,
        "title": state.title,
        "severity": state.severity,
        "status": str(state.status),
        "opened_at": _t(state.opened_at),
        "opened_by": state.opened_by,
        "milestones": {str(k): _t(v) for k, v in state.milestones.items()},
        "roles": dict(state.roles),
        **({"fields": state.fields} if state.field_sets else {}),
        "role_history": [
            {"at": _t(r.at), "role": r.role, "person": r.person, "previous": r.previous, "by": r.actor}
            for r in state.role_history
        ],
        "checklist": {
            item: {"ticked": m.ticked, "text": m.text, "at": _t(m.at), "by": m.actor} for item, m in state.checklist.items()
        },
        "updates": [{"seq": u.seq, "at": _t(u.at), "by": u.actor, "text": u.text} for u in state.updates],
        "timeline": [
            {
                "seq": t.seq,
                "at": _t(t.at),
                "actor": t.actor,
                "kind": t.kind,
                "text": t.text,
                "struck": t.struck,
                "strike_reason": t.strike_reason,
            }
            for t in state.timeline
        ],
    }


def role_extras(state: IncidentState, config: Config | None) -> dict[str, Any]:
    """What the config adds to the roles: how to reach each (where one is configured) and the
    roles the severity requires that nobody holds. Empty keys are left out of the record."""
    if config is None:
        return {}
    extras: dict[str, Any] = {}
    contacts = {r.name: r.contact for r in config.roles if r.contact}
    if contacts:
        extras["role_contacts"] = contacts
    unfilled = [r.name for r in config.unfilled_roles(state.severity, state.roles)]
    if unfilled:
        extras["roles_required_unfilled"] = unfilled
    return extras


def deadlines(state: IncidentState, config: Config | None, now: datetime | None) -> dict[str, Any]:
    """The countdowns as of the export (next deadline, each due time, seconds remaining)."""
    if config is None or now is None:
        return {}
    from app.domain.timers import countdowns_json, incident_countdowns

    return countdowns_json(incident_countdowns(config, state, now))


def export_json(
    state: IncidentState, events: list[StoredEvent], scrub: Scrubber | None = None, config: Config | None = None, now: datetime | None = None
) -> str:
    scrub = scrub or Scrubber()
    incident = state_json(state) | role_extras(state, config) | deadlines(state, config, now)
    document = {"incident": incident, "events": [e.as_json() for e in events]}
    return json.dumps(scrub.data(document), indent=2, ensure_ascii=False) + "\n"


def yaml_record(state: IncidentState, events: list[StoredEvent], now: datetime, config: Config | None = None) -> dict[str, Any]:
    from app.domain.action_items import action_items
    from app.domain.postmortem import detected_by, silences_made
    from app.domain.templates import current_impact

    resolved_at = state.milestones.get(Milestone.RESOLVED) if not state.is_open else None
    elapsed = state.elapsed(now)
    timeline = []
    for item in state.timeline:
        entry: dict[str, Any] = {"time": utc_iso(item.at), "event": item.text}
        if item.kind != "event":
            entry["kind"] = item.kind
        entry["by"] = item.actor
        if item.struck:
            entry["corrected"] = item.strike_reason
        timeline.append(entry)
    record: dict[str, Any] = {
        "id": state.id,
        "title": state.title,
        "severity": state.severity,
        "status": str(state.status),
        "started_at": utc_iso(state.opened_at),
        "detected_at": utc_iso(state.milestones.get(Milestone.DETECTED)),
        "detected_by": detected_by(state, events),
        "acknowledged_at": utc_iso(state.milestones.get(Milestone.ACKNOWLEDGED)),
        "mitigated_at": utc_iso(state.milestones.get(Milestone.MITIGATED)),
        "resolved_at": utc_iso(resolved_at),
        "duration": human_duration(elapsed),
        "duration_seconds": int(elapsed.total_seconds()),
        "impact": current_impact(state),  # falls back to the impact given at opening
        "roles": dict(state.roles),
        **role_extras(state, config),
        "metrics": metrics_json(state, now),
        **deadlines(state, config, now),
        "timeline": timeline,
        "status_updates": [
            {
                "time": utc_iso(u.at),
                "by": u.actor,
                "text": u.text,
                "deliveries": [
                    {"target": d.data["target"], "ok": bool(d.data["ok"]), "error": d.data.get("error")}
                    for d in state.deliveries
                    if int(d.data.get("update", -1)) == u.seq
                ],
            }
            for u in state.updates
        ],
        "action_items": [
            {"item": a.text, "owner": a.owner, "due": utc_iso(a.due), "logged_at": utc_iso(a.at), "by": a.by}
            for a in action_items(state)
        ],
        **obligations_record(state, config, now),
        "silences": silences_made(events),
    }
    place_fields(record, state, config)
    return record


def place_fields(record: dict[str, Any], state: IncidentState, config: Config | None) -> None:
    """The configured record fields, where the runbook's record has them (unset ones as null,
    so the record keeps its shape)."""
    values = state.fields
    for field in config.fields if config is not None else []:
        value = values.get(field.name)
        if field.section:
            holder = record.get(field.section)
            if not isinstance(holder, dict):
                holder = record[field.section] = {"summary": holder} if holder is not None else {}
            holder[field.name] = value
        else:
            record[field.name] = value


def obligations_record(state: IncidentState, config: Config | None, now: datetime) -> dict[str, Any]:
    """What is owed after resolution, for records of severities that owe something."""
    from app.domain.timers import obligations

    severity = config.severity(state.severity) if config is not None else None
    if severity is None or not severity.after_resolution:
        return {}
    resolved = state.milestones.get(Milestone.RESOLVED) if not state.is_open else None
    if resolved is None:
        return {"after_resolution": [{"obligation": o.what, "within": human_duration(o.within)} for o in severity.after_resolution]}
    assert config is not None  # a severity came from it
    countdowns = obligations(state, severity, resolved, now, config.incident.due_soon, config.incident.business_hours)
    return {"after_resolution": [
        {"obligation": c.label, "due": utc_iso(c.due_at), "state": str(c.state), "done_at": utc_iso(c.met_at)} for c in countdowns
    ]}


def export_yaml(
    state: IncidentState, events: list[StoredEvent], now: datetime, scrub: Scrubber | None = None, config: Config | None = None
) -> str:
    scrub = scrub or Scrubber()
    document = scrub.data(yaml_record(state, events, now, config))
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present: ~10x faster
    return yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def export_markdown(state: IncidentState, events: list[StoredEvent], config: Config, now: datetime) -> str:
    from app.domain.postmortem import render_markdown

    return render_markdown(state, events, config, now, Scrubber.from_config(config))


def export(fmt: str, state: IncidentState, events: list[StoredEvent], config: Config, now: datetime) -> str:
    """One entry point for the CLI and the TUI's export key."""
    scrub = Scrubber.from_config(config)
    if fmt == "json":
        return export_json(state, events, scrub, config, now)
    if fmt == "yaml":
        return export_yaml(state, events, now, scrub, config)
    if fmt == "markdown":
        return export_markdown(state, events, config, now)
    raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
