"""Each live pane at 80x24 (a laptop's tmux split) and 120x40, drawn from fixed snapshots at a
fixed time: no target, no clock, no machine in the picture."""

from __future__ import annotations

import pytest

import app.ui.panes.health
from tests.live_panes import pane_data
from tests.support import PaneHost, until

SIZES = [(80, 24), (120, 40)]
SOURCES = {"health": pane_data.health, "errors": pane_data.error_rates, "postgres": pane_data.postgres,
           "kubernetes": pane_data.kubernetes}


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("source", list(SOURCES))
def test_live_pane_layout(snap_compare, monkeypatch, source, size):
    # "since 11:59:00 (3m)": the health pane's ages are read off the clock.
    monkeypatch.setattr(app.ui.panes.health, "now_utc", lambda: pane_data.AT + pane_data.AGES_SEEN)
    collectors = SOURCES[source]()
    host = PaneHost(source, {"timezone": "UTC", "operator": "alice"}, collectors)

    async def filled(pilot) -> None:
        await until(pilot, lambda: len(host.snapshots) == len(collectors))
        for _ in range(3):  # the flexible columns fit after the refresh that measures them
            await pilot.pause()

    assert snap_compare(host, terminal_size=size, run_before=filled)
