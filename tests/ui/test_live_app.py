"""The whole WarroomApp with live panes against real local servers: a hung health endpoint
never holds up the other rows, the scribe, or quitting."""

from __future__ import annotations

import asyncio

import pytest

from app.config import Config
from app.domain.clock import SystemClock
from app.store.sqlite import SQLiteStore
from app.ui.app import WarroomApp
from app.ui.incident.panel import EntryInput
from app.ui.incident.timeline import TimelineTable
from app.ui.panes.error_rates import ErrorRatesPane
from app.ui.panes.health import HealthPane
from tests.error_rates.metrics_server import MetricsServer, TrafficGenerator
from tests.health.health_servers import TargetServer
from tests.support import until


@pytest.fixture
def health_target():
    server = TargetServer().start()
    yield server
    server.stop()  # only now does /hang let go


@pytest.fixture
def metrics():
    server = MetricsServer()
    server.metrics.serve("200", 90)
    server.metrics.serve("500", 10)
    traffic = TrafficGenerator(server, period=0.05).start()  # ~10-13 % 5xx, moving
    yield server
    traffic.stop()
    server.stop()


def make_app(tmp_path, health_target: TargetServer, metrics: MetricsServer, hang_timeout: str) -> WarroomApp:
    config = Config.model_validate({
        "operator": "scribe",
        "timezone": "UTC",
        "health": [
            {"name": "hung", "url": health_target.url("/hang"), "timeout": hang_timeout, "interval": "0.2s"},
            {"name": "api", "url": health_target.url("/ok"), "interval": "0.2s"},
        ],
        "error_rates": [
            {"name": "checkout", "metrics_url": metrics.url, "counter": "http_requests_total",
             "errors": {"code": "5.."}, "warn": 0.01, "crit": 0.05, "interval": "0.3s"},
        ],
    })
    store = SQLiteStore(tmp_path / "incidents.db")
    # An open incident, so the app resumes it instead of asking for a title.
    store.open_incident(title="Checkout slow", severity="SEV2", actor="ic", at=SystemClock().now(),
                        id_format=config.incident.id_format)
    return WarroomApp(config, store)


def health_cell(app: WarroomApp, name: str, column: str) -> str:
    return app.query_one(HealthPane).table.get_cell(name, column).plain


def error_rate_cells(app: WarroomApp) -> list[str]:
    table = app.query_one(ErrorRatesPane).table
    return [cell.plain for cell in table.get_row_at(0)]


def timeline_texts(app: WarroomApp) -> list[str]:
    table = app.query_one(TimelineTable)
    return [table.get_row_at(i)[-1].plain for i in range(table.row_count)]


async def test_hung_endpoint_holds_up_neither_rows_nor_scribe_nor_quit(tmp_path, health_target, metrics):
    app = make_app(tmp_path, health_target, metrics, hang_timeout="60s")
    async with app.run_test(size=(200, 50)) as pilot:
        await until(pilot, lambda: "OK" in health_cell(app, "api", "level"))
        assert health_cell(app, "api", "reason").startswith("200 OK")
        assert health_cell(app, "hung", "reason") == "waiting for the first result"
        assert health_target.hits.get("/hang") == 1  # its request is out, and hanging

        # Error rates fill too: first scrape "collecting…", then a real ratio from the deltas.
        await until(pilot, lambda: error_rate_cells(app)[2].endswith("%"))
        level, name, value, *_ = error_rate_cells(app)
        assert name == "checkout" and level == "✖ CRIT", (level, value)

        # The scribe writes while the request hangs: t, type, Enter; shown once durable.
        await until(pilot, lambda: app.state is not None)
        await pilot.press("t")
        assert app.query_one(EntryInput).has_focus
        await pilot.press(*"search hangs", "enter")
        await until(pilot, lambda: "search hangs" in timeline_texts(app))
        assert health_cell(app, "hung", "reason") == "waiting for the first result"
        assert app.query_one(EntryInput).value == ""

        # Quit with the request still in flight: nothing waits for it.
        loop = asyncio.get_running_loop()
        started = loop.time()
        await pilot.press("ctrl+q")
    assert loop.time() - started < 5.0
    assert health_target.hits.get("/hang") == 1


async def test_hung_row_ends_crit_timeout_after_its_timeout(tmp_path, health_target, metrics):
    app = make_app(tmp_path, health_target, metrics, hang_timeout="1s")
    loop = asyncio.get_running_loop()
    started = loop.time()  # before the app (and so its first request) starts
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: "OK" in health_cell(app, "api", "level"))
        assert health_cell(app, "hung", "reason") == "waiting for the first result"
        await until(pilot, lambda: "CRIT" in health_cell(app, "hung", "level"))
        assert loop.time() - started >= 0.95  # not before its timeout
        assert health_cell(app, "hung", "level") == "✖ CRIT"
        assert "timeout" in health_cell(app, "hung", "reason")
        assert "OK" in health_cell(app, "api", "level")  # the healthy row was never held up
        await pilot.press("ctrl+q")
