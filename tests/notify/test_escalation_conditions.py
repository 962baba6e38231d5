"""Escalation steps with a runbook's conditions: "15 min: if no progress, the team lead",
"if not acknowledged within the response time", "30 min: if still unresolved", and update
cadences that a status change makes due at once. Logged through the real SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.config import Config
from app.domain.escalation import due_escalations, escalation_entry
from app.domain.events import EntryKind, EventType, Milestone
from app.domain.incident import fold
from app.domain.timefmt import utc_iso
from app.domain.timers import TimerState, incident_countdowns
from tests.support.opened import append, opened_incident

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday


def config(*steps: dict, **severity) -> Config:
    return Config.model_validate(
        {"operator": "a", "severities": [{"name": "P1", "respond_within": "5m", "update_every": "30m", "escalation": list(steps), **severity}]},
        context={"units_required": True},
    )


@pytest.fixture
def incident(tmp_path):
    with opened_incident(tmp_path / "s.db", at=START, severity="P1") as opened:
        yield opened


def entry(store, iid, clock, kind: EntryKind, text="x") -> None:
    append(store, iid, clock, EventType.ENTRY_ADDED, kind=kind.value, text=text)


def tick(store, iid, cfg, clock) -> list[str]:
    events = store.events(iid)
    logged = []
    for due in due_escalations(fold(iid, events), events, cfg, clock.now()):
        store.append(iid, escalation_entry(due, "warroom", clock.now()))
        logged.append(due.to)
    return logged


def step_countdown(store, iid, cfg, clock, index=0):
    items = incident_countdowns(cfg, fold(iid, store.events(iid)), clock.now())
    return next(c for c in items if c.key == f"escalation:{index}")


def test_no_progress_step_is_skipped_when_an_action_was_logged_in_its_window(incident):
    store, iid, clock = incident
    cfg = config({"after": "15m", "to": "Team Lead", "unless": {"progress_within": "15m"}})
    clock.advance(minutes=3)
    entry(store, iid, clock, EntryKind.ACTION, "restarted payments")
    clock.advance(minutes=12)
    assert tick(store, iid, cfg, clock) == []
    countdown = step_countdown(store, iid, cfg, clock)
    assert countdown.state is TimerState.MET and countdown.label == "Escalate to Team Lead if no progress"


@pytest.mark.parametrize("kind", [EntryKind.NOTE, EntryKind.OBSERVATION, EntryKind.COMMUNICATION])
def test_talk_is_not_progress(incident, kind):
    store, iid, clock = incident
    cfg = config({"after": "15m", "to": "Team Lead", "unless": {"progress_within": "15m"}})
    clock.advance(minutes=5)
    entry(store, iid, clock, kind, "still looking")
    clock.advance(minutes=10)
    assert tick(store, iid, cfg, clock) == ["Team Lead"]
    text = [t.text for t in fold(iid, store.events(iid)).timeline if "Escalation due" in t.text][0]
    assert "bring in Team Lead (no progress in the 15m before it fell due; due 10:15 UTC)" in text
    assert step_countdown(store, iid, cfg, clock).state is TimerState.OVERDUE


def test_progress_before_the_window_does_not_count(incident):
    store, iid, clock = incident
    cfg = config({"after": "20m", "to": "Team Lead", "unless": {"progress_within": "10m"}})
    clock.advance(minutes=5)
    append(store, iid, clock, EventType.STATUS_CHANGED, status="identified")  # 15 minutes before due
    clock.advance(minutes=15)
    assert tick(store, iid, cfg, clock) == ["Team Lead"]


@pytest.mark.parametrize("progress", ["milestone", "tick", "decision"])
def test_milestones_ticks_and_decisions_are_progress(incident, progress):
    store, iid, clock = incident
    cfg = config({"after": "15m", "to": "Team Lead", "unless": {"progress_within": "15m"}})
    clock.advance(minutes=14)
    if progress == "milestone":
        append(store, iid, clock, EventType.MILESTONE_MARKED, milestone=Milestone.ACKNOWLEDGED.value, at=utc_iso(clock.now()))
    elif progress == "tick":
        append(store, iid, clock, EventType.CHECKLIST_TICKED, item="triage/assign-ic", text="Assign an IC")
    else:
        entry(store, iid, clock, EntryKind.DECISION, "roll back")
    clock.advance(minutes=1)
    assert tick(store, iid, cfg, clock) == []


def test_unless_acknowledged_from_opening(incident):
    store, iid, clock = incident
    cfg = config({"after": "15m", "to": "Engineering Manager", "unless": "acknowledged", "from": "opened"})
    clock.advance(minutes=10)
    append(store, iid, clock, EventType.SEVERITY_CHANGED, severity="P1", previous="P1")  # does not restart a from-opened step
    clock.advance(minutes=5)
    assert tick(store, iid, cfg, clock) == ["Engineering Manager"]
    text = [t.text for t in fold(iid, store.events(iid)).timeline if "Escalation due" in t.text][0]
    assert "(not acknowledged 15m 00s after the incident was opened; due 10:15 UTC)" in text


def test_acknowledgement_stops_an_unless_acknowledged_step_but_not_a_default_one(incident):
    store, iid, clock = incident
    cfg = config({"after": "15m", "to": "EM", "unless": "acknowledged"}, {"after": "15m", "to": "Director"})
    clock.advance(minutes=2)
    append(store, iid, clock, EventType.MILESTONE_MARKED, milestone=Milestone.ACKNOWLEDGED.value, at=utc_iso(clock.now()))
    clock.advance(minutes=13)
    assert tick(store, iid, cfg, clock) == ["Director"]
    assert step_countdown(store, iid, cfg, clock, 0).state is TimerState.MET


def test_unless_resolved_keeps_counting_after_mitigation(incident):
    store, iid, clock = incident
    cfg = config({"after": "30m", "to": "EM", "unless": "resolved"}, {"after": "30m", "to": "Director"})
    clock.advance(minutes=10)
    append(store, iid, clock, EventType.MILESTONE_MARKED, milestone=Milestone.MITIGATED.value, at=utc_iso(clock.now()))
    clock.advance(minutes=20)
    assert tick(store, iid, cfg, clock) == ["EM"]
    assert step_countdown(store, iid, cfg, clock, 1).state is TimerState.MET


def test_a_status_change_makes_the_update_due_at_once_when_configured(incident):
    store, iid, clock = incident
    for on_change, expected in ((True, TimerState.OVERDUE), (False, TimerState.OK)):
        cfg = config(update_on_status_change=on_change)
        update = next(c for c in incident_countdowns(cfg, fold(iid, store.events(iid)), clock.now()) if c.key == "update")
        assert update.state is TimerState.OK
    clock.advance(minutes=4)
    append(store, iid, clock, EventType.STATUS_CHANGED, status="identified")
    clock.advance(seconds=1)
    for on_change, expected in ((True, TimerState.OVERDUE), (False, TimerState.OK)):
        cfg = config(update_on_status_change=on_change)
        update = next(c for c in incident_countdowns(cfg, fold(iid, store.events(iid)), clock.now()) if c.key == "update")
        assert update.state is expected, on_change
    cfg = config(update_on_status_change=True)
    assert next(c for c in incident_countdowns(cfg, fold(iid, store.events(iid)), clock.now()) if c.key == "update").label == "Status update (status changed)"
    append(store, iid, clock, EventType.UPDATE_POSTED, text="identified: a bad deploy")
    update = next(c for c in incident_countdowns(cfg, fold(iid, store.events(iid)), clock.now()) if c.key == "update")
    assert update.label == "Next status update" and update.state is TimerState.OK
    assert update.remaining.total_seconds() == pytest.approx(30 * 60, abs=1)


def test_first_response_is_met_by_a_person_acting_not_by_an_observation(incident):
    store, iid, clock = incident
    cfg = config(first_response_within="5m")
    clock.advance(minutes=1)
    entry(store, iid, clock, EntryKind.OBSERVATION, "Health: checkout CRIT")  # what a pane writes
    clock.advance(minutes=5)
    first = next(c for c in incident_countdowns(cfg, fold(iid, store.events(iid)), clock.now()) if c.key == "respond")
    assert first.label == "First response" and first.state is TimerState.OVERDUE
    entry(store, iid, clock, EntryKind.NOTE, "on it")
    items = {c.key: c for c in incident_countdowns(cfg, fold(iid, store.events(iid)), clock.now())}
    assert items["respond"].state is TimerState.MET and items["respond"].met_at == clock.now()
    assert items["ack"].state is TimerState.OVERDUE  # acknowledgement is its own milestone


def test_without_first_response_within_there_is_no_such_countdown(incident):
    store, iid, clock = incident
    assert "respond" not in {c.key for c in incident_countdowns(config(), fold(iid, store.events(iid)), clock.now())}


def test_an_escalation_entry_says_how_to_reach_who_is_brought_in(incident):
    store, iid, clock = incident
    cfg = config({"after": "5m", "to": "Engineering manager", "contact": "eng-manager@example.com"})
    clock.advance(minutes=5)
    assert tick(store, iid, cfg, clock) == ["Engineering manager"]
    text = [t.text for t in fold(iid, store.events(iid)).timeline if "Escalation due" in t.text][0]
    assert "bring in Engineering manager [eng-manager@example.com] (not mitigated" in text
