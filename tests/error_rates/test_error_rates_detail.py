"""Enter on an error-rate row: its query (here the /metrics series selector) and its recent
values as numbers, each with the time it was measured."""

from __future__ import annotations

import re

from app.config import Config
from app.ui.panes.error_rates import ErrorRatesPane
from app.ui.screens.detail import DetailScreen
from tests.support import PaneHost, until


def sections(screen: DetailScreen) -> str:
    return "\n".join(str(static.render()) for static in screen.query(".detail-section"))


async def test_error_rate_detail_shows_the_query_and_timed_values(metrics_server):
    metrics_server.metrics.serve("200", 90)
    config = Config.model_validate({"timezone": "UTC", "error_rates": [
        {"name": "api 5xx", "metrics_url": metrics_server.url, "counter": "http_requests_total",
         "errors": {"code": "5.."}, "unit": "percent", "warn": 5, "crit": 50, "interval": "0.1s", "timeout": "1s"}]})
    app = PaneHost("errors", config)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ErrorRatesPane)
        for _ in range(3):  # traffic between scrapes: 10% errors each time
            seen = len(app.snapshots)
            metrics_server.metrics.serve("200", 9)
            metrics_server.metrics.serve("500", 1)
            await until(pilot, lambda: len(app.snapshots) >= seen + 2)
        await until(pilot, lambda: any(v == 10 for s in pane.shown.values() for v in s.row.history))
        pane.table.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen))
        text = sections(app.screen)
        assert 'http_requests_total{code=~"5.."}' in text
        values = re.findall(r"^(\d\d:\d\d:\d\d)  (.+)$", text, re.M)
        assert len(values) >= 2 and ("10%" in {v for _, v in values})
        assert [t for t, _ in values] == sorted(t for t, _ in values)  # oldest first
