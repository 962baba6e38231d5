"""`/` in the alerts pane: groups narrow as typed; the title's counts still count them all."""

from __future__ import annotations

from app.ui.panes.alerts import AlertsPane
from tests.alerts.scenario import dozen_alerts
from tests.support import PaneHost, until


def alerts(pane: AlertsPane) -> list[str]:
    return [pane.table.get_row_at(i)[1].plain for i in range(pane.table.row_count)]


async def test_filter_narrows_groups_and_keeps_the_counts(alertmanager):
    alertmanager.push(*dozen_alerts())
    config = {"operator": "alice", "timezone": "UTC",
              "alertmanager": [{"name": "prod", "url": alertmanager.url, "interval": "0.2s", "timeout": "1s"}]}
    app = PaneHost("alerts", config)
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.query_one(AlertsPane)
        await until(pilot, lambda: pane.table.row_count == 4)
        pane.table.focus()
        await pilot.press("slash", *"crit", "enter")
        await until(pilot, lambda: alerts(pane) == ["HighErrorRate ×4", "PodCrashLooping ×3"])
        title = str(pane.border_title)
        assert "✖ 2 CRIT · ▲ 1 WARN · ✔ 1 OK" in title and "/crit 2 of 4" in title
        await pilot.press("escape")
        await until(pilot, lambda: pane.table.row_count == 4)
        assert " of 4" not in str(pane.border_title)
