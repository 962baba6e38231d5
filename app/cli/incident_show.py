"""`warroom incident show [ID] [--json]`: one incident as it stands — status, milestones and
metrics, roles (contact, required ones unfilled), and every countdown with its due time."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.cli.context import Context


def show_document(ctx: Context, incident_id: str) -> dict[str, Any]:
    from app.cli.incident_roles import role_rows
    from app.domain.metrics import metrics_json
    from app.domain.text import one_line
    from app.domain.timefmt import utc_iso
    from app.domain.timers import countdowns_json, incident_countdowns

    core = ctx.core
    state, now = core.state(incident_id), core.clock.now()
    return {
        "id": state.id,
        "title": one_line(state.title),
        "severity": state.severity,
        "status": one_line(state.status),
        "open": state.is_open,
        "opened_at": utc_iso(state.opened_at),
        "opened_by": one_line(state.opened_by),
        "as_of": utc_iso(now),
        "milestones": {str(k): utc_iso(v) for k, v in state.milestones.items()},
        "metrics": metrics_json(state, now),
        "roles": role_rows(ctx, incident_id),
    } | countdowns_json(incident_countdowns(ctx.config, state, now))


def cmd_show(ctx: Context) -> int:
    incident_id = ctx.core.pick(ctx.args.id, allow_closed_latest=True)
    if ctx.args.json:
        print(json.dumps(show_document(ctx, incident_id), indent=2, ensure_ascii=False))
        return 0
    for line in show_lines(ctx, incident_id):
        print(line)
    return 0


def show_lines(ctx: Context, incident_id: str) -> list[str]:
    from app.domain.events import Milestone
    from app.domain.metrics import header_text
    from app.domain.text import one_line
    from app.domain.timefmt import dual
    from app.domain.timers import SYMBOLS, TimerState, format_remaining, incident_countdowns

    from app.cli.incident_roles import role_rows

    core, tz = ctx.core, ctx.config.tzinfo()
    state, now = core.state(incident_id), core.clock.now()
    shown = "open" if state.is_open else "resolved"
    lines = [f"{state.id}  {state.severity}  {one_line(state.status)} ({shown})  {one_line(state.title)}"]
    if state.opened_at:
        lines.append(f"opened {dual(state.opened_at, tz)} by {one_line(state.opened_by)}")
    marked = [f"{m.value} {dual(state.milestones[m], tz)}" for m in Milestone if m in state.milestones]
    lines.append("milestones: " + ("; ".join(marked) if marked else "none marked"))
    lines.append("metrics: " + header_text(state, now))
    lines.append("roles:")
    for row in role_rows(ctx, incident_id):
        held = row["person"] or (f"unassigned (required at {state.severity})" if row["unfilled_required"] else "unassigned")
        contact = f"  contact: {row['contact']}" if row["contact"] else ""
        lines.append(f"  {'⚠ ' if row['unfilled_required'] else ''}{row['role']}{' (commander)' if row['commander'] else ''}: {held}{contact}")
    items = incident_countdowns(ctx.config, state, now)
    lines.append(f"deadlines (as of {dual(now, tz)}):" if items else "deadlines: none")
    for c in items:
        if c.state is TimerState.MET:
            when = f"met {dual(c.met_at, tz)}" if c.met_at else "met"
        elif c.state is TimerState.OVERDUE:
            when = f"OVERDUE by {format_remaining(-c.remaining)}"
        else:
            when = f"in {format_remaining(c.remaining)}" + (" (due soon)" if c.state is TimerState.DUE_SOON else "")
        lines.append(f"  {SYMBOLS[c.state]} {one_line(c.label)}: due {dual(c.due_at, tz)}, {when}")
    return lines
