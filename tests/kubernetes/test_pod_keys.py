"""The pods pane's drill-down keys are in the footer (as they fit), the help screen and the
command palette; rollback, restart and scale only by the start of their names."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from app.ui.footer import FittedFooter
from app.ui.keys import WarroomCommands, key_sections
from app.ui.panes.kubernetes import PodsPane
from tests.support import make_app
from tests.support.fixed_dashboard import fixed_panes  # noqa: F401 - fixture
from tests.ui.test_commander_keys import open_incident

pytestmark = pytest.mark.usefixtures("fixed_panes")


async def titles(app, query: str) -> list[str]:
    provider = WarroomCommands(app.screen)
    return [str(hit.text) for hit in [hit async for hit in provider.search(query)]]


async def test_pod_keys_in_footer_help_and_palette(tmp_path):
    app = make_app(tmp_path / "k.db")
    async with app.run_test(size=(200, 50)) as pilot:
        await open_incident(app, pilot)
        await pilot.press("4")
        await pilot.pause()
        assert app.query_one(PodsPane).has_focus_within
        footer = app.screen.query_one(FittedFooter)
        keys = [f"{k.key_display} {k.description}" for k in footer.query(FooterKey)]
        assert {"l Logs", "d Describe", "D Deployments"} <= set(keys), keys

        sections = dict(key_sections(app))
        live = sections["Live panes"]
        assert ("l", "Logs (4 Kubernetes pods)") in live and ("D", "Deployments (4 Kubernetes pods)") in live
        inside = sections["Pod logs (l) and deployments (D)"]
        for pair in (("P", "Previous (logs)"), ("F", "Follow (logs)"), ("/", "Search (logs)"), ("p", "Pin lines (logs)"),
                     ("u", "Undo rollout (deployments)"), ("r", "Restart (deployments)"), ("s", "Scale (deployments)")):
            assert pair in inside

        assert any(t.startswith("Logs: 4 Kubernetes pods") for t in await titles(app, "logs"))
        assert any(t.startswith("Roll back a deployment") for t in await titles(app, "rollback"))
        assert any(t.startswith("Roll back a deployment") for t in await titles(app, "undo"))
        assert any(t.startswith("Scale a deployment") for t in await titles(app, "scale"))
        assert not any("deployment (" in t or "Scale" in t for t in await titles(app, "r"))  # risky: never by one letter
        assert not any("Roll back" in t for t in await titles(app, "mitig"))
