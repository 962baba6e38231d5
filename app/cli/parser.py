"""The argument parser: every subcommand and option, nothing that runs them."""

from __future__ import annotations

import argparse
from typing import NoReturn

from app import __version__
from app.errors import ConfigError

KINDS = ("note", "action", "decision", "observation", "communication")
TEMPLATES = ("initial", "update", "resolution")
MILESTONES = ("detected", "acknowledged", "mitigated", "resolved")
EXPORT_FORMATS = ("json", "markdown", "yaml")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ConfigError(f"{message} (see '{self.prog} --help')")


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--config", metavar="FILE", default=default, help="config file (default: see README)")
    parser.add_argument("--store", metavar="URL", default=default, help="incident store, e.g. sqlite:///path/warroom.db")
    parser.add_argument("--operator", metavar="NAME", default=default, help="who is acting (default: config operator / OS user)")


def _incident_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--incident", metavar="ID", help="incident id (default: the single open incident)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="warroom", description="A terminal dashboard for the person running a production incident.")
    parser.add_argument("--version", action="version", version=f"warroom {__version__}")
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    def add(parent, name: str, help_: str) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help_, description=help_)
        _common(p, suppress=True)
        return p

    add(sub, "check-config", "validate the config and print a summary")

    inc = add(sub, "incident", "open, list or resolve incidents")
    inc_sub = inc.add_subparsers(dest="incident_command", parser_class=_Parser, metavar="ACTION", required=True)
    op = add(inc_sub, "open", "open a new incident and print its id")
    op.add_argument("--severity", required=True, help="one of the configured severities, e.g. SEV2")
    op.add_argument("--title", required=True, help="one-line description")
    ls = add(inc_sub, "list", "list incidents")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.add_argument("--open", action="store_true", help="only open incidents")
    sh = add(inc_sub, "show", "one incident as it stands: status, milestones, metrics, roles, every deadline and countdown")
    sh.add_argument("id", nargs="?", help="incident id (default: the single open, else the latest)")
    sh.add_argument("--json", action="store_true", help="machine-readable output (due_at as ISO, seconds_remaining)")
    rs = add(inc_sub, "resolve", "resolve an incident (default: the single open one)")
    rs.add_argument("id", nargs="?", help="incident id")
    ms = add(inc_sub, "milestone", "mark (or correct, with --reason) a milestone; 'resolved' resolves the incident")
    ms.add_argument("name", choices=MILESTONES, help="milestone")
    _incident_id(ms)
    ms.add_argument("--at", metavar="TIME", help="when: HH:MM[:SS] today or ISO 8601; naive times are in the configured zone (default: now)")
    ms.add_argument("--reason", help="required to correct a milestone that is already marked")
    stt = add(inc_sub, "status", "set the status (the configured lifecycle; the last one resolves the incident)")
    stt.add_argument("name", help="a configured status, e.g. identified (case does not matter)")
    _incident_id(stt)
    asg = add(inc_sub, "assign", "assign a role, hand it off, or --unassign it (the commander's holder changes only with --handoff)")
    asg.add_argument("role", help="a configured role, e.g. 'Tech Lead' (case does not matter)")
    asg.add_argument("person", nargs="?", help="who takes the role")
    _incident_id(asg)
    asg.add_argument("--unassign", action="store_true", help="leave the role unassigned")
    asg.add_argument("--handoff", action="store_true", help="confirm taking the commander role from its current holder")
    rl = add(inc_sub, "roles", "each role: who holds it, its contact, its duties, and whether the severity requires it")
    _incident_id(rl)
    rl.add_argument("--json", action="store_true", help="machine-readable output")
    fs = add(inc_sub, "set", "set one of the record's fields (config `fields:`), e.g. users_affected 1200; '' clears it")
    fs.add_argument("field", help="a configured field name, e.g. detected_by")
    fs.add_argument("value", help="its value, checked by the field's type (text, number, duration, choice)")
    _incident_id(fs)
    fl = add(inc_sub, "fields", "the record's fields: each with its type and the incident's value")
    _incident_id(fl)
    fl.add_argument("--json", action="store_true", help="machine-readable output")
    esc = add(inc_sub, "escalations", "log escalation steps that fell due (once each) and post them to webhooks")
    _incident_id(esc)

    log = add(sub, "log", "append a timeline entry; prints its sequence number once durable")
    _incident_id(log)
    log.add_argument("--kind", choices=KINDS, default="note", help="entry kind (default: note)")
    log.add_argument("text", nargs="+", help="entry text")

    exp = add(sub, "export", "export an incident's record")
    exp.add_argument("id", nargs="?", help="incident id (default: the single open, else the latest)")
    exp.add_argument("--format", choices=EXPORT_FORMATS, default="json", help="output format (markdown: post-mortem draft)")
    exp.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")

    up = add(sub, "update", "post a status update: record it, then deliver it to every webhook of its audience")
    _incident_id(up)
    up.add_argument("--template", choices=TEMPLATES, help="with --draft: which template to fill (default: by state)")
    up.add_argument("--draft", action="store_true", help="print the next update filled from its template; post nothing")
    up.add_argument("--audience", metavar="NAME", help="whose update: internal (default) or one of notify.audiences; "
                    "with --draft its text, else delivered only to that audience's webhooks")
    up.add_argument("--retry", action="store_true", help="re-send every update whose delivery failed")
    up.add_argument("text", nargs="*", help="update text")

    sto = add(sub, "store", "where incidents are kept: check a store, or copy incidents to another")
    sto_sub = sto.add_subparsers(dest="store_command", parser_class=_Parser, metavar="ACTION", required=True)
    ck = add(sto_sub, "check", "say which store is in use, its schema version, and whether this login can read and write it")
    ck.add_argument("url", nargs="?", metavar="URL", help="store to check (default: the one in use: --store, $WARROOM_STORE, config)")
    ck.add_argument("--json", action="store_true", help="machine-readable output")
    cp = add(sto_sub, "copy", "copy incidents with all their events (ids, seqs and event ids kept); again copies only what is missing")
    cp.add_argument("source", metavar="SRC", help="store URL to copy from (only read)")
    cp.add_argument("destination", metavar="DST", help="store URL to copy to, e.g. postgresql://db/incidents")
    cp.add_argument("--incident", metavar="ID", action="append", help="copy only this incident (repeatable; default: all)")

    st = add(sub, "status", "check every configured target once; exit 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN")
    st.add_argument("--json", action="store_true", help="machine-readable output")
    st.add_argument("--only", metavar="SOURCES", help="comma-separated: health,errors,postgres,kubernetes")
    dm = add(sub, "demo", "a live incident drill on this machine (simulated services, a real PostgreSQL, a simulated Kubernetes)")
    dm.add_argument("--scenario", default="bad-deploy", metavar="NAME",
                    help="bad-deploy (default), lock-storm, pool-exhaustion, or a scenario .yaml file")
    dm.add_argument("--speed", type=float, default=1.0, metavar="X", help="scenario clock speed (default 1: about 10 minutes)")
    dm.add_argument("--keep", action="store_true", help="keep the drill's files (config, kubeconfig, data) after it ends")
    return parser
