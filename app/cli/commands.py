"""The subcommands: parse what the person typed, call the incident core, print the result.

Nothing here decides anything about an incident (app/incident does) and nothing imports
textual except the dashboard command; asyncio (~20 ms) is imported by the commands that
use it, not by `warroom log`, which scripts run many times.
"""

from __future__ import annotations

import sys
from collections.abc import Sized
from typing import TYPE_CHECKING, Any

from app.errors import ConfigError, WarroomError

if TYPE_CHECKING:
    from app.cli.context import Context
    from app.store.base import IncidentSummary


def cmd_check_config(ctx: Context) -> int:
    from app.config.summary import summary_lines

    config = ctx.config
    for line in summary_lines(config):
        print(line)
    sources: dict[str, Sized] = {"health": config.health, "error_rates": config.error_rates, "postgres": config.postgres, "kubernetes": config.kubernetes,
                               "alertmanager": config.alertmanager}
    print("sources: " + ", ".join(f"{k} {len(v)}" for k, v in sources.items()))
    print(f"operator: {config.operator}; timezone: {config.timezone}")
    return 0


_OPTIONS = {"title": "--title", "severity": "--severity", "at": "--at"}


def _rejected(exc: WarroomError) -> ConfigError:
    """The core's one line, naming this front end's option for the input that was wrong."""
    field = getattr(exc, "field", None)
    if field == "reason":
        return ConfigError(str(exc).replace("give a reason", "pass --reason"))
    return ConfigError(f"{_OPTIONS[field]}: {exc}" if field in _OPTIONS else str(exc))


def cmd_incident(ctx: Context) -> int:
    from app.incident import CommandRejected, MarkMilestone, Resolve

    args = ctx.args
    if args.incident_command == "open":
        try:
            opened = ctx.core.open(args.title, args.severity)
        except CommandRejected as exc:
            raise _rejected(exc) from None
        print(opened.incident_id)
        return 0
    if args.incident_command == "list":
        return _list(ctx)
    if args.incident_command == "resolve":
        incident_id = ctx.core.pick(args.id)
        ctx.core.execute(incident_id, Resolve())
        print(f"{incident_id} resolved")
        return 0
    if args.incident_command == "milestone":
        from app.domain.timefmt import dual
        from app.incident.when import parse_when

        incident_id = ctx.core.pick(args.incident, allow_closed_latest=bool(args.reason))
        at = None
        if args.at:
            try:
                at = parse_when(args.at, ctx.config.tzinfo(), ctx.core.clock.now())
            except CommandRejected as exc:
                raise _rejected(exc) from None
        try:
            stored = ctx.core.execute(incident_id, MarkMilestone(args.name, at, args.reason))
        except CommandRejected as exc:
            raise _rejected(exc) from None
        first = stored[0]
        verb = "corrected to" if "reason" in first.data else "marked at"
        from app.domain.timestamps import parse_time

        print(f"{incident_id}: {args.name} {verb} {dual(parse_time(first.data['at']), ctx.config.tzinfo())} (#{first.seq})")
        if len(stored) > 1:
            print(f"{incident_id} resolved")
        return 0
    if args.incident_command == "escalations":
        return _escalations(ctx)
    if args.incident_command == "status":
        return _status(ctx)
    if args.incident_command == "show":
        from app.cli.incident_show import cmd_show

        return cmd_show(ctx)
    if args.incident_command in ("set", "fields"):
        from app.cli.incident_fields import cmd_fields, cmd_set

        return cmd_set(ctx) if args.incident_command == "set" else cmd_fields(ctx)
    if args.incident_command in ("assign", "roles"):
        from app.cli.incident_roles import cmd_assign, cmd_roles

        return cmd_assign(ctx) if args.incident_command == "assign" else cmd_roles(ctx)
    raise ConfigError("unknown incident action")


def _status(ctx: Context) -> int:
    from app.incident import CommandRejected, SetStatus

    incident_id = ctx.core.pick(ctx.args.incident)
    try:
        stored = ctx.core.execute(incident_id, SetStatus(ctx.args.name))
    except CommandRejected as exc:
        raise ConfigError(f"incident status: {exc}") from None
    last = stored[-1]
    print(f"{incident_id}: status {last.data.get('label') or last.data['status']} (#{last.seq})")
    if any(e.data.get("milestone") for e in stored):
        marked = next(e for e in stored if e.data.get("milestone"))
        print(f"{incident_id}: {marked.data['milestone']} marked (#{marked.seq})")
    return 0


def _shown_status(ctx: Context, i: IncidentSummary) -> str:
    """A resolved incident is stored as 'resolved': shown by the config's name for it."""
    return i.status if i.is_open else ctx.config.final_status


def _summary_json(ctx: Context, i: IncidentSummary) -> dict[str, Any]:
    return {
        "id": i.id,
        "title": i.title,
        "severity": i.severity,
        "status": _shown_status(ctx, i),
        "open": i.is_open,
        "opened_at": i.opened_at.isoformat().replace("+00:00", "Z"),
    }


def _list(ctx: Context) -> int:
    incidents = ctx.core.incidents(open_only=ctx.args.open)
    if ctx.args.json:
        import json

        print(json.dumps([_summary_json(ctx, i) | ctx.core.figures(i.id) for i in incidents], indent=2))
        return 0
    if not incidents:
        print("no incidents")
    for i in incidents:
        opened = i.opened_at.astimezone(ctx.config.tzinfo()).strftime("%Y-%m-%d %H:%M")
        print(f"{i.id:<16} {i.severity:<6} {_shown_status(ctx, i):<13} {opened}  {i.title}")
    return 0


def _escalations(ctx: Context) -> int:
    import asyncio

    incident_id = ctx.core.pick(ctx.args.incident)
    logged = ctx.core.log_due_escalations(incident_id)
    if not logged:
        print("no escalation step newly due")
    for _, entry in logged:
        print(f"#{entry.seq} {entry.data['text']}")
        for result in asyncio.run(ctx.core.deliver_escalation(incident_id, entry)):
            print(f"  {result.summary()}")
    return 0


def cmd_log(ctx: Context) -> int:
    from app.incident import CommandRejected, LogEntry

    text = " ".join(ctx.args.text).strip()
    if not text:
        raise ConfigError("log: the entry text is empty")
    incident_id = ctx.core.pick(ctx.args.incident)
    try:
        stored = ctx.core.execute(incident_id, LogEntry(text, ctx.args.kind))
    except CommandRejected as exc:
        raise ConfigError(f"log: {exc}") from None
    print(stored[0].seq, flush=True)
    return 0


def cmd_export(ctx: Context) -> int:
    incident_id = ctx.core.pick(ctx.args.id, allow_closed_latest=True)
    output = ctx.core.export(incident_id, ctx.args.format)
    if ctx.args.output:
        from pathlib import Path

        from app.incident.core import write_text

        try:
            write_text(Path(ctx.args.output), output)
        except WarroomError as exc:
            raise ConfigError(str(exc)) from None
        print(f"{incident_id}: {ctx.args.format} written to {ctx.args.output}", file=sys.stderr)
    else:
        sys.stdout.write(output)
    return 0


def cmd_update(ctx: Context) -> int:
    import asyncio

    args = ctx.args
    text = " ".join(args.text).strip()
    if sum([bool(text), args.draft, args.retry]) != 1:
        raise ConfigError("update: give the update TEXT, or --draft, or --retry (exactly one)")
    if args.template and not args.draft:
        raise ConfigError("update: --template only goes with --draft")
    if args.audience and args.retry:
        raise ConfigError("update: --audience does not go with --retry (a retry re-sends to each update's own receivers)")
    core = ctx.core
    incident_id = core.pick(args.incident, allow_closed_latest=args.draft or args.retry)
    if args.draft:
        print(core.draft_update(core.state(incident_id), args.template, args.audience).text)
        return 0
    if args.retry:
        retried = asyncio.run(core.retry_deliveries(incident_id))
        if not retried:
            print("nothing to retry: every update was delivered")
        for seq, result in retried:
            print(f"update #{seq}: {result.summary()}")
        return 0 if all(r.ok for _, r in retried) else 1
    update = core.record_update(incident_id, text, audience=args.audience)
    print(f"update #{update.seq} recorded in {incident_id}", flush=True)
    results = asyncio.run(core.deliver_update(incident_id, update))
    if not results:
        print(f"no webhook for the {args.audience or 'internal'} audience (notify.webhooks): recorded only")
    for result in results:
        print(result.summary())
    if not all(r.ok for r in results):
        print("failed deliveries are kept: re-send with 'warroom update --retry'", file=sys.stderr)
        return 1
    return 0


def cmd_status(ctx: Context) -> int:
    from app.config.staged import StagedConfig
    from app.status import run_status

    only = [s.strip() for s in ctx.args.only.split(",") if s.strip()] if ctx.args.only else None
    # Read, not yet validated: each source's checks start once its own section is (see app/status.py).
    return run_status(StagedConfig(ctx.args.config), as_json=ctx.args.json, only=only)


def cmd_tui(ctx: Context) -> int:
    from app.ui.app import WarroomApp

    app = WarroomApp(ctx.config, ctx.store)
    app.run()
    return app.return_code or 0
