"""A target that answers but never finishes (a byte every 0.1 s) must not hold a row forever.

httpx's timeout applies to each read, and every read here is quick; only a deadline on the
whole request ends it. Without one the pane's row never refreshes and is never marked stale.
"""

from __future__ import annotations

import asyncio
import time

from app.collectors.base import Level
from app.collectors.error_rates.scrape import MetricsScrapeCollector
from app.collectors.error_rates.prometheus import PrometheusErrorRateCollector
from app.config.error_rates import ErrorRate

TIMEOUT = 0.5
# The collectors allow 0.5 s beyond `timeout`; this bound only keeps a failing test from hanging.
CEILING = 5.0


async def test_trickling_endpoints_fail_within_the_timeout(metrics_server, http_client):
    scrape = MetricsScrapeCollector(
        ErrorRate(name="scrape", metrics_url=metrics_server.base + "/trickle", counter="http_requests_total",
                  errors={"code": "5.."}, timeout=f"{TIMEOUT}s"),
        http_client,
    )
    prometheus = PrometheusErrorRateCollector(
        ErrorRate(name="prom", prometheus=metrics_server.base + "/trickle", query="up", timeout=f"{TIMEOUT}s"),
        http_client,
    )
    started = time.monotonic()
    scraped, queried = await asyncio.wait_for(asyncio.gather(scrape.collect(), prometheus.collect()), CEILING)
    elapsed = time.monotonic() - started
    for snapshot in (scraped, queried):
        # A failure to get an answer: the pane marks the row stale, `warroom status` says UNKNOWN.
        assert snapshot.level is Level.UNKNOWN
        assert snapshot.error == "timeout: not complete within 1s"
    assert elapsed < 2.0
