"""A tiny host App for the PostgresPane: records what the pane asks the timeline to append."""

from __future__ import annotations

import time
from types import SimpleNamespace

from textual.app import App, ComposeResult

from app.collectors.postgres import PostgresCollector
from app.config.postgres import PostgresTarget
from app.ui.messages import TimelineRequest
from app.ui.panes.postgres import PostgresPane
from app.ui.styles import css_paths


class PaneHost(App[None]):
    CSS_PATH = css_paths()

    def __init__(self, *targets: PostgresTarget) -> None:
        super().__init__()
        self.config = SimpleNamespace(operator="alice")
        self.collectors = [PostgresCollector(t) for t in targets]
        self.timeline: list[TimelineRequest] = []
        self.snapshots = 0

    def compose(self) -> ComposeResult:
        yield PostgresPane(self.collectors, title="PostgreSQL", id="pane-postgres")

    def on_snapshot_arrived(self, message) -> None:
        self.snapshots += 1

    def on_timeline_request(self, message: TimelineRequest) -> None:
        self.timeline.append(message)

    async def on_unmount(self) -> None:
        for collector in self.collectors:
            await collector.aclose()


async def pause_until(pilot, condition, timeout: float = 15.0) -> None:
    """Let the pane's workers run until `condition()` holds (bounded)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the pane did not reach the expected state in time")
        await pilot.pause(0.05)
