"""On the dashboard a pane's routine refresh is drawn with the clock's second (issue 12):
a source polled ten times a second is drawn at most once a second, in the frame the clock
draws anyway, and the newest value is what is shown. Real app, real /metrics server."""

from __future__ import annotations

import time

from app.config import Config
from app.ui.panes.error_rates import ErrorRatesPane
from tests.error_rates.metrics_server import TrafficGenerator
from tests.error_rates.test_behind_dialog import value_shown
from tests.support import make_app, until
from tests.support.incident_app import make_config
from tests.ui.test_commander_keys import open_incident


async def test_a_pane_polled_ten_times_a_second_is_drawn_once_a_second(metrics_server, tmp_path):
    config = make_config(error_rates=Config.model_validate({"error_rates": [
        {"name": "api 5xx/s", "metrics_url": metrics_server.url, "counter": "http_requests_total",
         "errors": {"code": "5.."}, "unit": "per_second", "interval": "0.1s", "timeout": "1s"},
    ]}).error_rates)
    traffic = TrafficGenerator(metrics_server, period=0.02).start()
    app = make_app(tmp_path / "p.db", config=config)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await open_incident(app, pilot)  # the dashboard in plain view, no dialog over it
            pane = app.query_one(ErrorRatesPane)
            await until(pilot, lambda: value_shown(pane).endswith("/s") and not value_shown(pane).startswith("0"))
            arrived: list[float] = []
            original_watch = pane.watch_snapshot
            pane.watch_snapshot = lambda snapshot: (arrived.append(1), original_watch(snapshot))[1]  # type: ignore[method-assign]
            drawn: list[float] = []
            original_draw = pane.render_snapshot
            pane.render_snapshot = lambda *a: (drawn.append(time.monotonic()), original_draw(*a))[1]  # type: ignore[method-assign]
            started = time.monotonic()
            traffic.stop()  # the rate falls to 0/s at the same level: routine refreshes, not news
            await until(pilot, lambda: value_shown(pane).startswith("0"))
            await until(pilot, lambda: time.monotonic() - started > 2.5)
            seconds = time.monotonic() - started
            assert len(arrived) >= 10  # it was polled all along...
            assert len(drawn) <= seconds + 1, (len(drawn), seconds)  # ...and drawn once a second
            assert value_shown(pane).startswith("0")  # the newest value
    finally:
        traffic.stop()
