"""Our Prometheus collector against a real Prometheus scraping a real /metrics server.

The value we show must be what Prometheus itself answers for the same expression at the
same evaluation time.
"""

from __future__ import annotations

import json
import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from app.collectors.base import Level
from app.collectors.prometheus_api import PrometheusErrorRateCollector
from app.config.error_rates import ErrorRate
from tests.error_rates.metrics_server import MetricsServer, TrafficGenerator
from tests.error_rates.prometheus_process import PROMETHEUS, SKIP_REASON, PrometheusProcess

pytestmark = pytest.mark.slow

RATIO = 'sum(rate(http_requests_total{code=~"5.."}[10s])) / sum(rate(http_requests_total[10s]))'
BY_CODE = "sum by (code) (rate(http_requests_total[10s]))"


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    if PROMETHEUS is None:
        pytest.skip(SKIP_REASON)
    server = MetricsServer()
    traffic = TrafficGenerator(server).start()
    prom = PrometheusProcess(tmp_path_factory.mktemp("prometheus"), f"127.0.0.1:{server.port}")
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
