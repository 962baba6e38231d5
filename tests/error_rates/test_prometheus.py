"""Our Prometheus collector against a real Prometheus scraping a real /metrics server.

The value we show must be what Prometheus itself answers for the same expression at the
same evaluation time.
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from app.collectors.base import Level
from app.collectors.error_rates.scrape import MetricsScrapeCollector
from app.collectors.error_rates.prometheus import PrometheusErrorRateCollector
from app.config.error_rates import ErrorRate
from tests.error_rates.metrics_server import MetricsServer, SteppedCounters, TrafficGenerator
from tests.error_rates.prometheus_process import PROMETHEUS, SKIP_REASON, PrometheusProcess

pytestmark = pytest.mark.slow

RATIO = 'sum(rate(http_requests_total{code=~"5.."}[10s])) / sum(rate(http_requests_total[10s]))'
BY_CODE = "sum by (code) (rate(http_requests_total[10s]))"

# For the direct scrape: the same ratio over exactly the two scrapes warroom compared.
STEP_RATIO = 'sum(rate(orders_total{{code=~"5.."}}[{window}])) / sum(rate(orders_total[{window}]))'
STATE_A = {"200": 100_000, "500": 8_000, "503": 2_000}
STATE_B = {"200": 100_037, "500": 8_004, "503": 2_001}  # +42 orders, 5 of them 5xx
STATE_C = {"200": 30, "500": 5, "503": 0}  # the service restarted: a counter reset


@pytest.fixture(scope="module")
def stepped():
    """Counters that move only when a test moves them (see test_direct_scrape_...)."""
    server = SteppedCounters(STATE_A)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory, stepped):
    if PROMETHEUS is None:
        pytest.skip(SKIP_REASON)
    server = MetricsServer()
    traffic = TrafficGenerator(server).start()
    targets = [f"127.0.0.1:{server.port}", f"127.0.0.1:{stepped.port}"]
    prom = PrometheusProcess(tmp_path_factory.mktemp("prometheus"), targets)
    try:
        prom.wait_until_scraped(samples=7)  # enough history for a few range points
        yield prom
    finally:
        prom.stop()
        traffic.stop()
        server.stop()


def collector(client, base_url: str, query: str, at: float, **fields) -> PrometheusErrorRateCollector:
    config = ErrorRate(name="api errors", prometheus=base_url, query=query, **fields)
    return PrometheusErrorRateCollector(config, client, clock=lambda: at)


async def prometheus_says(client, base_url: str, query: str, at: float) -> dict:
    response = await client.get(f"{base_url}/api/v1/query", params={"query": query, "time": f"{at:.3f}"})
    return response.json()["data"]


async def test_ratio_equals_what_prometheus_reports(prometheus, http_client):
    at = time.time() - 2  # in the past, so no scrape can still land before it
    snapshot = await collector(http_client, prometheus.url, RATIO, at, warn=0.05, crit=0.5).collect()
    assert snapshot.error is None
    (row,) = snapshot.data.rows
    direct = await prometheus_says(http_client, prometheus.url, RATIO, at)
    assert row.value == float(direct["result"][0]["value"][1])
    # The traffic is ~1 error (plus a 503 every third tick) in 10-11 requests.
    assert 0.05 < row.value < 0.2
    assert row.level is Level.WARN


async def test_one_row_per_series_with_labels(prometheus, http_client):
    at = time.time() - 2
    snapshot = await collector(http_client, prometheus.url, BY_CODE, at, unit="per_second").collect()
    direct = await prometheus_says(http_client, prometheus.url, BY_CODE, at)
    expected = {f'{{code="{s["metric"]["code"]}"}}': float(s["value"][1]) for s in direct["result"]}
    assert {r.labels: r.value for r in snapshot.data.rows} == expected
    assert set(expected) == {'{code="200"}', '{code="500"}', '{code="503"}'}
    check = PrometheusErrorRateCollector.checks(
        collector(http_client, prometheus.url, BY_CODE, at, unit="per_second"), snapshot
    )[0]
    assert [s["labels"] for s in check.detail["series"]] == sorted(expected)
    assert check.summary.startswith('3 series, highest {code="200"} ')  # all OK: none is "worst"
    json.dumps(check.as_json())


async def test_range_query_gives_the_sparkline(prometheus, http_client):
    at = time.time() - 2
    snapshot = await collector(http_client, prometheus.url, RATIO, at, range="30s").collect()
    (row,) = snapshot.data.rows
    assert len(row.history) >= 3
    assert row.history[-1] == pytest.approx(row.value)


async def test_scalar_nan_and_inf(prometheus, http_client):
    at = time.time() - 2
    for query, check in (
        ("scalar(vector(0.25))", lambda r: r.value == 0.25 and r.level is Level.CRIT),
        ("0/0", lambda r: math.isnan(r.value) and r.note == "NaN" and r.level is Level.UNKNOWN),
        ("1/0", lambda r: math.isinf(r.value) and r.level is Level.CRIT),
    ):
        snapshot = await collector(http_client, prometheus.url, query, at, crit=0.2).collect()
        (row,) = snapshot.data.rows
        assert check(row), (query, row)


async def test_bad_query_and_empty_result_are_rows_not_failures(prometheus, http_client):
    at = time.time() - 2
    bad = await collector(http_client, prometheus.url, "sum(rate(http_requests_total[5m]", at).collect()
    assert bad.error is None and bad.level is Level.UNKNOWN
    (row,) = bad.data.rows
    assert row.note.startswith("bad_data: ")
    assert "parse error" in row.note

    empty = await collector(http_client, prometheus.url, "no_such_metric_anywhere", at).collect()
    assert empty.error is None
    assert [(r.note, r.level) for r in empty.data.rows] == [("no data", Level.UNKNOWN)]


async def prometheus_samples(client, base_url: str, selector: str) -> list[tuple[float, float]]:
    response = await client.get(f"{base_url}/api/v1/query", params={"query": f"{selector}[2m]"})
    (series,) = response.json()["data"]["result"]
    return [(float(t), float(v)) for t, v in series["values"]]


async def until_prometheus_has(client, base_url: str, value: float) -> None:
    """Poll the external Prometheus until it has scraped the new counter values (bounded)."""
    for _ in range(100):
        samples = await prometheus_samples(client, base_url, 'orders_total{code="200"}')
        if samples[-1][1] == value:
            return
        await asyncio.sleep(0.1)  # waiting on another process's 1 s scrape, not on our code
    raise AssertionError(f"prometheus did not scrape orders_total == {value}")


def window_across(samples: list[tuple[float, float]], before: float, after: float) -> tuple[float, str]:
    """Evaluation time and range covering the last sample at `before` and the first at `after`."""
    last_before = max(t for t, v in samples if v == before)
    first_after = min(t for t, v in samples if v == after)
    return first_after, f"{round((first_after - last_before) * 1000) + 200}ms"


async def test_direct_scrape_matches_prometheus_over_the_same_scrapes(prometheus, stepped, http_client):
    """warroom's own delta between two scrapes, and across a reset, is what Prometheus'
    rate() ratio says over the same pair of scrapes."""
    config = ErrorRate(name="orders", metrics_url=stepped.url, counter="orders_total", errors={"code": "5.."},
                       warn=0.05, crit=0.5)
    scraper = MetricsScrapeCollector(config, http_client)
    await until_prometheus_has(http_client, prometheus.url, STATE_A["200"])
    assert (await scraper.collect()).data.rows[0].note == "collecting…"

    stepped.set(STATE_B)
    await until_prometheus_has(http_client, prometheus.url, STATE_B["200"])
    after_step = (await scraper.collect()).data.rows[0]
    stepped.set(STATE_C)
    await until_prometheus_has(http_client, prometheus.url, STATE_C["200"])
    after_reset = (await scraper.collect()).data.rows[0]

    samples = await prometheus_samples(http_client, prometheus.url, 'orders_total{code="200"}')
    for row, before, after, expected in (
        (after_step, STATE_A, STATE_B, 5 / 42),
        (after_reset, STATE_B, STATE_C, 5 / 35),
    ):
        at, window = window_across(samples, before["200"], after["200"])
        query = STEP_RATIO.format(window=window)
        direct = await prometheus_says(http_client, prometheus.url, query, at)
        prometheus_value = float(direct["result"][0]["value"][1])
        assert prometheus_value == pytest.approx(expected, rel=1e-9)
        assert row.value == pytest.approx(prometheus_value, rel=1e-9)
        assert row.level is Level.WARN
        # and the Prometheus-query row shows exactly what Prometheus answers
        (queried,) = (await collector(http_client, prometheus.url, query, at).collect()).data.rows
        assert queried.value == prometheus_value


class _Proxy(BaseHTTPRequestHandler):
    """What sits in front of Prometheus on a bad day: an HTML 502, or Prometheus' JSON 503."""

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/html/"):
            body, status, kind = b"<html>Bad Gateway</html>", 502, "text/html"
        else:
            body = json.dumps({"status": "error", "errorType": "timeout", "error": "query timed out"}).encode()
            status, kind = 503, "application/json"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


async def test_5xx_and_refused(http_client, refused_url):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        html = await collector(http_client, base + "/html", "up", time.time()).collect()
        assert html.error == "HTTP 502 Bad Gateway" and html.level is Level.UNKNOWN
        reported = await collector(http_client, base + "/json", "up", time.time()).collect()
        assert reported.error is None
        assert reported.data.rows[0].note == "HTTP 503 timeout: query timed out"
    finally:
        httpd.shutdown()
        httpd.server_close()
    refused = await collector(http_client, refused_url, "up", time.time()).collect()
    assert refused.error == "connection refused"
    (check,) = PrometheusErrorRateCollector.checks(collector(http_client, refused_url, "up", 0), refused)
    assert check.level is Level.UNKNOWN and check.detail["error"] == "connection refused"
