"""HealthPane in a tiny host app, against real servers: rows, levels, pins, auto observations."""

from __future__ import annotations

import re

from app.ui.panes.health import HealthPane
from tests.support import PaneHost, until

# Every result counts at once in these tests: a level change is reported after two in a row.
AUTO_TIMELINE = {"consecutive": 2, "min_interval": "0s"}


def host(checks: list[dict]) -> PaneHost:
    return PaneHost("health", {"health": checks, "auto_timeline": AUTO_TIMELINE})


def cell(app: PaneHost, name: str, column: str) -> str:
    pane = app.query_one(HealthPane)
    return str(pane.table.get_cell(name, column))


async def test_hung_endpoint_never_stalls_other_rows_or_the_ui(target):
    app = host([
        {"name": "hung", "url": target.url("/hang"), "timeout": "30s", "interval": "1s"},
        {"name": "api", "url": target.url("/ok"), "interval": "0.2s"},
        {"name": "db", "url": target.url("/down"), "interval": "0.2s"},
    ])
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.query_one(HealthPane)
        await until(pilot, lambda: "OK" in cell(app, "api", "level") and "CRIT" in cell(app, "db", "level"))
        assert cell(app, "api", "code") == "200"
        assert cell(app, "db", "reason") == "503 Service Unavailable"
        assert re.fullmatch(r"\d\d:\d\d:\d\d \(\d+s\)", cell(app, "db", "since"))
        assert cell(app, "hung", "reason") == "waiting for the first result"  # still hanging, and nothing else waited for it
        # the UI still answers keys while a request hangs
        await pilot.press("down")
        assert pane.table.cursor_row == 1
        # rows keep refreshing while the hung one hangs
        hits = target.hits.get("/ok", 0)
        await until(pilot, lambda: target.hits.get("/ok", 0) >= hits + 2)
        assert pane.table.cursor_row == 1  # cursor survives refreshes


async def test_level_change_posts_one_observation_after_two_results(target):
    target.routes["/flip"] = (200, '{"status":"UP"}', 0)
    app = host([{"name": "api", "url": target.url("/flip"), "interval": "0.1s"}])
    async with app.run_test(size=(120, 20)) as pilot:
        pane = app.query_one(HealthPane)
        await until(pilot, lambda: target.hits.get("/flip", 0) >= 3)
        assert app.timeline == []  # the first settled level is a baseline, not news
        target.routes["/flip"] = (503, '{"status":"DOWN"}', 0)
        await until(pilot, lambda: len(app.timeline) >= 1)
        (request,) = app.timeline
        assert request.kind == "observation"
        assert request.text.startswith("api CRIT: 503 Service Unavailable (since ")
        target.routes["/flip"] = (200, '{"status":"UP"}', 0)
        await until(pilot, lambda: len(app.timeline) >= 2)
        assert app.timeline[1].text.startswith("api OK: 200 OK in ")
        assert "was CRIT for" in app.timeline[1].text


async def test_pin_key_posts_the_selected_rows_state(target):
    app = host([
        {"name": "api", "url": target.url("/ok"), "interval": "5s"},
        {"name": "web", "url": target.url("/markup"), "interval": "5s"},
    ])
    async with app.run_test(size=(120, 20)) as pilot:
        pane = app.query_one(HealthPane)
        await until(pilot, lambda: "CRIT" in cell(app, "web", "level"))
        pane.table.focus()
        await pilot.press("down", "p")
        pins = [r for r in app.timeline if r.text.startswith("pinned:")]
        assert len(pins) == 1
        assert pins[0].text.startswith("pinned: web CRIT: 500 Internal Server Error (down since ")
        # bodies and reasons are shown literally, never as markup
        assert cell(app, "web", "reason") == "500 Internal Server Error"


def drawn(pane: HealthPane) -> list[str]:
    """The table's lines as drawn (cropped to the pane), header first."""
    return [pane.table.render_line(y).text for y in range(pane.table.row_count + 1)]


async def test_since_shows_at_80_columns_and_nothing_is_cut_mid_column(target):
    checks = [
        {"name": "api", "url": target.url("/ok"), "interval": "0.2s"},
        {"name": "search", "url": target.url("/slow?s=5"), "timeout": "0.3s", "interval": "0.2s"},
        {"name": "payments", "url": target.url("/down"), "interval": "0.2s"},
    ]
    # 80 columns: an 80x24 terminal, or the left half at 200x60.
    app = host(checks)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(HealthPane)
        await until(pilot, lambda: "timeout" in cell(app, "search", "reason") and cell(app, "payments", "since"))
        await pilot.pause()
        header, *rows = drawn(pane)
        assert header.split()[:6] == ["Check", "Level", "Code", "Latency", "Reason", "Since"]
        since = cell(app, "payments", "since")
        assert any(line.split()[0] == "payments" and since in line for line in rows), rows
        assert any("timeout: no" in line for line in rows)  # the reason keeps room to be read

    # The left half of a 120-column terminal: the reason keeps its room; Since and Trend
    # give way whole rather than show as a cut-off fragment.
    app = host(checks)
    async with app.run_test(size=(58, 24)) as pilot:
        pane = app.query_one(HealthPane)
        await until(pilot, lambda: "timeout" in cell(app, "search", "reason") and cell(app, "payments", "since"))
        await pilot.pause()
        header, *rows = drawn(pane)
        assert header.split()[-1] == "Reason", header
        assert all(line.rstrip().endswith(("…", "ms", "Unavailable")) for line in rows), rows
