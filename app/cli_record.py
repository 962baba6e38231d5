"""Subcommands for status updates, milestones, escalations and exports (issue 7).

Registered from app/cli.py; kept apart so cli.py stays small. Nothing here imports textual.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable

from app.errors import ConfigError

if TYPE_CHECKING:
    from app.cli import Context

TEMPLATES = ["initial", "update", "resolution"]
MILESTONES = ["detected", "acknowledged", "mitigated", "resolved"]
EXPORT_FORMATS = ["json", "markdown", "yaml"]


def register(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    up = add("update", "post a status update: record it, then deliver it to every configured webhook")
    up.add_argument("--incident", metavar="ID", help="incident id (default: the single open incident)")
    up.add_argument("--template", choices=TEMPLATES, help="with --draft: which template to fill (default: by state)")
    up.add_argument("--draft", action="store_true", help="print the next update filled from its template; post nothing")
    up.add_argument("--retry", action="store_true", help="re-send every update whose delivery failed")
    up.add_argument("text", nargs="*", help="update text")


def register_incident(inc_sub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser, bool], None]) -> None:
    ms = inc_sub.add_parser("milestone", help="mark (or correct, with --reason) a milestone")
    common(ms, True)
    ms.add_argument("name", choices=MILESTONES, help="milestone")
    ms.add_argument("--incident", metavar="ID", help="incident id (default: the single open incident)")
    ms.add_argument("--at", metavar="TIME", help="when: HH:MM[:SS] today or ISO 8601; naive times are in the configured zone (default: now)")
    ms.add_argument("--reason", help="required to correct a milestone that is already marked")
    esc = inc_sub.add_parser("escalations", help="log escalation steps that fell due (once each) and post them to webhooks")
    common(esc, True)
    esc.add_argument("--incident", metavar="ID", help="incident id (default: the single open incident)")


def _now() -> datetime:
    return datetime.now(UTC)


class _Clock:
    def now(self) -> datetime:
        return _now()


def parse_when(text: str, tz, now: datetime) -> datetime:
    """'14:05', '14:05:30' (the most recent such time in the zone) or ISO 8601."""
    text = text.strip()
    local_now = now.astimezone(tz)
    for fmt in ("%H:%M", "%H:%M:%S"):
        try:
            clock = datetime.strptime(text, fmt).time()
        except ValueError:
            continue
        at = datetime.combine(local_now.date(), clock, tzinfo=local_now.tzinfo)
        if at > local_now + timedelta(minutes=1):
            at -= timedelta(days=1)
        return at.astimezone(UTC)
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"--at: cannot read {text!r} (use HH:MM, HH:MM:SS or 2026-03-02T14:05:00Z)") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=local_now.tzinfo)
    return at.astimezone(UTC)


def cmd_update(ctx: Context) -> int:
    from app.domain.incident import fold
    from app.domain.templates import render_update
    from app.notify import post_update, retry_failed

    args = ctx.args
    text = " ".join(args.text).strip()
    modes = sum([bool(text), args.draft, args.retry])
    if modes != 1:
        raise ConfigError("update: give the update TEXT, or --draft, or --retry (exactly one)")
    if args.template and not args.draft:
        raise ConfigError("update: --template only goes with --draft")
    incident_id = ctx.pick_incident(args.incident, allow_closed_latest=args.draft or args.retry)
    if args.draft:
        events = ctx.store.events(incident_id)
        opened_impact = next((e.data.get("impact") for e in events[:1]), None)
        draft = render_update(fold(incident_id, events), ctx.config, _now(), template=args.template, opened_impact=opened_impact)
        print(draft.text)
        return 0
    config, clock = ctx.config, _Clock()
    if args.retry:
        import asyncio

        retried = asyncio.run(retry_failed(ctx.store, incident_id, config=config, clock=clock, actor=ctx.operator))
        if not retried:
            print("nothing to retry: every update was delivered")
        for seq, result in retried:
            print(f"update #{seq}: {result.summary()}")
        return 0 if all(r.ok for _, r in retried) else 1
    import asyncio

    posted = asyncio.run(post_update(ctx.store, incident_id, text, config=config, clock=clock, actor=ctx.operator))
    print(f"update #{posted.update.seq} recorded in {incident_id}", flush=True)
    if not posted.results:
        print("no webhooks configured (notify.webhooks): recorded only")
    for result in posted.results:
        print(result.summary())
    if not posted.all_ok:
        print("failed deliveries are kept: re-send with 'warroom update --retry'", file=sys.stderr)
    return 0 if posted.all_ok else 1


def cmd_milestone(ctx: Context) -> int:
    from app.domain.events import EventType, Milestone, NewEvent
    from app.domain.incident import fold
    from app.domain.timefmt import dual

    args = ctx.args
    incident_id = ctx.pick_incident(args.incident, allow_closed_latest=bool(args.reason))
    state = fold(incident_id, ctx.store.events(incident_id))
    now = _now()
    tz = ctx.config.tzinfo()
    at = parse_when(args.at, tz, now) if args.at else now
    milestone = Milestone(args.name)
    if at > now + timedelta(minutes=1):
        raise ConfigError(f"--at: {dual(at, tz)} is in the future")
    data: dict[str, Any] = {"milestone": milestone.value, "at": at.isoformat()}
    if milestone in state.milestones:
        if not args.reason or not args.reason.strip():
            was = dual(state.milestones[milestone], tz)
            raise ConfigError(f"{milestone.value} is already marked ({was}): pass --reason to correct it")
        data["reason"] = args.reason.strip()
        data["previous"] = state.milestones[milestone].isoformat()
        etype = EventType.MILESTONE_CORRECTED
    else:
        if milestone is Milestone.RESOLVED:
            raise ConfigError("to resolve, run 'warroom incident resolve' (it marks the milestone and closes the incident)")
        etype = EventType.MILESTONE_MARKED
    stored = ctx.store.append(incident_id, NewEvent(etype, now, ctx.operator, data))
    verb = "corrected to" if etype is EventType.MILESTONE_CORRECTED else "marked at"
    print(f"{incident_id}: {milestone.value} {verb} {dual(at, tz)} (#{stored.seq})")
    return 0


def cmd_escalations(ctx: Context) -> int:
    from app.domain.escalation import due_escalations, escalation_entry
    from app.domain.incident import fold
    from app.notify import deliver_escalation

    incident_id = ctx.pick_incident(ctx.args.incident)
    events = ctx.store.events(incident_id)
    now = _now()
    due = due_escalations(fold(incident_id, events), events, ctx.config, now)
    if not due:
        print("no escalation step newly due")
    for step in due:
        entry = ctx.store.append(incident_id, escalation_entry(step, ctx.operator, now, ctx.config.tzinfo()))
        print(f"#{entry.seq} {entry.data['text']}")
        import asyncio

        results = asyncio.run(deliver_escalation(ctx.store, incident_id, entry, config=ctx.config, clock=_Clock(), actor=ctx.operator))
        for result in results:
            print(f"  {result.summary()}")
    return 0


def incident_metrics_json(ctx: Context, incident_id: str) -> dict[str, Any]:
    from app.domain.incident import fold
    from app.domain.metrics import metrics_json

    return metrics_json(fold(incident_id, ctx.store.events(incident_id)), _now())


def cmd_export(ctx: Context) -> int:
    from app.domain.incident import fold
    from app.domain.record import export

    incident_id = ctx.pick_incident(ctx.args.id, allow_closed_latest=True)
    events = ctx.store.events(incident_id)
    output = export(ctx.args.format, fold(incident_id, events), events, ctx.config, _now())
    if ctx.args.output:
        try:
            with open(ctx.args.output, "w", encoding="utf-8") as fh:
                fh.write(output)
        except OSError as exc:
            raise ConfigError(f"{ctx.args.output}: cannot write: {exc.strerror or exc}") from None
        print(f"{incident_id}: {ctx.args.format} written to {ctx.args.output}", file=sys.stderr)
    else:
        sys.stdout.write(output)
    return 0
