"""`/` in the error-rates pane narrows its rows; the levels the app sees are unaffected; Esc clears."""

from __future__ import annotations

from app.config import Config
from app.ui.panes.error_rates import ErrorRatesPane
from tests.support import PaneHost, until


def names(pane: ErrorRatesPane) -> list[str]:
    return [pane.table.get_row_at(i)[1].plain for i in range(pane.table.row_count)]


async def test_filter_narrows_rows_and_esc_clears(metrics_server):
    metrics_server.metrics.serve("200", 90)
    url = metrics_server.url
    entry = {"metrics_url": url, "counter": "http_requests_total", "errors": {"code": "5.."}, "warn": 0.05,
             "crit": 0.5, "interval": "0.1s", "timeout": "1s"}
    config = Config.model_validate({"error_rates": [{"name": "api 5xx", **entry}, {"name": "search 5xx", **entry},
                                                    {"name": "checkout 5xx", **entry}]})
    app = PaneHost("errors", config)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = app.query_one(ErrorRatesPane)
        await until(pilot, lambda: names(pane) == ["api 5xx", "search 5xx", "checkout 5xx"])
        pane.table.focus()
        await pilot.press("slash", *"SEARCH", "enter")
        await until(pilot, lambda: names(pane) == ["search 5xx"])
        assert "/SEARCH 1 of 3" in str(pane.border_title)
        metrics_server.metrics.serve("500", 90)  # every series goes CRIT, the hidden ones too
        seen = len(app.snapshots)
        await until(pilot, lambda: any(s.name == "api 5xx" and s.level.word == "CRIT" for s in app.snapshots[seen:]))
        assert names(pane) == ["search 5xx"]
        await pilot.press("escape")
        await until(pilot, lambda: names(pane) == ["api 5xx", "search 5xx", "checkout 5xx"])
        assert " of 3" not in str(pane.border_title)
