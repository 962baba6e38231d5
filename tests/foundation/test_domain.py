"""The incident is a fold over its events; countdowns come from the clock and the events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.config import Config
from app.domain.clock import FrozenClock
from app.domain.events import EventType, Milestone, NewEvent, Status, StoredEvent, validate
from app.domain.incident import fold
from app.domain.timers import TimerState, countdowns, format_remaining

T0 = datetime(2026, 3, 14, 14, 0, tzinfo=UTC)


class Log:
    """Builds StoredEvents the way the store does, for pure fold tests."""

    def __init__(self) -> None:
        self.events: list[StoredEvent] = []

    def add(self, etype: EventType, minutes: float, actor: str = "alice", **data) -> StoredEvent:
        event = StoredEvent(len(self.events) + 1, "INC-2026-001", etype, T0 + timedelta(minutes=minutes), actor, data)
        validate(NewEvent(etype, event.at, actor, data))
        self.events.append(event)
        return event


@pytest.fixture
def log() -> Log:
    log = Log()
    log.add(EventType.OPENED, 0, title="checkout 500s", severity="SEV2", status="investigating")
    return log


def test_fold_roles_handoffs_entries_corrections_checklist(log):
    log.add(EventType.ROLE_ASSIGNED, 1, role="Incident Commander", person="alice")
    log.add(EventType.ROLE_ASSIGNED, 2, role="Scribe", person="bob")
    note = log.add(EventType.ENTRY_ADDED, 3, actor="bob", kind="note", text="errors started 13:55")
    log.add(EventType.ENTRY_ADDED, 4, actor="bob", kind="decision", text="[bold]roll back[/bold]")
    log.add(EventType.ENTRY_CORRECTED, 5, actor="bob", target=note.seq, reason="was 13:50")
    log.add(EventType.ROLE_ASSIGNED, 6, role="Incident Commander", person="carol")
    log.add(EventType.CHECKLIST_TICKED, 7, item="triage/x/ack", text="Acknowledge")
    log.add(EventType.CHECKLIST_TICKED, 8, item="triage/x/page", text="Page DBA")
    log.add(EventType.CHECKLIST_UNTICKED, 9, item="triage/x/page", text="Page DBA")
    log.add(EventType.SEVERITY_CHANGED, 10, severity="SEV1", previous="SEV2")
    log.add(EventType.STATUS_CHANGED, 11, status="identified")
    log.add(EventType.TITLE_CHANGED, 12, title="checkout down")
    state = fold("INC-2026-001", log.events)

    assert (state.title, state.severity, state.status) == ("checkout down", "SEV1", Status.IDENTIFIED)
    assert state.roles == {"Incident Commander": "carol", "Scribe": "bob"}
    handoff = state.role_history[-1]
    assert (handoff.role, handoff.previous, handoff.person) == ("Incident Commander", "alice", "carol")
    role_lines = [t.text for t in state.timeline if t.event_type is EventType.ROLE_ASSIGNED]
    assert role_lines == ["Incident Commander: alice", "Scribe: bob", "Incident Commander: carol (handoff from alice)"]
    struck = next(t for t in state.timeline if t.seq == note.seq)
    assert struck.struck and struck.strike_reason == "was 13:50"
    decision = next(t for t in state.timeline if t.kind == "decision")
    assert decision.text == "[bold]roll back[/bold]"  # kept literally
    assert state.checklist["triage/x/ack"].ticked and not state.checklist["triage/x/page"].ticked
    assert len(state.timeline) == len(log.events)  # the timeline is the log
    assert state.severity_since == T0 + timedelta(minutes=10)


def test_replaying_an_event_twice_changes_nothing(log):
    log.add(EventType.ENTRY_ADDED, 1, kind="note", text="once")
    state = fold("INC-2026-001", log.events + log.events)
    assert [t.text for t in state.timeline].count("once") == 1


def test_validation_rejects_bad_events():
    with pytest.raises(ValueError):
        validate(NewEvent(EventType.ENTRY_ADDED, T0, "a", {"kind": "gossip", "text": "x"}))
    with pytest.raises(ValueError):
        validate(NewEvent(EventType.ENTRY_ADDED, T0, "a", {"kind": "note", "text": "   "}))
    # Statuses are the config's (the core refuses names it does not list); the log refuses
    # only what no config could name: blank, several lines, not text.
    for status in ("  ", "one\ntwo", 7):
        with pytest.raises(ValueError):
            validate(NewEvent(EventType.STATUS_CHANGED, T0, "a", {"status": status}))
    validate(NewEvent(EventType.STATUS_CHANGED, T0, "a", {"status": "Mitigating"}))
    with pytest.raises(ValueError):
        validate(NewEvent(EventType.ENTRY_ADDED, T0.replace(tzinfo=None), "a", {"kind": "note", "text": "x"}))


def _by_key(items):
    return {c.key: c for c in items}


def test_update_countdown_goes_due_soon_then_overdue_and_resets_on_update(log):
    config = Config()
    sev2 = config.severity("SEV2")  # update every 30m
    clock = FrozenClock(T0 + timedelta(minutes=10))
    state = fold("INC-2026-001", log.events)
    update = _by_key(countdowns(state, sev2, clock.now()))["update"]
    assert update.state is TimerState.OK and update.remaining == timedelta(minutes=20)
    clock.advance(minutes=16)
    assert _by_key(countdowns(state, sev2, clock.now()))["update"].state is TimerState.DUE_SOON
    clock.advance(minutes=5)
    overdue = _by_key(countdowns(state, sev2, clock.now()))["update"]
    assert overdue.state is TimerState.OVERDUE and format_remaining(overdue.remaining) == "-1:00"
    log.add(EventType.UPDATE_POSTED, 31, text="still investigating")
    state = fold("INC-2026-001", log.events)
    fresh = _by_key(countdowns(state, sev2, clock.now()))["update"]
    assert fresh.state is TimerState.OK and fresh.due_at == T0 + timedelta(minutes=61)


def test_remaining_time_shows_seconds_only_within_ten_minutes():
    # Far off: whole minutes, rounded down (never more time than there is); near: seconds.
    shown = {s: format_remaining(timedelta(seconds=s)) for s in (59, 599, 600, 659, 1799, 3599, 3600, 3725)}
    assert shown == {59: "0:59", 599: "9:59", 600: "10m", 659: "10m", 1799: "29m", 3599: "59m", 3600: "1h00m", 3725: "1h02m"}
    assert [format_remaining(timedelta(seconds=-s)) for s in (61, 599, 600, 1500, 3900)] == ["-1:01", "-9:59", "-10m", "-25m", "-1h05m"]


def test_ack_deadline_met_by_milestone(log):
    sev2 = Config().severity("SEV2")  # respond within 15m
    state = fold("INC-2026-001", log.events)
    assert _by_key(countdowns(state, sev2, T0 + timedelta(minutes=16)))["ack"].state is TimerState.OVERDUE
    log.add(EventType.MILESTONE_MARKED, 17, milestone="acknowledged", at=(T0 + timedelta(minutes=12)).isoformat())
    state = fold("INC-2026-001", log.events)
    ack = _by_key(countdowns(state, sev2, T0 + timedelta(minutes=20)))["ack"]
    assert ack.state is TimerState.MET and ack.met_at == T0 + timedelta(minutes=12)


def test_escalation_steps_and_mitigation_stop_them(log):
    sev2 = Config().severity("SEV2")  # 30m EM, 120m Director
    state = fold("INC-2026-001", log.events)
    steps = _by_key(countdowns(state, sev2, T0 + timedelta(minutes=45)))
    assert steps["escalation:0"].state is TimerState.OVERDUE
    assert steps["escalation:1"].state is TimerState.OK
    assert "Engineering Manager" in steps["escalation:0"].label
    log.add(EventType.MILESTONE_MARKED, 50, milestone="mitigated", at=(T0 + timedelta(minutes=50)).isoformat())
    state = fold("INC-2026-001", log.events)
    steps = _by_key(countdowns(state, sev2, T0 + timedelta(minutes=200)))
    assert "escalation:0" not in steps  # passed before mitigation: history, not a countdown
    assert steps["escalation:1"].state is TimerState.MET


def test_raising_severity_restarts_the_ladder(log):
    config = Config()
    log.add(EventType.SEVERITY_CHANGED, 120, severity="SEV1", previous="SEV2")
    state = fold("INC-2026-001", log.events)
    steps = _by_key(countdowns(state, config.severity("SEV1"), T0 + timedelta(minutes=125)))
    assert steps["escalation:0"].remaining == timedelta(minutes=10)  # 15m after the change


def test_monitoring_window_after_mitigation(log):
    sev2 = Config().severity("SEV2")
    log.add(EventType.MILESTONE_MARKED, 40, milestone="mitigated", at=(T0 + timedelta(minutes=40)).isoformat())
    state = fold("INC-2026-001", log.events)
    watch = _by_key(countdowns(state, sev2, T0 + timedelta(minutes=50), monitoring_window=timedelta(minutes=30)))["monitoring"]
    assert watch.state is TimerState.OK and watch.remaining == timedelta(minutes=20)
    done = _by_key(countdowns(state, sev2, T0 + timedelta(minutes=71)))["monitoring"]
    assert done.state is TimerState.MET and not done.alarming


def test_resolved_incident_has_no_running_countdowns(log):
    sev2 = Config().severity("SEV2")
    log.add(EventType.MILESTONE_MARKED, 20, milestone="resolved", at=(T0 + timedelta(minutes=20)).isoformat())
    log.add(EventType.STATUS_CHANGED, 20, status="resolved")
    state = fold("INC-2026-001", log.events)
    assert not state.is_open
    running = [c for c in countdowns(state, sev2, T0 + timedelta(hours=5)) if c.state is not TimerState.MET]
    assert running == []
    assert state.elapsed(T0 + timedelta(hours=5)) == timedelta(minutes=20)
    assert state.milestones[Milestone.RESOLVED] == T0 + timedelta(minutes=20)


def test_milestone_correction_strikes_the_old_mark(log):
    mark = log.add(EventType.MILESTONE_MARKED, 10, milestone="acknowledged", at=(T0 + timedelta(minutes=10)).isoformat())
    fix = log.add(EventType.MILESTONE_CORRECTED, 20, milestone="acknowledged", at=(T0 + timedelta(minutes=4)).isoformat(),
                  reason="paged at 14:04, marked late")
    state = fold("INC-2026-001", log.events)
    assert state.milestones[Milestone.ACKNOWLEDGED] == T0 + timedelta(minutes=4)
    struck = state.struck_by(fix.seq)
    assert struck is not None and struck.seq == mark.seq and struck.strike_reason == "paged at 14:04, marked late"


def test_remaining_time_reads_in_days_past_two_days():
    assert format_remaining(timedelta(hours=47, minutes=59)) == "47h59m"
    assert format_remaining(timedelta(days=6, hours=23, minutes=59)) == "6d23h"
    assert format_remaining(-timedelta(days=3, hours=1)) == "-3d01h"
