"""ErrorRatesPane in a tiny host App against a real /metrics server."""

from __future__ import annotations

from app.collectors.error_rates import build
from app.config import Config
from app.ui.panes.error_rates import ErrorRatesPane
from tests.error_rates.metrics_server import TrafficGenerator
from tests.error_rates.pane_host import ErrorRatesHost


def config_for(url: str) -> Config:
    return Config.model_validate({"error_rates": [
        {"name": "api 5xx", "metrics_url": url, "counter": "http_requests_total",
         "errors": {"code": "5.."}, "warn": 0.05, "crit": 0.5, "interval": "0.1s", "timeout": "1s"},
        {"name": "api 5xx/s", "metrics_url": url, "counter": "http_request_duration_seconds",
         "errors": {"code": "5.."}, "unit": "per_second", "interval": "0.1s", "timeout": "1s"},
    ]})


async def wait_for(pilot, condition, rounds: int = 100) -> None:
    """Let the app process collector results until `condition` holds (bounded)."""
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")


def cell_text(pane: ErrorRatesPane, row: int, column: str) -> str:
    key = pane.table.coordinate_to_cell_key((row, 0)).row_key
    return pane.table.get_cell(key, column).plain


async def test_rows_fill_with_values_and_go_stale_keeping_data(metrics_server):
    metrics_server.metrics.serve("200", 90)
    app = ErrorRatesHost(build(config_for(metrics_server.url)))
    async with app.run_test(size=(100, 20)) as pilot:
        pane = app.query_one(ErrorRatesPane)
        # Before any data: one placeholder row per configured entry.
        assert pane.table.row_count == 2
        # Traffic between scrapes: 1 error in 10 requests (10%, between warn 5% and crit 50%).
        # Both rows past their first scrape ("collecting…"): rates exist from now on.
        await wait_for(pilot, lambda: cell_text(pane, 0, "value") == "no requests")
        await wait_for(pilot, lambda: cell_text(pane, 1, "value").endswith("/s"))
        metrics_server.metrics.serve("200", 9)
        metrics_server.metrics.serve("500", 1)
        await wait_for(pilot, lambda: cell_text(pane, 0, "value") == "10%")
        assert cell_text(pane, 0, "level") == "▲ WARN"
        assert cell_text(pane, 0, "name") == "api 5xx"
        assert cell_text(pane, 0, "limits") == "5% / 50%"
        assert cell_text(pane, 1, "name") == "api 5xx/s"
        assert cell_text(pane, 1, "value").endswith("/s")
        assert cell_text(pane, 0, "trend").strip()  # a sparkline from the values collected

        # The cursor stays on its row across refreshes.
        await pilot.press("down")
        seen = app.snapshots
        await wait_for(pilot, lambda: app.snapshots >= seen + 4)
        assert pane.table.cursor_row == 1

        # Pin the selected row's state into the timeline.
        await pilot.press("p")
        await pilot.pause()
        assert app.timeline and app.timeline[-1].text.startswith("api 5xx/s OK: ")
        assert app.timeline[-1].kind == "observation"

        # Steady traffic, so the last good row has a percentage to keep.
        traffic = TrafficGenerator(metrics_server, period=0.02).start()
        seen = app.snapshots
        await wait_for(pilot, lambda: app.snapshots >= seen + 4)
        traffic.stop()
        metrics_server.stop()  # the target goes away
        await wait_for(pilot, lambda: pane.has_class("-stale"))
        stale_line = str(pane.compose_stale().render())
        assert "stale since" in stale_line and "connection refused" in stale_line
        # Last good data is kept, not blanked.
        kept = cell_text(pane, 0, "value")
        assert kept.endswith("%"), kept
        assert cell_text(pane, 0, "level") != "? UNKNOWN"
        assert pane.table.row_count == 2


async def test_never_reachable_target_says_why_in_its_row(refused_url):
    app = ErrorRatesHost(build(config_for(refused_url + "/metrics")))
    async with app.run_test(size=(100, 20)) as pilot:
        pane = app.query_one(ErrorRatesPane)
        await wait_for(pilot, lambda: cell_text(pane, 0, "value") == "connection refused")
        assert cell_text(pane, 0, "level") == "? UNKNOWN"
        assert pane.has_class("-stale")


async def test_level_change_becomes_a_timeline_observation(metrics_server):
    app = ErrorRatesHost(build(config_for(metrics_server.url)))
    async with app.run_test(size=(100, 20)) as pilot:
        pane = app.query_one(ErrorRatesPane)
        # Quiet service: OK ("no requests") settles as the baseline, which is not news.
        await wait_for(pilot, lambda: app.snapshots >= 8)
        assert app.timeline == []
        traffic = TrafficGenerator(metrics_server, period=0.02).start()
        try:
            await wait_for(pilot, lambda: any("api 5xx WARN" in t.text for t in app.timeline))
        finally:
            traffic.stop()
        (entry,) = [t for t in app.timeline if t.text.startswith("api 5xx WARN")]
        assert entry.kind == "observation" and "(since " in entry.text
        assert pane.table.row_count == 2
