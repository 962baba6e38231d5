"""Firing alerts and silences from Alertmanager's API v2 (also Grafana, Mimir, Thanos).

model.py holds the data the pane shows (groups by alertname, silences); collector.py talks
to the API. Imports run one way: model <- collector <- build.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.collectors.alertmanager.collector import AlertmanagerCollector, SilenceResult
from app.collectors.base import Collector
from app.config.alertmanager import AlertmanagerTarget

if TYPE_CHECKING:
    from app.config import Config

__all__ = ["AlertmanagerCollector", "SilenceResult", "build", "build_for"]


def build(config: Config) -> list[Collector[Any]]:
    return build_for(config.alertmanager)


def build_for(targets: list[AlertmanagerTarget]) -> list[Collector[Any]]:
    """One collector (with its own HTTP client: headers and TLS are per instance) per entry."""
    return [AlertmanagerCollector(target) for target in targets]
