"""The whole dashboard with every live pane drawn from fixed snapshots (tests/live_panes/
pane_data.py): the real app, panes built as the app builds them, no target anywhere. For
behaviour tests of keys, focus and dialogs; the whole-screen snapshots use real servers."""

from __future__ import annotations

import pytest

import app.ui.live
import app.ui.panes.health
from app.ui.live import PANES, build_pane
from tests.live_panes import pane_data

FIXED = {"health": pane_data.health, "errors": pane_data.error_rates, "postgres": pane_data.postgres,
         "kubernetes": pane_data.kubernetes}


def screen_text(app) -> str:
    """The characters on screen, no colour: what a NO_COLOR terminal shows."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@pytest.fixture
def fixed_panes(monkeypatch):
    """Every pane configured, each from its fixed snapshots."""
    monkeypatch.setattr(app.ui.panes.health, "now_utc", lambda: pane_data.AT + pane_data.AGES_SEEN)

    def compose(self):
        for entry in PANES:
            if entry.source.name not in FIXED:
                continue  # the alerts pane came later: its own tests run it against a real Alertmanager
            yield build_pane(entry, self.config, FIXED[entry.source.name]())

    monkeypatch.setattr(app.ui.live.LiveArea, "compose", compose)
