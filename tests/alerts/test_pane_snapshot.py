"""The alerts pane at 80x24 (a laptop's tmux split), drawn from a fixed snapshot at a fixed
time: a dozen alerts in four groups, one silence of the incident. Reviewed as an image."""

from __future__ import annotations

from datetime import timedelta

import app.ui.panes.alerts
from app.collectors.alertmanager import AlertmanagerCollector
from app.collectors.alertmanager.model import AlertsData, alert_from_api, group_alerts, silence_from_api
from app.collectors.base import Level, Snapshot
from app.config.alertmanager import AlertmanagerTarget
from tests.alerts.alertmanager_process import iso
from tests.alerts.scenario import dozen_alerts
from tests.live_panes.pane_data import AT
from tests.support import PaneHost, until
from tests.support.fixed import FixedCollector

SEEN = AT + timedelta(seconds=30)


def fixed_alerts() -> FixedCollector[AlertsData]:
    level_of = AlertmanagerCollector(AlertmanagerTarget(name="prod", url="http://am:9093")).level_of
    alerts = [alert_from_api({**a, "startsAt": iso(a["startsAt"]), "fingerprint": str(i)}, level_of)
              for i, a in enumerate(dozen_alerts(AT))]
    silence = silence_from_api({"id": "8335a411-632c-4158-a67f-53b3a3af8989", "status": {"state": "active"},
                                "matchers": [{"name": "alertname", "value": "NodeExporterDown", "isRegex": False}],
                                "startsAt": iso(AT), "endsAt": iso(AT + timedelta(hours=1)), "createdBy": "alice",
                                "comment": "INC-2026-001: Checkout errors"})
    data = AlertsData("http://am:9093", group_alerts(alerts), (silence,))
    return FixedCollector(Snapshot("alerts", "prod", AT, Level.CRIT, None, data))


def test_alerts_pane_layout_80x24(snap_compare, monkeypatch):
    monkeypatch.setattr(app.ui.panes.alerts, "now_utc", lambda: SEEN)
    collector = fixed_alerts()
    host = PaneHost("alerts", {"timezone": "UTC", "operator": "alice"}, [collector])

    async def filled(pilot) -> None:
        await until(pilot, lambda: len(host.snapshots) == 1)
        pane = host.query_one(app.ui.panes.alerts.AlertsPane)
        pane.remember("prod", collector.answer.data.silences[0], collector.answer.data.silences[0].id)  # type: ignore[union-attr]
        for _ in range(3):  # the flexible columns fit after the refresh that measures them
            await pilot.pause()

    assert snap_compare(host, terminal_size=(80, 24), run_before=filled)
