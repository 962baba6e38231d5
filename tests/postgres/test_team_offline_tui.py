"""The scribe keeps typing through a PostgreSQL outage, and the screen says what is not shared."""

from __future__ import annotations

from app.config import Config
from app.domain.clock import FrozenClock
from app.domain.events import EventType
from app.incident import IncidentCore
from app.store import open_store
from app.ui.incident.panel import EntryInput, IncidentPanel
from app.ui.status_strip import StatusStrip
from tests.support import START, RecordingApp, make_config, settle, until


def _pending_text(app) -> str:
    return str(app.query_one(IncidentPanel).query_one("#entry-pending").render())


async def test_typing_through_an_outage_shows_not_yet_shared_then_shares_it(owned_cluster, tmp_path):
    with open_store(owned_cluster.dsn) as store:
        incident = IncidentCore(store, Config(operator="alice", timezone="UTC")).open("Checkout down", "SEV2").incident_id
    app = RecordingApp(make_config(), open_store(owned_cluster.dsn), FrozenClock(START))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.state is not None)
        await settle(app, pilot)
        owned_cluster.stop()
        await pilot.press("t", *"rolled back 4.2", "enter", *"errors falling", "enter")
        strip = app.query_one(StatusStrip)
        await until(pilot, lambda: "store offline since" in strip.text, timeout=30)
        await until(pilot, lambda: "⇡ not yet shared" in _pending_text(app))
        assert "errors falling" in _pending_text(app) and "+1 more" in _pending_text(app)
        assert "2 waiting" in strip.text
        assert app.query_one(EntryInput).value == ""  # the line is free: keep typing

        owned_cluster.start()
        await until(pilot, lambda: "store offline" not in strip.text, timeout=30)
        await until(pilot, lambda: app.query_one(IncidentPanel).pending_count == 0)
        shown = [i.text for i in app.state.timeline if i.event_type is EventType.ENTRY_ADDED]
        assert shown == ["rolled back 4.2", "errors falling"]
    with open_store(owned_cluster.dsn, read_only=True) as store:
        stored = [e.data["text"] for e in store.events(incident) if e.type is EventType.ENTRY_ADDED]
    assert stored == ["rolled back 4.2", "errors falling"]


async def test_the_dashboard_starts_during_an_outage_and_loads_the_incident_when_it_is_back(owned_cluster, tmp_path):
    with open_store(owned_cluster.dsn) as store:
        incident = IncidentCore(store, Config(operator="alice", timezone="UTC")).open("Checkout down", "SEV2").incident_id
    owned_cluster.stop()
    # As `warroom` (the dashboard) opens it; `warroom log` still fails at once (test_team_offline.py).
    app = RecordingApp(make_config(), open_store(owned_cluster.dsn, wait_for_server=True), FrozenClock(START))
    async with app.run_test(size=(120, 40)) as pilot:
        strip = app.query_one(StatusStrip)
        await until(pilot, lambda: "store offline since" in strip.text, timeout=30)
        assert app.state is None
        owned_cluster.start()
        await until(pilot, lambda: app.state is not None, timeout=30)
        assert app.state.id == incident and "store offline" not in strip.text
