"""Roles through the incident core and the CLI (issue 15, item 5): configured names only,
the configured commander leads, required roles are reported where a person reads them."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.config import parse_config
from app.domain.clock import FrozenClock
from app.domain.templates import template_variables
from app.incident import AssignRole, CommandRejected, IncidentCore, logs_shared_observations
from app.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 3, 14, 9, 0, 0, tzinfo=UTC)
CONFIG = """
operator: alice
timezone: UTC
roles:
  - name: Duty Manager
    commander: true
    contact: "[b]@duty[/b] \\u2014 https://pager.example/duty"
    duties: [Run the response, Hand off before leaving]
  - name: Tech Lead
    required_from: SEV2
    duties: [Lead the fix]
  - Scribe
"""


@pytest.fixture
def core(tmp_path):
    store = SQLiteStore(tmp_path / "roles.db")
    yield IncidentCore(store, parse_config(CONFIG), clock=FrozenClock(START))
    store.close()


def test_an_unknown_role_is_refused_naming_the_configured_ones_and_case_does_not_matter(core):
    incident = core.open("Checkout down", "SEV1").incident_id
    with pytest.raises(CommandRejected, match=r"unknown role 'Tech Leed' \(configured: Duty Manager, Tech Lead, Scribe\)"):
        core.execute(incident, AssignRole("Tech Leed", "bob"))
    stored = core.execute(incident, AssignRole("tech lead", "bob"))
    assert stored[0].data["role"] == "Tech Lead"
    assert core.state(incident).roles == {"Tech Lead": "bob"}


def test_the_configured_commander_leads_templates_and_shared_observations(core):
    incident = core.open("Checkout down", "SEV2").incident_id
    core.execute(incident, AssignRole("Duty Manager", "carol"))
    state = core.state(incident)
    assert template_variables(state, core.config, START)["commander"] == "carol"
    assert logs_shared_observations(state, "carol", core.commander_role)
    assert not logs_shared_observations(state, "alice", core.commander_role)


def test_required_roles_follow_the_severity(core):
    incident = core.open("Checkout down", "SEV3").incident_id
    state = core.state(incident)
    assert core.config.unfilled_roles(state.severity, state.roles) == []
    for severity in ("SEV2", "SEV1"):
        assert [r.name for r in core.config.unfilled_roles(severity, state.roles)] == ["Tech Lead"]


def test_exports_carry_contacts_and_the_unfilled_required_role(core):
    incident = core.open("Checkout down", "SEV1").incident_id
    core.execute(incident, AssignRole("Duty Manager", "carol"))
    record = json.loads(core.export(incident, "json"))["incident"]
    assert record["role_contacts"] == {"Duty Manager": "[b]@duty[/b] — https://pager.example/duty"}
    assert record["roles_required_unfilled"] == ["Tech Lead"]
    markdown = core.export(incident, "markdown")
    assert "| Role | Held by | Contact | Handoffs |" in markdown
    assert "| Duty Manager | carol | \\[b\\]@duty\\[/b\\] — https://pager.example/duty |" in markdown
    assert "⚠ Tech Lead unassigned (required at SEV1)" in markdown
    assert "role_contacts:" in core.export(incident, "yaml")


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    config = tmp_path / "warroom.yaml"
    config.write_text(CONFIG)
    return subprocess.run(
        [sys.executable, "-m", "app", *args, "--config", str(config), "--store", f"sqlite:///{tmp_path / 'cli.db'}"],
        capture_output=True, text=True, cwd=ROOT,
    )


def test_cli_assign_asks_for_handoff_of_the_commander_and_roles_shows_contact_duties_and_warning(tmp_path):
    assert run(tmp_path, "incident", "open", "--severity", "SEV1", "--title", "t").returncode == 0
    assert run(tmp_path, "incident", "assign", "duty manager", "carol").returncode == 0
    refused = run(tmp_path, "incident", "assign", "Duty Manager", "dave")
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "warroom: error: incident assign: Duty Manager is held by carol; pass --handoff to hand it to dave"
    ]
    assert run(tmp_path, "incident", "assign", "Duty Manager", "dave", "--handoff").returncode == 0
    unknown = run(tmp_path, "incident", "assign", "Tech Leed", "bob")
    assert unknown.returncode == 2 and "configured: Duty Manager, Tech Lead, Scribe" in unknown.stderr
    shown = run(tmp_path, "incident", "roles")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "Duty Manager (commander): dave  contact: [b]@duty[/b] — https://pager.example/duty"
    assert lines[1:3] == ["    - Run the response", "    - Hand off before leaving"]
    assert lines[3] == "⚠ Tech Lead: unassigned (required at SEV1)"
    listed = json.loads(run(tmp_path, "incident", "roles", "--json").stdout)["roles"]
    assert [(r["role"], r["person"], r["unfilled_required"]) for r in listed] == [
        ("Duty Manager", "dave", False), ("Tech Lead", None, True), ("Scribe", None, False)
    ]
