"""Every packaged scenario, headless, at a high speed, in the ordinary dashboard: every pane
reaches the scenario's level at every step, and the incident ends the way the scenario
says a commander ends it (a rollback decision typed in the entry line, the lock root
terminated from the PostgreSQL pane, a restart decision); the export names the scenario.

The scenario clock is paused from the moment a step is played until the test has seen
its levels: at any speed the test checks each step while it is the current one.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from app.collectors.base import worst
from app.config import load_config
from app.drill.drill import Drill
from app.drill.scenario import Step, load_scenario, scenario_names
from app.incident import IncidentCore
from app.store import open_store
from app.ui.app import WarroomApp
from app.ui.panes.postgres_screens import ConfirmActionScreen
from tests.support.until import until

SPEED = 30
PANES = {"health": "pane-health", "errors": "pane-errors", "postgres": "pane-postgres", "kubernetes": "pane-kubernetes"}
pytestmark = pytest.mark.slow


def pane_levels(app: WarroomApp) -> dict[str, str]:
    levels = {}
    for name, pane_id in PANES.items():
        pane = app.query_one(f"#{pane_id}")
        snapshots = list(pane.latest.values())
        levels[name] = worst([s.level for s in snapshots]).name if snapshots else "none"
    return levels


class Played:
    """Steps as the runner plays them (its thread), each pausing the scenario clock."""

    def __init__(self) -> None:
        self.steps: list[tuple[Step, str]] = []
        self.lock = threading.Lock()
        self.drill: Drill | None = None

    def __call__(self, step: Step, phase: str) -> None:
        assert self.drill is not None
        self.drill.clock.pause()
        with self.lock:
            self.steps.append((step, phase))

    def count(self) -> int:
        with self.lock:
            return len(self.steps)


async def check_step(pilot, app: WarroomApp, played: Played, index: int, step: Step, *, resume: bool = True) -> None:
    await until(pilot, lambda: played.count() > index, timeout=30, message=f"step {step.say!r} never played")
    assert played.steps[index][0] == step
    expected = {pane: level for pane, level in step.expect.items()}
    await until(pilot, lambda: all(pane_levels(app)[p] == lv for p, lv in expected.items()), timeout=30,
                message=f"step {step.say!r}: expected {expected}, panes say {pane_levels(app)}")
    if resume:
        played.drill.clock.resume()


async def end_incident(pilot, app: WarroomApp, name: str) -> None:
    """What the scenario's commander does to end it, as a user does it."""
    if name == "lock-storm":
        pane = app.query_one("#pane-postgres")
        pane.query_one(".pg-locks").focus()  # the cursor starts on the root blocker
        await pilot.press("K")
        await until(pilot, lambda: isinstance(app.screen, ConfirmActionScreen))
        await pilot.press("y")
        return
    decision = {"bad-deploy": "! roll back payments to 2.3.1", "pool-exhaustion": "! restart orders-worker"}[name]
    await pilot.press("t")
    await pilot.press(*decision, "enter")


@pytest.mark.parametrize("name", scenario_names())
async def test_scenario_plays_and_ends(name, drill_dsn, tmp_path):
    scenario = load_scenario(name)
    played = Played()
    drill = Drill(scenario, speed=SPEED, store_url=f"sqlite:///{tmp_path / 'drills.db'}", dsn=drill_dsn,
                  on_step=played, signals=False)
    played.drill = drill
    config_path = drill.start()
    try:
        config = load_config(str(config_path))
        store = open_store(drill.store_url)
        IncidentCore(store, config, actor="trainee").open(scenario.title, "SEV2")
        app = WarroomApp(config, store)
        async with app.run_test(size=(160, 50)) as pilot:
            for i, step in enumerate(scenario.steps):
                await check_step(pilot, app, played, i, step, resume=i < len(scenario.steps) - 1)
            assert drill.runner.progress.phase == "incident"

            await end_incident(pilot, app, name)
            await until(pilot, lambda: drill.runner.progress.phase == "recovery", timeout=30,
                        message="the commander's action did not end the incident")
            ended_by = drill.runner.progress.ended_by
            assert ("terminated" in ended_by) if name == "lock-storm" else ended_by.startswith("decision")
            drill.clock.resume()
            for i, step in enumerate(scenario.ends.recovery):
                await check_step(pilot, app, played, len(scenario.steps) + i, step)

            # The record says which scenario ran.
            incident_id = app.state.id
            await pilot.press("ctrl+q")
        markdown = IncidentCore(open_store(drill.store_url), config).export(incident_id, "markdown")
        assert f"DRILL — scenario {name}" in markdown
    finally:
        await asyncio.to_thread(drill.stop)
    assert not drill.workdir.exists()
