"""Error rates, from two kinds of source, as one row model.

PrometheusErrorRateCollector (prometheus.py) runs a PromQL query; MetricsScrapeCollector
(scrape.py) scrapes /metrics itself and computes the ratio from counter deltas. Both produce
ErrorRateData (model.py) with one ErrorRateRow per series, so the pane and `warroom status`
treat them alike. Imports run one way: model <- collector <- prometheus, scrape <- build.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from app.collectors.base import Collector
from app.collectors.error_rates.collector import ErrorRateCollector
from app.collectors.error_rates.prometheus import PrometheusErrorRateCollector
from app.collectors.error_rates.scrape import MetricsScrapeCollector
from app.collectors.http_client import MAX_REDIRECTS, SharedClient
from app.config.error_rates import ErrorRate

if TYPE_CHECKING:
    from app.config import Config

__all__ = ["ErrorRateCollector", "MetricsScrapeCollector", "PrometheusErrorRateCollector", "build", "build_for"]


def build(config: Config) -> list[Collector]:
    return build_for(config.error_rates)


def build_for(entries: list[ErrorRate]) -> list[Collector]:
    """One collector per `error_rates:` entry, all sharing one HTTP client."""
    if not entries:
        return []
    shared = SharedClient(httpx.AsyncClient(follow_redirects=True, max_redirects=MAX_REDIRECTS), users=len(entries))
    collectors: list[Collector] = []
    for entry in entries:
        if entry.prometheus:
            collectors.append(PrometheusErrorRateCollector(entry, shared))
        else:
            collectors.append(MetricsScrapeCollector(entry, shared))
    return collectors
