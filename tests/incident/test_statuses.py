"""A configured status lifecycle through the core and the CLI (issue 15, item 6): the last
status resolves (milestone, metrics, stores), `marks` feeds the metrics, and an incident
opened under another config still folds and shows its statuses as stored."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.config import Config, parse_config
from app.domain.clock import FrozenClock
from app.domain.events import Milestone
from app.domain.metrics import metrics_json
from app.incident import CommandRejected, IncidentCore, MarkMilestone, SetStatus
from app.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 3, 14, 9, 0, 0, tzinfo=UTC)
LIFECYCLE = """
operator: alice
timezone: UTC
statuses:
  - Triage
  - {name: Mitigating, description: Stopping the bleeding}
  - {name: Mitigated, marks: mitigated}
  - Closed
"""


@pytest.fixture
def store(tmp_path):
    store = SQLiteStore(tmp_path / "statuses.db")
    yield store
    store.close()


def core_for(store, config: Config, clock: FrozenClock) -> IncidentCore:
    return IncidentCore(store, config, clock=clock)


def test_the_lifecycle_marks_milestones_and_the_last_status_resolves(store):
    clock = FrozenClock(START)
    core = core_for(store, parse_config(LIFECYCLE), clock)
    incident = core.open("Checkout down", "SEV2").incident_id
    assert core.state(incident).status == "Triage"  # the first configured status
    assert store.incidents()[0].status == "Triage"
    with pytest.raises(CommandRejected, match=r"unknown status 'identified' \(one of Triage, Mitigating, Mitigated, Closed\)"):
        core.execute(incident, SetStatus("identified"))
    clock.set(START + timedelta(minutes=4))
    core.execute(incident, SetStatus("mitigating"))
    clock.set(START + timedelta(minutes=10))
    core.execute(incident, SetStatus("Mitigated"))
    state = core.state(incident)
    assert state.milestones[Milestone.MITIGATED] == START + timedelta(minutes=10) and state.is_open
    clock.set(START + timedelta(minutes=30))
    core.execute(incident, SetStatus("Closed"))
    state = core.state(incident)
    assert (state.status, state.is_open) == ("Closed", False)
    assert state.milestones[Milestone.RESOLVED] == START + timedelta(minutes=30)
    metrics = metrics_json(state, START + timedelta(hours=2))
    assert metrics["time_to_mitigate"]["seconds"] == 600 and metrics["time_to_resolve"]["seconds"] == 1800
    assert not store.incidents()[0].is_open  # the store knows it is over: stored as 'resolved'
    assert core.events(incident)[-1].data == {"status": "resolved", "label": "Closed", "previous": "Mitigated"}
    assert "Status set to Closed" in [item.text for item in state.timeline]
    assert "| Status | Closed |" in core.export(incident, "markdown")


def test_marking_resolved_names_the_configured_last_status(store):
    core = core_for(store, parse_config(LIFECYCLE), FrozenClock(START))
    incident = core.open("Checkout down", "SEV2").incident_id
    core.execute(incident, MarkMilestone("resolved"))
    assert core.state(incident).status == "Closed" and not core.state(incident).is_open


def test_an_incident_from_another_config_folds_and_goes_on_under_this_one(store):
    runbook = core_for(store, parse_config(LIFECYCLE), FrozenClock(START))
    incident = runbook.open("Checkout down", "SEV2").incident_id
    runbook.execute(incident, SetStatus("Mitigating"))
    default = core_for(store, Config(operator="bob", timezone="UTC"), FrozenClock(START + timedelta(minutes=5)))
    state = default.state(incident)
    assert state.status == "Mitigating" and state.is_open  # not in this config's list: shown as stored
    assert "Mitigating" in default.export(incident, "markdown")
    default.execute(incident, SetStatus("identified"))
    default.execute(incident, SetStatus("resolved"))
    assert default.state(incident).status == "resolved" and not default.state(incident).is_open


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    config = tmp_path / "warroom.yaml"
    config.write_text(LIFECYCLE)
    return subprocess.run(
        [sys.executable, "-m", "app", *args, "--config", str(config), "--store", f"sqlite:///{tmp_path / 'cli.db'}"],
        capture_output=True, text=True, cwd=ROOT,
    )


def test_cli_names_the_allowed_statuses_and_lists_the_configured_names(tmp_path):
    assert run(tmp_path, "incident", "open", "--severity", "SEV2", "--title", "t").returncode == 0
    unknown = run(tmp_path, "incident", "status", "monitoring")
    assert unknown.returncode == 2
    assert unknown.stderr.strip().splitlines() == [
        "warroom: error: incident status: unknown status 'monitoring' (one of Triage, Mitigating, Mitigated, Closed)"
    ]
    done = run(tmp_path, "incident", "status", "mitigated")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].endswith("status Mitigated (#3)")
    assert run(tmp_path, "incident", "status", "resolved").returncode == 0
    listed = json.loads(run(tmp_path, "incident", "list", "--json").stdout)
    assert (listed[0]["status"], listed[0]["open"]) == ("Closed", False)
    assert "Closed" in run(tmp_path, "incident", "list").stdout
