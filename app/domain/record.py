"""The incident's record as data: the JSON export (markdown and YAML come later)."""

from __future__ import annotations

import json
from typing import Any

from app.domain.events import StoredEvent
from app.domain.incident import IncidentState


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


def export_json(state: IncidentState, events: list[StoredEvent]) -> str:
    document = {"incident": state_json(state), "events": [e.as_json() for e in events]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
