"""The escalation ladder: each step due while not mitigated is logged exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.config import Config
from app.domain.clock import FrozenClock
from app.domain.escalation import due_escalations, escalation_entry
from app.domain.events import EventType, NewEvent
from app.domain.incident import fold
from app.notify import deliver_escalation
from app.store.sqlite import SQLiteStore
from app.drill.channel import WebhookReceiver

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "s.db")
    yield s
    s.close()


def open_sev(store, severity="SEV1"):
    clock = FrozenClock(START)
    iid = store.open_incident(title="t", severity=severity, actor="a", at=START, id_format="INC-{year}-{seq:03d}").incident_id
    return iid, clock


def tick(store, iid, config, clock) -> list[str]:
    """What the app does each second: log every newly due step."""
    events = store.events(iid)
    logged = []
    for due in due_escalations(fold(iid, events), events, config, clock.now()):
        store.append(iid, escalation_entry(due, "warroom", clock.now()))
        logged.append(due.to)
    return logged


def test_each_step_is_logged_once_as_it_falls_due(store):
    config = Config(operator="a")  # SEV1: 15m EM, 30m Director, 60m VP
    iid, clock = open_sev(store)
    clock.advance(minutes=14, seconds=59)
    assert tick(store, iid, config, clock) == []
    clock.advance(seconds=1)
    assert tick(store, iid, config, clock) == ["Engineering Manager"]
    assert tick(store, iid, config, clock) == []  # a second tick, or a restarted app, logs nothing
    clock.advance(minutes=50)  # the app was closed: both missed steps are logged, in order
    assert tick(store, iid, config, clock) == ["Director of Engineering", "VP Engineering"]
    entries = [t for t in fold(iid, store.events(iid)).timeline if t.kind == "observation"]
    assert entries[0].text.startswith("Escalation due: SEV1 step 1, bring in Engineering Manager")
    assert "10:15 UTC" in entries[0].text


def test_mitigation_stops_the_ladder(store):
    config = Config(operator="a")
    iid, clock = open_sev(store)
    clock.advance(minutes=10)
    store.append(iid, NewEvent(EventType.MILESTONE_MARKED, clock.now(), "a", {"milestone": "mitigated", "at": clock.now().isoformat()}))
    clock.advance(hours=2)
    assert tick(store, iid, config, clock) == []


def test_raising_severity_starts_the_new_ladder_then(store):
    config = Config(operator="a")
    iid, clock = open_sev(store, "SEV3")  # SEV3: 4h
    clock.advance(minutes=20)
    store.append(iid, NewEvent(EventType.SEVERITY_CHANGED, clock.now(), "a", {"severity": "SEV1", "previous": "SEV3"}))
    clock.advance(minutes=14)
    assert tick(store, iid, config, clock) == []
    clock.advance(minutes=1)
    assert tick(store, iid, config, clock) == ["Engineering Manager"]


async def test_escalation_is_posted_to_webhooks_that_asked_for_it(store):
    with WebhookReceiver() as rx:
        config = Config.model_validate(
            {
                "operator": "a",
                "notify": {
                    "webhooks": [
                        {"name": "pager", "url": rx.url, "escalations": True},
                        {"name": "updates-only", "url": rx.url + "/other"},
                    ]
                },
            }
        )
        iid, clock = open_sev(store)
        clock.advance(minutes=16)
        events = store.events(iid)
        (due,) = due_escalations(fold(iid, events), events, config, clock.now())
        entry = store.append(iid, escalation_entry(due, "warroom", clock.now()))
        results = await deliver_escalation(store, iid, entry, config=config, clock=clock, actor="warroom", backoff_base=0.01)
    assert [r.target for r in results] == ["pager"] and results[0].ok
    assert rx.received == [{"text": entry.data["text"]}]
    delivered = fold(iid, store.events(iid)).deliveries
    assert delivered[0].data["kind"] == "escalation" and delivered[0].data["update"] == entry.seq


def test_resolved_incident_has_nothing_due(store):
    config = Config(operator="a")
    iid, clock = open_sev(store)
    store.append(iid, NewEvent(EventType.STATUS_CHANGED, START + timedelta(minutes=5), "a", {"status": "resolved"}))
    clock.advance(hours=3)
    assert tick(store, iid, config, clock) == []
