"""warroom's command line. Subcommands that need no UI never import textual."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NoReturn

from app import __version__
from app.errors import ConfigError, IncidentNotFound, WarroomError

if TYPE_CHECKING:
    from app.config import Config
    from app.store import IncidentStore

KINDS = ["note", "action", "decision", "observation", "communication"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ConfigError(f"{message} (see '{self.prog} --help')")


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--config", metavar="FILE", default=default, help="config file (default: see README)")
    parser.add_argument("--store", metavar="URL", default=default, help="incident store, e.g. sqlite:///path/warroom.db")
    parser.add_argument("--operator", metavar="NAME", default=default, help="who is acting (default: config operator / OS user)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="warroom", description="A terminal dashboard for the person running a production incident.")
    parser.add_argument("--version", action="version", version=f"warroom {__version__}")
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        _common(p, suppress=True)
        return p

    add("check-config", "validate the config and print a summary")

    inc = add("incident", "open, list or resolve incidents")
    inc_sub = inc.add_subparsers(dest="incident_command", parser_class=_Parser, metavar="ACTION", required=True)
    op = inc_sub.add_parser("open", help="open a new incident and print its id")
    _common(op, suppress=True)
    op.add_argument("--severity", required=True, help="one of the configured severities, e.g. SEV2")
    op.add_argument("--title", required=True, help="one-line description")
    ls = inc_sub.add_parser("list", help="list incidents")
    _common(ls, suppress=True)
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.add_argument("--open", action="store_true", help="only open incidents")
    rs = inc_sub.add_parser("resolve", help="resolve an incident (default: the single open one)")
    _common(rs, suppress=True)
    rs.add_argument("id", nargs="?", help="incident id")
    from app.cli_record import EXPORT_FORMATS, register, register_incident

    register_incident(inc_sub, _common)

    log = add("log", "append a timeline entry; prints its sequence number once durable")
    log.add_argument("--incident", metavar="ID", help="incident id (default: the single open incident)")
    log.add_argument("--kind", choices=KINDS, default="note", help="entry kind (default: note)")
    log.add_argument("text", nargs="+", help="entry text")

    exp = add("export", "export an incident's record")
    exp.add_argument("id", nargs="?", help="incident id (default: the single open, else the latest)")
    exp.add_argument("--format", choices=EXPORT_FORMATS, default="json", help="output format (markdown: post-mortem draft)")
    exp.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")

    register(add)

    st = add("status", "check every configured target once; exit 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN")
    st.add_argument("--json", action="store_true", help="machine-readable output")
    st.add_argument("--only", metavar="SOURCES", help="comma-separated: health,errors,postgres,kubernetes")
    return parser


class Context:
    """What a subcommand needs, built lazily from the global options."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._config: Config | None = None
        self._store: IncidentStore | None = None
        self._quick = None
        # `warroom log` is run from scripts many times: skip full config validation there.
        self.fast = args.command == "log"

    @property
    def config(self) -> Config:
        if self._config is None:
            from app.config import load_config

            self._config = load_config(self.args.config)
        return self._config

    @property
    def quick(self):
        """Store URL and operator without full validation (see app/config/quick.py)."""
        if self._quick is None:
            from app.config.quick import quick_settings

            self._quick = quick_settings(self.args.config)
        return self._quick

    @property
    def operator(self) -> str:
        if self.args.operator:
            return self.args.operator
        return self.config.operator if self._config is not None or not self.fast else self.quick.operator

    @property
    def store(self) -> IncidentStore:
        if self._store is None:
            from app.store import open_store, resolve_store_url

            configured = self.quick.store if self.fast and self._config is None else self.config.incident.store
            # list/export only read: they must work on read-only, full or damaged stores
            read_only = self.args.command == "export" or getattr(self.args, "incident_command", None) == "list"
            self._store = open_store(resolve_store_url(self.args.store, configured), read_only=read_only)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def pick_incident(self, incident_id: str | None, *, allow_closed_latest: bool = False) -> str:
        incidents = self.store.incidents()
        if incident_id:
            if not any(i.id == incident_id for i in incidents):
                raise IncidentNotFound(f"no incident {incident_id!r} in {self.store.url}")
            return incident_id
        open_ = [i for i in incidents if i.is_open]
        if len(open_) == 1:
            return open_[0].id
        if len(open_) > 1:
            ids = ", ".join(i.id for i in open_)
            raise IncidentNotFound(f"several incidents are open ({ids}): pass the incident id")
        if allow_closed_latest and incidents:
            return incidents[0].id
        raise IncidentNotFound("no open incident (open one with: warroom incident open --severity SEV2 --title ...)")


def _now() -> datetime:
    return datetime.now(UTC)


def cmd_check_config(ctx: Context) -> int:
    from app.config.types import format_duration

    config = ctx.config
    print(f"config: {config.source or 'built-in defaults (no file found)'}")
    sevs = ", ".join(
        f"{s.name} (ack {format_duration(s.respond_within) if s.respond_within else '-'}, "
        f"update {format_duration(s.update_every) if s.update_every else '-'})"
        for s in config.severities
    )
    print(f"severities: {sevs}")
    print(f"roles: {', '.join(config.roles)}")
    phases = len(config.checklists)
    print(f"checklist items: {sum(len(p.resolved) for p in config.checklists)} in {phases} phase{'s' if phases != 1 else ''}")
    sources = {"health": config.health, "error_rates": config.error_rates, "postgres": config.postgres, "kubernetes": config.kubernetes}
    print("sources: " + ", ".join(f"{k} {len(v)}" for k, v in sources.items()))
    print(f"operator: {config.operator}; timezone: {config.timezone}")
    return 0


def cmd_incident(ctx: Context) -> int:
    from app.domain.events import EventType, Milestone, NewEvent, Status
    from app.domain.incident import fold

    args = ctx.args
    if args.incident_command == "open":
        if ctx.config.severity(args.severity) is None:
            names = ", ".join(s.name for s in ctx.config.severities)
            raise ConfigError(f"--severity: unknown severity {args.severity!r} (configured: {names})")
        if not args.title.strip():
            raise ConfigError("--title: must not be empty")
        event = ctx.store.open_incident(
            title=args.title.strip(), severity=args.severity, actor=ctx.operator, at=_now(), id_format=ctx.config.incident.id_format
        )
        print(event.incident_id)
        return 0
    if args.incident_command == "list":
        incidents = ctx.store.incidents()
        if args.open:
            incidents = [i for i in incidents if i.is_open]
        if args.json:
            from app.cli_record import incident_metrics_json

            print(json.dumps([_summary_json(i) | {"metrics": incident_metrics_json(ctx, i.id)} for i in incidents], indent=2))
            return 0
        if not incidents:
            print("no incidents")
        for i in incidents:
            opened = i.opened_at.astimezone(ctx.config.tzinfo()).strftime("%Y-%m-%d %H:%M")
            print(f"{i.id:<16} {i.severity:<6} {i.status:<13} {opened}  {i.title}")
        return 0
    if args.incident_command == "resolve":
        incident_id = ctx.pick_incident(args.id)
        state = fold(incident_id, ctx.store.events(incident_id))
        if not state.is_open:
            raise IncidentNotFound(f"{incident_id} is already resolved")
        now = _now()
        if Milestone.RESOLVED not in state.milestones:
            ctx.store.append(incident_id, NewEvent(EventType.MILESTONE_MARKED, now, ctx.operator, {"milestone": "resolved", "at": now.isoformat()}))
        ctx.store.append(incident_id, NewEvent(EventType.STATUS_CHANGED, now, ctx.operator, {"status": Status.RESOLVED.value, "previous": state.status.value}))
        print(f"{incident_id} resolved")
        return 0
    if args.incident_command in ("milestone", "escalations"):
        from app.cli_record import cmd_escalations, cmd_milestone

        return (cmd_milestone if args.incident_command == "milestone" else cmd_escalations)(ctx)
    raise ConfigError("unknown incident action")


def _summary_json(i: Any) -> dict[str, Any]:
    return {
        "id": i.id,
        "title": i.title,
        "severity": i.severity,
        "status": i.status,
        "opened_at": i.opened_at.isoformat().replace("+00:00", "Z"),
    }


def cmd_log(ctx: Context) -> int:
    from app.domain.events import EventType, NewEvent

    text = " ".join(ctx.args.text).strip()
    if not text:
        raise ConfigError("log: the entry text is empty")
    incident_id = ctx.pick_incident(ctx.args.incident)
    stored = ctx.store.append(incident_id, NewEvent(EventType.ENTRY_ADDED, _now(), ctx.operator, {"kind": ctx.args.kind, "text": text}))
    print(stored.seq, flush=True)
    return 0


def cmd_export(ctx: Context) -> int:
    from app.cli_record import cmd_export as export_record

    return export_record(ctx)


def cmd_update(ctx: Context) -> int:
    from app.cli_record import cmd_update as post

    return post(ctx)


def cmd_status(ctx: Context) -> int:
    from app.status import run_status

    only = [s.strip() for s in ctx.args.only.split(",") if s.strip()] if ctx.args.only else None
    return run_status(ctx.config, as_json=ctx.args.json, only=only)


def cmd_tui(ctx: Context) -> int:
    from app.ui.app import WarroomApp

    config = ctx.config
    if ctx.args.operator:
        config = config.model_copy(update={"operator": ctx.args.operator})
    WarroomApp(config, ctx.store).run()
    return 0


COMMANDS = {
    None: cmd_tui,
    "check-config": cmd_check_config,
    "incident": cmd_incident,
    "log": cmd_log,
    "export": cmd_export,
    "update": cmd_update,
    "status": cmd_status,
}


def main(argv: list[str] | None = None) -> int:
    ctx: Context | None = None
    try:
        args = build_parser().parse_args(argv)
        ctx = Context(args)
        return COMMANDS[args.command](ctx)
    except WarroomError as exc:
        print(f"warroom: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - a person gets one line, the log gets the trace
        from app.logfile import log_exception

        where = log_exception(exc)
        print(f"warroom: unexpected error: {type(exc).__name__}: {exc} (details in {where})", file=sys.stderr)
        return 1
    finally:
        if ctx is not None:
            ctx.close()
