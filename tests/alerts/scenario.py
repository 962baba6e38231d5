"""A dozen alerts in four groups, as the issue's 'done when' describes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def dozen_alerts(now: datetime | None = None) -> list[dict[str, Any]]:
    now = now or datetime.now(UTC)
    alerts: list[dict[str, Any]] = []
    for i in range(4):
        alerts.append({"labels": {"alertname": "HighErrorRate", "severity": "critical", "job": "api", "instance": f"api-{i}"},
                       "annotations": {"summary": "5xx ratio above 5%", "description": f"api-{i} serves 12% errors"},
                       "startsAt": now - timedelta(minutes=12), "generatorURL": "http://prometheus:9090/graph?g0.expr=x"})
    for i in range(3):
        alerts.append({"labels": {"alertname": "PodCrashLooping", "severity": "critical", "namespace": "payments",
                                  "pod": f"payments-{i}"},
                       "annotations": {"summary": "pod restarting"}, "startsAt": now - timedelta(minutes=3)})
    for i in range(3):
        alerts.append({"labels": {"alertname": "DiskAlmostFull", "severity": "warning", "instance": f"db-{i}"},
                       "annotations": {"summary": "disk 90% full"}, "startsAt": now - timedelta(hours=2)})
    for i in range(2):
        alerts.append({"labels": {"alertname": "CertExpiringSoon", "severity": "info", "domain": f"site{i}.example"},
                       "annotations": {"summary": "certificate expires in 20 days"}, "startsAt": now - timedelta(days=1)})
    return alerts
