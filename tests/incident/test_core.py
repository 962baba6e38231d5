"""The incident core: every command decided once, for the CLI and the TUI alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.config import Config
from app.domain.clock import FrozenClock
from app.domain.events import EventType, Milestone, Status
from app.incident import (
    AssignRole,
    CommandRejected,
    CorrectEntry,
    IncidentCore,
    LogEntry,
    MarkMilestone,
    Resolve,
    SetSeverity,
    SetStatus,
    ToggleChecklist,
)
from app.incident.when import parse_when
from app.store.sqlite import SQLiteStore

START = datetime(2026, 3, 14, 9, 0, 0, tzinfo=UTC)


@pytest.fixture
def core(tmp_path):
    store = SQLiteStore(tmp_path / "core.db")
    yield IncidentCore(store, Config(operator="alice", timezone="UTC"), clock=FrozenClock(START))
    store.close()


@pytest.fixture
def incident(core) -> str:
    return core.open("Checkout down", "SEV2").incident_id


def test_future_milestone_is_refused_whatever_the_form(core, incident):
    for at in (START + timedelta(minutes=5), parse_when("2026-03-14T09:30:00", core.config.tzinfo(), START)):
        with pytest.raises(CommandRejected, match="in the future") as info:
            core.execute(incident, MarkMilestone("mitigated", at))
        assert info.value.field == "at"
    assert Milestone.MITIGATED not in core.state(incident).milestones
    # A minute ahead is clock skew between machines, not a typo.
    core.execute(incident, MarkMilestone("mitigated", START + timedelta(seconds=50)))


def test_resolved_milestone_resolves_the_incident(core, incident):
    stored = core.execute(incident, MarkMilestone("resolved", START - timedelta(minutes=1)))
    assert [e.type for e in stored] == [EventType.MILESTONE_MARKED, EventType.STATUS_CHANGED]
    state = core.state(incident)
    assert state.status == Status.RESOLVED and not state.is_open
    assert state.milestones[Milestone.RESOLVED] == START - timedelta(minutes=1)


def test_resolving_by_status_marks_the_milestone_once(core, incident):
    core.execute(incident, SetStatus("resolved"))
    state = core.state(incident)
    assert state.status == Status.RESOLVED and Milestone.RESOLVED in state.milestones
    with pytest.raises(CommandRejected, match="is resolved"):
        core.execute(incident, Resolve())
    with pytest.raises(CommandRejected, match="is resolved"):
        core.execute(incident, AssignRole("Scribe", "bob"))
    # Late notes and corrections are still welcome after resolution.
    entry = core.execute(incident, LogEntry("Customer emails answered", "communication"))[0]
    core.execute(incident, CorrectEntry(entry.seq, "was a different customer"))


def test_a_marked_milestone_needs_a_reason_to_move(core, incident):
    core.execute(incident, MarkMilestone("acknowledged"))
    with pytest.raises(CommandRejected, match="already marked") as info:
        core.execute(incident, MarkMilestone("acknowledged", START - timedelta(minutes=3)))
    assert info.value.field == "reason"
    moved = core.execute(incident, MarkMilestone("acknowledged", START - timedelta(minutes=3), "paged earlier"))[0]
    assert moved.type is EventType.MILESTONE_CORRECTED and moved.data["previous"] == START.isoformat()


@pytest.mark.parametrize(
    "command, message",
    [
        (LogEntry("   "), "empty"),
        (LogEntry("x", kind="rumour"), "unknown entry kind"),
        (SetSeverity("SEV9"), "unknown severity"),
        (SetSeverity("SEV2"), "already SEV2"),
        (SetStatus("fixed"), "unknown status"),
        (SetStatus("investigating"), "already investigating"),
        (AssignRole("Scribe", ""), "already unassigned"),
        (ToggleChecklist("x", "Page the owner", False), "already open"),
        (CorrectEntry(1, "typo"), "not a timeline entry"),
        (MarkMilestone("fixed"), "unknown milestone"),
    ],
)
def test_bad_commands_are_refused_and_write_nothing(core, incident, command, message):
    before = core.state(incident).last_seq
    with pytest.raises(CommandRejected, match=message):
        core.execute(incident, command)
    assert core.state(incident).last_seq == before


def test_open_validates_title_and_severity(core):
    with pytest.raises(CommandRejected) as info:
        core.open("  \n ", "SEV2")
    assert info.value.field == "title"
    with pytest.raises(CommandRejected) as info:
        core.open("db", "P0")
    assert info.value.field == "severity"
    assert core.incidents() == []


def test_a_correction_of_a_corrected_entry_is_refused(core, incident):
    entry = core.execute(incident, LogEntry("db is the cause"))[0]
    core.execute(incident, CorrectEntry(entry.seq, "it was the cache"))
    with pytest.raises(CommandRejected, match="already corrected"):
        core.execute(incident, CorrectEntry(entry.seq, "again"))
