"""`warroom incident set` and `warroom incident fields`: the record's own fields from the
command line (a bot filling users_affected, the commander revenue_lost days later)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from app.errors import ConfigError

if TYPE_CHECKING:
    from app.cli.context import Context


def cmd_set(ctx: Context) -> int:
    from app.incident import CommandRejected, SetField

    args = ctx.args
    core = ctx.core
    incident_id = core.pick(args.incident, allow_closed_latest=True)
    try:
        stored = core.execute(incident_id, SetField(args.field, args.value))
    except CommandRejected as exc:
        raise ConfigError(f"incident set: {exc}") from None
    print(f"{incident_id}: {stored[-1].data['text']} (#{stored[-1].seq})")
    return 0


def cmd_fields(ctx: Context) -> int:
    from app.domain.record_fields import shown_value
    from app.domain.text import one_line

    args = ctx.args
    incident_id = ctx.core.pick(args.incident, allow_closed_latest=True)
    values = ctx.core.state(incident_id).fields
    rows: list[dict[str, Any]] = [
        {"field": f.name, "label": f.shown, "type": f.type, "choices": list(f.choices), "value": values.get(f.name)}
        for f in ctx.config.fields
    ]
    if args.json:
        print(json.dumps({"incident": incident_id, "fields": rows}, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("no record fields configured (fields: in the config)")
        return 0
    width = max(len(r["field"]) for r in rows)
    for r in rows:
        kind = f"one of {', '.join(r['choices'])}" if r["choices"] else r["type"]
        print(f"{r['field']:<{width}}  {one_line(shown_value(r['value']))}  ({kind})")
    return 0
