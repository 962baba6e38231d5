"""Several terminals watch the same checks: a level change is logged once, by the commander's.

Every open warroom (the commander's, the scribe's) sees the same check go CRIT; each used to
append the same observation, so the timeline held it once per terminal. Pins are a person's
deliberate act and are always logged.
"""

from __future__ import annotations

import asyncio

import pytest

from app.config import Config
from app.domain import actions
from app.domain.clock import SystemClock
from app.domain.events import EventType
from app.store.sqlite import SQLiteStore
from app.ui.app import WarroomApp
from app.ui.messages import TimelineRequest
from app.ui.panes.health import HealthPane
from tests.support import until


class Terminal(WarroomApp):
    """The real app, noting which automatic observations reached it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.automatic: list[str] = []

    def on_timeline_request(self, message: TimelineRequest) -> None:
        # Textual calls WarroomApp's handler after this one (handlers run down the MRO).
        if message.automatic:
            self.automatic.append(message.text)


def open_incident_led_by(tmp_path, commander: str) -> SQLiteStore:
    store = SQLiteStore(tmp_path / "incidents.db")
    now = SystemClock().now()
    opened = store.open_incident(title="Checkout down", severity="SEV2", actor=commander, at=now,
                                 id_format=Config().incident.id_format)
    store.append(opened.incident_id, actions.role_assigned("Incident Commander", commander, commander, now))
    return store


async def writes_done(app: WarroomApp) -> None:
    """Every write the terminal asked for is durable (the session's store thread is idle)."""
    await asyncio.to_thread(app.session.drain)


def entries(store: SQLiteStore) -> list[str]:
    (summary,) = store.open_incidents()
    return [e.data.get("text", "") for e in store.events(summary.id) if e.type == EventType.ENTRY_ADDED]


@pytest.mark.parametrize(("operator", "logs_it"), [("scribe", False), ("ic", True)])
async def test_level_change_is_logged_by_the_commanders_terminal_only(tmp_path, target, operator, logs_it):
    target.routes["/flip"] = (200, '{"status":"UP"}', 0)
    store = open_incident_led_by(tmp_path, commander="ic")
    config = Config.model_validate({
        "operator": operator, "timezone": "UTC",
        "health": [{"name": "checkout", "url": target.url("/flip"), "interval": "0.1s"}],
    })
    app = Terminal(config, store)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(HealthPane)
        await until(pilot, lambda: target.hits.get("/flip", 0) >= 3)  # OK settles: the baseline
        target.routes["/flip"] = (503, '{"status":"DOWN"}', 0)
        await until(pilot, lambda: app.automatic)
        await writes_done(app)
        logged = [t for t in entries(store) if t.startswith("checkout CRIT: 503 Service Unavailable (since ")]
        assert len(logged) == (1 if logs_it else 0)

        pane.table.focus()
        await pilot.press("p")  # a pin is logged from any terminal
        await until(pilot, lambda: any(t.startswith("pinned: checkout CRIT") for t in entries(store)))
