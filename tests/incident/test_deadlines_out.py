"""Countdowns readable from the command line and in the exports (issue 15, item 8): the
next deadline and each countdown with its due time (ISO, UTC) and the seconds remaining."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from app.config import Config
from app.domain.clock import FrozenClock
from app.incident import IncidentCore, MarkMilestone
from app.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 3, 14, 9, 0, 0, tzinfo=UTC)


def test_figures_and_exports_carry_due_times_and_seconds_left(tmp_path):
    store = SQLiteStore(tmp_path / "d.db")
    clock = FrozenClock(START)
    core = IncidentCore(store, Config(operator="alice", timezone="Europe/Berlin"), clock=clock)
    incident = core.open("Checkout down", "SEV2").incident_id  # ack 15m, update 30m, escalate 30m / 2h
    clock.set(START + timedelta(minutes=12))
    figures = core.figures(incident)
    by_key = {c["key"]: c for c in figures["countdowns"]}
    assert figures["next_deadline"] == by_key["ack"] == {
        "key": "ack", "label": "Acknowledge", "state": "due soon",
        "due_at": "2026-03-14T09:15:00Z", "seconds_remaining": 180, "met_at": None,
    }
    assert (by_key["update"]["due_at"], by_key["update"]["seconds_remaining"]) == ("2026-03-14T09:30:00Z", 1080)
    assert by_key["escalation:1"]["label"] == "Escalate to Director of Engineering"
    assert by_key["escalation:1"]["due_at"] == "2026-03-14T11:00:00Z"

    clock.set(START + timedelta(minutes=20))
    late = {c["key"]: c for c in core.figures(incident)["countdowns"]}["ack"]
    assert (late["state"], late["seconds_remaining"]) == ("overdue", -300)
    core.execute(incident, MarkMilestone("acknowledged"))
    met = {c["key"]: c for c in core.figures(incident)["countdowns"]}["ack"]
    assert (met["state"], met["seconds_remaining"], met["met_at"]) == ("met", None, "2026-03-14T09:20:00Z")

    assert json.loads(core.export(incident, "json"))["incident"]["next_deadline"]["key"] == "update"
    record = yaml.safe_load(core.export(incident, "yaml"))
    assert record["next_deadline"]["due_at"] == "2026-03-14T09:30:00Z" and record["next_deadline"]["seconds_remaining"] == 600
    markdown = core.export(incident, "markdown")
    assert "| Next status update | 2026-03-14 09:30:00 UTC (10:30:00 CET) | ok: 10m left |" in markdown
    assert "| Acknowledge | 2026-03-14 09:15:00 UTC (10:15:00 CET) | met 2026-03-14 09:20:00 UTC (10:20:00 CET) |" in markdown
    store.close()


def test_incident_list_json_has_the_next_deadline(tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "app", *args, "--store", f"sqlite:///{tmp_path / 'l.db'}"],
                              capture_output=True, text=True, cwd=ROOT)

    assert run("incident", "open", "--severity", "SEV1", "--title", "t").returncode == 0
    listed = json.loads(run("incident", "list", "--json").stdout)[0]
    nxt = listed["next_deadline"]
    assert nxt["key"] == "ack" and 0 < nxt["seconds_remaining"] <= 300  # SEV1: acknowledge within 5m
    due = datetime.fromisoformat(nxt["due_at"].replace("Z", "+00:00"))
    opened = datetime.fromisoformat(listed["opened_at"].replace("Z", "+00:00"))
    assert due - opened == timedelta(minutes=5)
    assert {c["key"] for c in listed["countdowns"]} >= {"update", "ack", "escalation:0"}


def test_incident_show_says_where_the_incident_stands(tmp_path):
    config = tmp_path / "warroom.yaml"
    config.write_text("timezone: UTC\nroles: [Incident Commander, {name: Tech Lead, required_from: SEV2, contact: '@tl'}]\n")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "app", *args, "--config", str(config), "--store", f"sqlite:///{tmp_path / 's.db'}"],
                              capture_output=True, text=True, cwd=ROOT)

    hostile = "Checkout \x1b[2J[b]down[/b]"
    assert run("incident", "open", "--severity", "SEV1", "--title", hostile).returncode == 0
    assert run("incident", "assign", "Incident Commander", "dana").returncode == 0
    shown = run("incident", "show")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert "\x1b" not in shown.stdout and "[b]down[/b]" in lines[0]  # literal, without the escape
    assert lines[0].startswith("INC-") and "  SEV1  investigating (open)  " in lines[0]
    assert "  Incident Commander (commander): dana" in lines
    assert "  ⚠ Tech Lead: unassigned (required at SEV1)  contact: @tl" in lines
    # SEV1: acknowledge within 5 minutes, which is already "due soon" (incident.due_soon: 5m)
    assert any(line.startswith("  ▲ Acknowledge: due ") and line.endswith("(due soon)") and ", in 4:" in line for line in lines)
    document = json.loads(run("incident", "show", "--json").stdout)
    assert document["next_deadline"]["key"] == "ack" and 0 < document["next_deadline"]["seconds_remaining"] <= 300
    assert [r["unfilled_required"] for r in document["roles"]] == [False, True]
    assert document["open"] is True and document["status"] == "investigating"
