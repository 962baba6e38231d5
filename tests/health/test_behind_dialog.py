"""Behind a dialog the health pane redraws only news, as the other panes do (issue 12):
Textual draws the whole dashboard again, dimmed, for every change under a dialog. A result
at the same level waits; a check that goes down is shown at once; closing the dialog shows
the newest results. The real app (its clock draws the panes' routine results each second)
and a real HTTP server."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Label

from app.config import Config
from app.ui.panes.health import HealthPane
from tests.support import make_app, until
from tests.support.incident_app import make_config
from tests.ui.test_commander_keys import open_incident


class Dialog(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        yield Label("a dialog over the dashboard")


def shown(pane: HealthPane, column: str) -> str:
    return pane.table.get_cell("api", column).plain


async def test_behind_a_dialog_the_health_pane_waits_with_routine_results_but_shows_news(target, tmp_path):
    target.routes["/api"] = (200, '{"status":"UP"}', 0)
    config = make_config(health=Config.model_validate(
        {"health": [{"name": "api", "url": target.url("/api"), "interval": "0.1s", "timeout": "2s"}]}).health)
    app = make_app(tmp_path / "h.db", config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot)
        pane = app.query_one(HealthPane)
        await until(pilot, lambda: shown(pane, "latency").endswith(" ms"))
        drawn: list[str] = []
        original = pane.render_snapshot
        pane.render_snapshot = lambda snapshot, last: (drawn.append(snapshot.name), original(snapshot, last))[1]  # type: ignore[method-assign]

        await app.push_screen(Dialog())
        await pilot.pause()
        target.routes["/api"] = (200, '{"status":"UP"}', 0.15)  # slower, still OK: not news
        hits = target.hits.get("/api", 0)
        await until(pilot, lambda: target.hits.get("/api", 0) >= hits + 8, timeout=10)
        assert drawn == []  # a dozen results came, and the dimmed dashboard was not drawn again
        assert not shown(pane, "latency").startswith(("15", "16", "17", "18", "19"))

        app.pop_screen()  # the dialog closes: the newest result is drawn in the next second
        await until(pilot, lambda: int(shown(pane, "latency").split()[0]) >= 150)
        assert "OK" in shown(pane, "level")

        await app.push_screen(Dialog())
        target.routes["/api"] = (503, '{"status":"DOWN"}', 0)  # news: drawn at once, dialog or not
        await until(pilot, lambda: "CRIT" in shown(pane, "level"))
        assert isinstance(app.screen, Dialog)
