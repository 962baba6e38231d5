"""`/` in the health pane: the rows narrow as typed; the pane's level and what it logs by
itself still see every check; Esc clears."""

from __future__ import annotations

from app.ui.panes.health import HealthPane
from tests.support import PaneHost, until

AUTO_TIMELINE = {"consecutive": 2, "min_interval": "0s"}


def names(pane: HealthPane) -> list[str]:
    return [pane.table.get_row_at(i)[0].plain for i in range(pane.table.row_count)]


async def test_filter_narrows_the_checks_not_the_level_nor_the_observations(target):
    checks = [{"name": f"api-{i}", "url": target.url("/ok"), "interval": "0.2s"} for i in range(5)]
    target.routes["/flip"] = (200, '{"status":"UP"}', 0)
    checks += [{"name": "db-primary", "url": target.url("/flip"), "interval": "0.1s"}]
    app = PaneHost("health", {"health": checks, "auto_timeline": AUTO_TIMELINE})
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.query_one(HealthPane)
        await until(pilot, lambda: pane.table.row_count == 6 and target.hits.get("/flip", 0) >= 3)
        pane.table.focus()
        pane.table.move_cursor(row=3)  # api-3
        await pilot.press("slash", *"api")
        await until(pilot, lambda: names(pane) == [f"api-{i}" for i in range(5)])
        assert "/api 5 of 6" in str(pane.border_title)
        assert pane.table.selected_key == "api-3"  # the cursor stayed on its row
        await pilot.press("enter")
        # The hidden check going down still makes the pane CRIT, and is still logged by itself.
        target.routes["/flip"] = (503, '{"status":"DOWN"}', 0)
        await until(pilot, lambda: any(t.startswith("db-primary CRIT") for t in app.automatic))
        assert pane.has_class("-worst-crit") and "db-primary" not in names(pane)
        await pilot.press("slash", *" -3")
        await until(pilot, lambda: names(pane) == ["api-3"])
        assert "/api -3 1 of 6" in str(pane.border_title)
        await pilot.press("escape")
        await until(pilot, lambda: names(pane) == [*(f"api-{i}" for i in range(5)), "db-primary"])
        assert " of 6" not in str(pane.border_title)
        assert pane.table.selected_key == "api-3" and pane.table.has_focus
        # The level word is filterable text too: what is down, at a glance.
        pane.set_filter("crit")
        await until(pilot, lambda: names(pane) == ["db-primary"])
