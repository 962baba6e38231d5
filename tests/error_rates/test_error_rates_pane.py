"""ErrorRatesPane in a tiny host App against a real /metrics server."""

from __future__ import annotations

import json

from app.config import Config
from app.ui.panes.error_rates import ErrorRatesPane
from tests.error_rates.metrics_server import TrafficGenerator
from tests.health.health_servers import TargetServer
from tests.support import PaneHost, until


def config_for(url: str) -> Config:
    return Config.model_validate({"error_rates": [
        {"name": "api 5xx", "metrics_url": url, "counter": "http_requests_total",
         "errors": {"code": "5.."}, "warn": 0.05, "crit": 0.5, "interval": "0.1s", "timeout": "1s"},
        {"name": "api 5xx/s", "metrics_url": url, "counter": "http_request_duration_seconds",
         "errors": {"code": "5.."}, "unit": "per_second", "interval": "0.1s", "timeout": "1s"},
    ]})


def host(config: Config) -> PaneHost:
    return PaneHost("errors", config)


def cell_text(pane: ErrorRatesPane, row: int, column: str) -> str:
    key = pane.table.coordinate_to_cell_key((row, 0)).row_key
    return pane.table.get_cell(key, column).plain


async def test_rows_fill_with_values_and_go_stale_keeping_data(metrics_server):
    metrics_server.metrics.serve("200", 90)
    app = host(config_for(metrics_server.url))
    async with app.run_test(size=(100, 20)) as pilot:
        pane = app.query_one(ErrorRatesPane)
        # Before any data: one placeholder row per configured entry.
        assert pane.table.row_count == 2
        # Traffic between scrapes: 1 error in 10 requests (10%, between warn 5% and crit 50%).
        # Both rows past their first scrape ("collecting…"): rates exist from now on.
        await until(pilot, lambda: cell_text(pane, 0, "value") == "no requests")
        await until(pilot, lambda: cell_text(pane, 1, "value").endswith("/s"))
        metrics_server.metrics.serve("200", 9)
        metrics_server.metrics.serve("500", 1)
        await until(pilot, lambda: cell_text(pane, 0, "value") == "10%")
        assert cell_text(pane, 0, "level") == "▲ WARN"
        assert cell_text(pane, 0, "name") == "api 5xx"
        assert cell_text(pane, 0, "limits") == "5% / 50%"
        assert cell_text(pane, 1, "name") == "api 5xx/s"
        assert cell_text(pane, 1, "value").endswith("/s")
        assert cell_text(pane, 0, "trend").strip()  # a sparkline from the values collected

        # The cursor stays on its row across refreshes.
        await pilot.press("down")
        seen = len(app.snapshots)
        await until(pilot, lambda: len(app.snapshots) >= seen + 4)
        assert pane.table.cursor_row == 1

        # Pin the selected row's state into the timeline.
        await pilot.press("p")
        await pilot.pause()
        assert app.timeline and app.timeline[-1].text.startswith("api 5xx/s OK: ")
        assert app.timeline[-1].kind == "observation"

        # Steady traffic, so the last good row has a percentage to keep.
        traffic = TrafficGenerator(metrics_server, period=0.02).start()
        seen = len(app.snapshots)
        await until(pilot, lambda: len(app.snapshots) >= seen + 4)
        traffic.stop()
        metrics_server.stop()  # the target goes away
        await until(pilot, lambda: pane.has_class("-stale"))
        stale_line = str(pane.compose_stale().render())
        assert "stale since" in stale_line and "connection refused" in stale_line
        # Last good data is kept, not blanked.
        kept = cell_text(pane, 0, "value")
        assert kept.endswith("%"), kept
        assert cell_text(pane, 0, "level") != "? UNKNOWN"
        assert pane.table.row_count == 2


async def test_never_reachable_target_says_why_in_its_row(refused_url):
    app = host(config_for(refused_url + "/metrics"))
    async with app.run_test(size=(100, 20)) as pilot:
        pane = app.query_one(ErrorRatesPane)
        await until(pilot, lambda: cell_text(pane, 0, "value") == "connection refused")
        assert cell_text(pane, 0, "level") == "? UNKNOWN"
        assert pane.has_class("-stale")


async def test_level_change_becomes_a_timeline_observation(metrics_server):
    app = host(config_for(metrics_server.url))
    async with app.run_test(size=(100, 20)) as pilot:
        pane = app.query_one(ErrorRatesPane)
        # Quiet service: OK ("no requests") settles as the baseline, which is not news.
        await until(pilot, lambda: len(app.snapshots) >= 8)
        assert app.timeline == []
        traffic = TrafficGenerator(metrics_server, period=0.02).start()
        try:
            await until(pilot, lambda: any("api 5xx WARN" in t.text for t in app.timeline))
        finally:
            traffic.stop()
        (entry,) = [t for t in app.timeline if t.text.startswith("api 5xx WARN")]
        assert entry.kind == "observation" and "(since " in entry.text
        assert pane.table.row_count == 2


def screen_rows(pane: ErrorRatesPane) -> list[str]:
    """The table's lines as they are drawn (cropped to the pane), header first."""
    table = pane.table
    return [table.render_line(y).text for y in range(table.row_count + 1)]


async def test_series_stay_told_apart_in_a_narrow_pane(metrics_server):
    # A Prometheus answering one series per code (a real HTTP server speaking its API),
    # and a scrape row after it in the config.
    api = TargetServer().start()
    api.routes["/api/v1/query"] = (200, json.dumps({"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": {"code": code}, "value": [1, value]} for code, value in (("503", "1.66"), ("200", "45"), ("500", "5"))
    ]}}), 0)
    config = Config.model_validate({"error_rates": [
        {"name": "requests by code", "prometheus": api.base, "query": "sum by (code) (rate(x[1m]))",
         "unit": "per_second", "interval": "0.1s"},
        {"name": "api 5xx", "metrics_url": metrics_server.url, "counter": "http_requests_total",
         "errors": {"code": "5.."}, "warn": 0.05, "crit": 0.5, "interval": "0.1s"},
    ]})
    app = host(config)
    try:
        # 60 columns: the pane is as wide as the left half of a 120-column terminal.
        async with app.run_test(size=(60, 20)) as pilot:
            pane = app.query_one(ErrorRatesPane)
            await until(pilot, lambda: pane.table.row_count == 4 and "45/s" in "".join(screen_rows(pane)))
            await pilot.pause()
            lines = screen_rows(pane)[1:]
            # Every series row shows which code it is, in label order; the scrape row stays last.
            assert [("code=200" in l, "code=500" in l, "code=503" in l) for l in lines[:3]] == [
                (True, False, False), (False, True, False), (False, False, True)]
            assert "45/s" in lines[0] and "5/s" in lines[1] and "1.66/s" in lines[2]
            assert "api 5xx" in lines[3]
    finally:
        api.stop()


async def test_infinite_and_nan_values_are_shown_not_fatal():
    # x/0 in PromQL is +Inf: the row says so (CRIT above any threshold) and the app lives on.
    api = TargetServer().start()
    answers = {"inf": "+Inf", "nan": "NaN"}
    for name, value in answers.items():
        api.routes[f"/{name}/api/v1/query"] = (200, json.dumps(
            {"status": "success", "data": {"resultType": "scalar", "result": [1, value]}}), 0)
    config = Config.model_validate({"error_rates": [
        {"name": name, "prometheus": f"{api.base}/{name}", "query": "sum(x) / sum(y)", "crit": 0.05, "interval": "0.1s"}
        for name in answers
    ]})
    app = host(config)
    try:
        async with app.run_test(size=(100, 20)) as pilot:
            pane = app.query_one(ErrorRatesPane)
            await until(pilot, lambda: len(app.snapshots) >= 6)
            assert app.is_running
            assert (cell_text(pane, 0, "level"), cell_text(pane, 0, "value")) == ("✖ CRIT", "+Inf")
            assert (cell_text(pane, 1, "level"), cell_text(pane, 1, "value")) == ("? UNKNOWN", "NaN")
            assert set(cell_text(pane, 0, "trend").lstrip()) == {"█"}  # full bars, at the right
    finally:
        api.stop()


def test_sparkline_of_a_steady_rate_is_flat():
    from app.ui.widgets.sparkline import sparkline

    # 12.8% .. 13.1% is a steady error rate, not a chart of full-height spikes.
    assert set(sparkline([0.128, 0.131, 0.129, 0.130], floor=0)) == {"█"}
    assert sparkline([0.0, 0.05, 0.10], floor=0) == "▁▅█"
    assert sparkline([0.0, 0.0], floor=0) == "▁▁"


async def test_stale_line_names_the_rows_that_are_stale(metrics_server, refused_url):
    # One source down among several: the reader must see which rows are old news.
    config = Config.model_validate({"error_rates": [
        {"name": "checkout", "metrics_url": metrics_server.url, "counter": "http_requests_total",
         "errors": {"code": "5.."}, "interval": "0.1s"},
        {"name": "payments", "prometheus": refused_url, "query": "up", "interval": "0.1s"},
    ]})
    app = host(config)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = app.query_one(ErrorRatesPane)
        await until(pilot, lambda: pane.has_class("-stale") and len(app.snapshots) >= 4)
        line = str(pane.compose_stale().render())
        assert line.startswith("⚠ payments: stale since ") and line.endswith(": connection refused"), line
