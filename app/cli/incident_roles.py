"""`warroom incident assign` and `warroom incident roles`: the roles from the command line,
decided by the incident core like the dashboard's `r` dialog."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from app.errors import ConfigError

if TYPE_CHECKING:
    from app.cli.context import Context


def cmd_assign(ctx: Context) -> int:
    from app.incident import AssignRole, CommandRejected

    args = ctx.args
    if args.unassign == bool(args.person):
        raise ConfigError("incident assign: give the PERSON, or --unassign (exactly one)")
    core = ctx.core
    incident_id = core.pick(args.incident)
    state = core.state(incident_id)
    person = "" if args.unassign else args.person
    command = AssignRole(args.role, person)
    try:
        core.plan(command, state)  # the role's name as configured, or the one-line refusal
    except CommandRejected as exc:
        raise ConfigError(f"incident assign: {exc}") from None
    role = next((r for r in [*ctx.config.role_names, *state.roles] if r.casefold() == args.role.strip().casefold()), args.role)
    holder = state.roles.get(role)
    # The dashboard asks before the commander changes hands; a script says so with --handoff.
    if role == ctx.config.commander_role and holder and not args.handoff:
        change = f"hand it to {person}" if person else "unassign it"
        raise ConfigError(f"incident assign: {role} is held by {holder}; pass --handoff to {change}")
    stored = core.execute(incident_id, AssignRole(role, person))
    print(f"{incident_id}: {stored[-1].data['role']}: {stored[-1].data['person'] or 'unassigned'} (#{stored[-1].seq})")
    return 0


def role_rows(ctx: Context, incident_id: str) -> list[dict[str, Any]]:
    from app.domain.text import one_line

    config = ctx.config
    state = ctx.core.state(incident_id)
    required = {r.name for r in config.unfilled_roles(state.severity, state.roles)} if state.is_open else set()
    rows = []
    for name in dict.fromkeys([*config.role_names, *state.roles]):
        role = config.role(name)
        rows.append({
            "role": one_line(name),
            "person": one_line(state.roles.get(name, "")) or None,
            "contact": role.contact if role else None,
            "commander": name == config.commander_role,
            "required_from": role.required_from if role else None,
            "unfilled_required": name in required,
            "duties": list(role.duties) if role else [],
        })
    return rows


def cmd_roles(ctx: Context) -> int:
    incident_id = ctx.core.pick(ctx.args.incident, allow_closed_latest=True)
    rows = role_rows(ctx, incident_id)
    if ctx.args.json:
        print(json.dumps({"incident": incident_id, "roles": rows}, indent=2, ensure_ascii=False))
        return 0
    severity = ctx.core.state(incident_id).severity
    for row in rows:
        mark = "⚠ " if row["unfilled_required"] else ""
        held = row["person"] or (f"unassigned (required at {severity})" if row["unfilled_required"] else "unassigned")
        lead = " (commander)" if row["commander"] else ""
        contact = f"  contact: {row['contact']}" if row["contact"] else ""
        print(f"{mark}{row['role']}{lead}: {held}{contact}")
        for duty in row["duties"]:
            print(f"    - {duty}")
    return 0
