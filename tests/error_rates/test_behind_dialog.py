"""Behind a dialog a pane redraws only news (issue 12): Textual draws the whole dashboard
again, dimmed, for every change under a dialog. A refresh at the same level waits (at most
BEHIND_DIALOG_EVERY seconds); a failure is shown at once; closing the dialog shows the
newest data. Real /metrics server, the pane as the dashboard builds it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Label

from app.config import Config
from app.ui.panes.error_rates import ErrorRatesPane
from tests.error_rates.metrics_server import TrafficGenerator
from tests.support import PaneHost, until


class Dialog(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        yield Label("a dialog over the dashboard")


def value_shown(pane: ErrorRatesPane) -> str:
    key = pane.table.coordinate_to_cell_key((0, 0)).row_key
    return pane.table.get_cell(key, "value").plain


def latest_value(app: PaneHost) -> float | None:
    rows = app.snapshots[-1].data.rows if app.snapshots and app.snapshots[-1].data else ()
    return rows[0].value if rows else None


async def test_behind_a_dialog_a_pane_waits_with_routine_refreshes_but_shows_news(metrics_server):
    config = Config.model_validate({"error_rates": [
        {"name": "api 5xx/s", "metrics_url": metrics_server.url, "counter": "http_requests_total",
         "errors": {"code": "5.."}, "unit": "per_second", "interval": "0.1s", "timeout": "1s"},
    ]})
    traffic = TrafficGenerator(metrics_server, period=0.02).start()
    app = PaneHost("errors", config)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = app.query_one(ErrorRatesPane)
        await until(pilot, lambda: (latest_value(app) or 0) > 0 and value_shown(pane).endswith("/s"))
        busy = value_shown(pane)
        repaints = []
        original = pane.table.refresh
        pane.table.refresh = lambda *a, **kw: (repaints.append(1), original(*a, **kw))[1]  # type: ignore[method-assign]

        await app.push_screen(Dialog())
        traffic.stop()  # the rate falls to 0/s: same level (no limits set), so not news
        await until(pilot, lambda: latest_value(app) == 0)
        seen = len(app.snapshots)
        await until(pilot, lambda: len(app.snapshots) >= seen + 3)
        assert value_shown(pane) == busy and not repaints  # behind the dialog: not drawn yet

        app.pop_screen()  # the dialog closes: what waited is drawn at once
        await pilot.pause()
        assert value_shown(pane) != busy and value_shown(pane).startswith("0")

        await app.push_screen(Dialog())
        metrics_server.stop()  # the source fails: news, shown behind the dialog at once
        await until(pilot, lambda: pane.has_class("-stale"))
        assert isinstance(app.screen, Dialog)
