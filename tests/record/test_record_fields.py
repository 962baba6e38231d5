"""The record's own fields (detected_by, users_affected, revenue_lost, downtime): typed,
set from the dashboard (R) and the CLI, kept as events, carried by every export in the
shape of the runbook's record."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest
import yaml

from app.config import Config, ConfigError, load_config
from app.domain.clock import FrozenClock
from app.domain.events import EventType, NewEvent
from app.domain.incident import fold
from app.domain.postmortem import render_markdown
from app.domain.record import export_json, export_yaml
from app.domain.scrub import Scrubber
from app.incident import CommandRejected, IncidentCore, SetField
from app.store.sqlite import SQLiteStore
from tests.support.opened import opened_incident

START = datetime(2026, 3, 2, 14, 15, tzinfo=UTC)
FIELDS = [
    {"name": "detected_by", "type": "choice", "choices": ["monitoring_alert", "customer", "employee"]},
    {"name": "users_affected", "label": "Users affected", "type": "number", "section": "impact"},
    {"name": "revenue_lost", "label": "Revenue lost", "type": "text", "section": "impact"},
    {"name": "downtime", "type": "duration"},
]


def config() -> Config:
    return Config.model_validate({"operator": "alice", "timezone": "UTC", "fields": FIELDS}, context={"units_required": True})


@pytest.fixture
def incident(tmp_path):
    with opened_incident(tmp_path / "f.db", at=START, title="Payments down", actor="alice") as (store, iid, clock):
        yield store, iid, clock, IncidentCore(store, config(), clock=clock)


@pytest.mark.parametrize(
    "name, typed, stored",
    [
        ("users_affected", "15,000", 15000),
        ("users_affected", "2.5e3", 2500.0),
        ("detected_by", "Customer", "customer"),
        ("downtime", "1h30m", "90m"),
        ("revenue_lost", "$45000 [b]est.[/b]", "$45000 [b]est.[/b]"),
        ("revenue_lost", "a\x1b[2Jb\nc", "a␛[2Jb↵c"),
    ],
)
def test_values_are_checked_by_type_and_stored_as_meant(incident, name, typed, stored):
    store, iid, clock, core = incident
    core.execute(iid, SetField(name, typed))
    assert fold(iid, store.events(iid)).fields[name] == stored


@pytest.mark.parametrize(
    "name, typed, message",
    [
        ("users_affected", "lots", "Users affected takes a number, e.g. 1200 or 3.5 (got 'lots')"),
        ("users_affected", "1e400", "Users affected: '1e400' is out of range"),
        ("users_affected", "nan", "Users affected takes a number"),
        ("downtime", "1:00", "downtime: '1:00' is not a duration"),
        ("downtime", ".inf", "downtime: invalid duration"),
        ("detected_by", "pager", "detected_by is one of monitoring_alert, customer, employee (got 'pager')"),
        ("revenue_lost", "x" * 10_000, "Revenue lost is 10000 characters long (at most 500)"),
        ("revenu_lost", "1", "unknown record field 'revenu_lost' (known: detected_by, users_affected, revenue_lost, downtime)"),
    ],
)
def test_bad_values_are_refused_in_one_line_and_nothing_is_written(incident, name, typed, message):
    store, iid, clock, core = incident
    before = len(store.events(iid))
    with pytest.raises(CommandRejected) as info:
        core.execute(iid, SetField(name, typed))
    assert message in str(info.value) and "\n" not in str(info.value)
    assert len(store.events(iid)) == before


def test_exports_carry_the_fields_where_the_runbook_record_has_them(incident):
    store, iid, clock, core = incident
    store.append(iid, NewEvent(EventType.ENTRY_ADDED, clock.now(), "bob", {"kind": "note", "text": "Impact: all payments failing"}))
    for name, value in (("detected_by", "monitoring_alert"), ("users_affected", "15000"), ("revenue_lost", "$45000")):
        core.execute(iid, SetField(name, value))
    wrong = core.execute(iid, SetField("users_affected", "150000"))[0]
    store.append(iid, NewEvent(EventType.ENTRY_CORRECTED, clock.now(), "alice", {"target": wrong.seq, "reason": "typo"}))
    state = fold(iid, store.events(iid))
    assert state.fields["users_affected"] == 15000  # the corrected setting no longer counts
    record = yaml.safe_load(export_yaml(state, store.events(iid), clock.now(), config=config()))
    assert record["detected_by"] == "monitoring_alert"
    assert record["impact"] == {"summary": "all payments failing", "users_affected": 15000, "revenue_lost": "$45000"}
    assert record["downtime"] is None  # unset, but the record keeps its shape
    assert json.loads(export_json(state, store.events(iid), config=config()))["incident"]["fields"]["users_affected"] == 15000
    text = render_markdown(state, store.events(iid), config(), clock.now(), Scrubber())
    assert "| Users affected | 15000 |" in text and "| Revenue lost | $45000 |" in text and "| downtime | - |" in text
    timeline = [t.text for t in state.timeline]
    assert "Users affected: 15000" in timeline and "Users affected: 150000" in timeline


def test_resolved_incidents_still_take_fields(incident):
    store, iid, clock, core = incident
    core.execute(iid, SetField("users_affected", "1200"))
    from app.incident import SetStatus

    core.execute(iid, SetStatus(config().final_status))
    core.execute(iid, SetField("revenue_lost", "$3000"))  # known days later
    assert fold(iid, store.events(iid)).fields == {"users_affected": 1200, "revenue_lost": "$3000"}


def test_cli_sets_and_lists_fields(tmp_path):
    path = tmp_path / "warroom.yaml"
    path.write_text(json.dumps({"operator": "alice", "fields": FIELDS}))
    env = {"WARROOM_STORE": f"sqlite:///{tmp_path / 'c.db'}", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app", "--config", str(path), *args], capture_output=True, text=True, env=env, timeout=60)

    assert run("incident", "open", "--severity", "SEV1", "--title", "Payments down").returncode == 0
    done = run("incident", "set", "users_affected", "15,000")
    assert done.returncode == 0 and "Users affected: 15000 (#" in done.stdout, done
    bad = run("incident", "set", "detected_by", "pager")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "detected_by is one of" in bad.stderr, bad
    listed = json.loads(run("incident", "fields", "--json").stdout)
    assert {r["field"]: r["value"] for r in listed["fields"]} == {"detected_by": None, "users_affected": 15000, "revenue_lost": None, "downtime": None}


@pytest.mark.parametrize(
    "fields, expected",
    [
        ([{"name": "Users Affected"}], "fields[0].name: 'Users Affected' is not a field name"),
        ([{"name": "a", "type": "choice"}], "fields[0]: a choice field needs its `choices`"),
        ([{"name": "a", "choices": ["x"]}], "`choices` only go with type: choice"),
        ([{"name": "a", "type": "money"}], "fields[0].type"),
        ([{"name": "a"}, {"name": "a"}], "fields[1].name: 'a' is used twice"),
        ([{"name": "a", "section": "Impact!"}], "fields[0].section"),
    ],
)
def test_bad_field_config_is_one_line_naming_the_key(tmp_path, fields, expected):
    path = tmp_path / "warroom.yaml"
    path.write_text(json.dumps({"fields": fields}))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "\n" not in str(info.value) and expected in str(info.value), str(info.value)


async def test_the_dashboard_sets_a_field_with_R(tmp_path):
    from app.ui.screens.pickers import ChoiceScreen
    from app.ui.screens.prompt import TextPromptScreen
    from tests.support.incident_app import RecordingApp, settle
    from tests.ui.record_flow_support import paste

    app = RecordingApp(config(), SQLiteStore(tmp_path / "u.db"), FrozenClock(START))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await paste(app, pilot, "Payments down")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("R")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("down", "enter")  # Users affected
        await settle(app, pilot)
        assert isinstance(app.screen, TextPromptScreen)
        await paste(app, pilot, "15,000")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.state.fields == {"users_affected": 15000}
        await pilot.press("R")
        await settle(app, pilot)
        await pilot.press("enter")  # detected_by: a choice
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert app.state.fields["detected_by"] == "customer"
