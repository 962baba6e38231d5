"""Direct /metrics scraping against a real prometheus_client exposition server."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from app.collectors.base import Level
from app.collectors.error_rates import build
from app.collectors.error_rates.model import format_value
from app.collectors.error_rates.scrape import MetricsScrapeCollector, increases
from app.config import Config
from app.config.error_rates import ErrorRate


def scraper(client, url, *, clock=None, **overrides) -> MetricsScrapeCollector:
    fields = {"name": "api", "metrics_url": url, "counter": "http_requests_total", "errors": {"code": "5.."}}
    fields.update(overrides)
    kwargs = {"monotonic": clock} if clock else {}
    return MetricsScrapeCollector(ErrorRate(**fields), client, **kwargs)


def only_row(snapshot):
    assert snapshot.error is None, snapshot.error
    (row,) = snapshot.data.rows
    return row


async def test_first_scrape_collects_then_ratio_from_deltas(metrics_server, http_client):
    collector = scraper(http_client, metrics_server.url, warn=0.05, crit=0.2)
    metrics_server.metrics.serve("200", 100)
    metrics_server.metrics.serve("500", 50)  # history before we looked must not count

    first = only_row(await collector.collect())
    assert first.note == "collecting…" and first.value is None and first.level is Level.UNKNOWN

    metrics_server.metrics.serve("200", 90)
    metrics_server.metrics.serve("500", 6)
    metrics_server.metrics.serve("503", 4)
    second = only_row(await collector.collect())
    assert second.value == pytest.approx(10 / 100)
    assert second.level is Level.WARN
    assert format_value(second.value, "ratio") == "10%"

    metrics_server.metrics.serve("200", 10)
    metrics_server.metrics.serve("500", 30)
    third = only_row(await collector.collect())
    assert third.value == pytest.approx(30 / 40)
    assert third.level is Level.CRIT
    assert third.history == (pytest.approx(0.1), pytest.approx(0.75))


async def test_counter_reset_counts_the_new_value(metrics_server, http_client):
    collector = scraper(http_client, metrics_server.url)
    metrics_server.metrics.serve("200", 1000)
    metrics_server.metrics.serve("500", 10)
    await collector.collect()

    metrics_server.restart()  # the service restarted: every counter is back near zero
    metrics_server.metrics.serve("200", 15)
    metrics_server.metrics.serve("500", 5)
    row = only_row(await collector.collect())
    # A naive delta would be negative; like rate(), the new values are the increase.
    assert row.value == pytest.approx(5 / 20)


async def test_series_appearing_between_scrapes_counts(metrics_server, http_client):
    collector = scraper(http_client, metrics_server.url)
    metrics_server.metrics.serve("200", 10)
    await collector.collect()  # no 5xx series exists yet
    metrics_server.metrics.serve("200", 8)
    metrics_server.metrics.serve("502", 2)  # first ever 502: the series appears with value 2
    assert only_row(await collector.collect()).value == pytest.approx(2 / 10)


async def test_no_traffic_is_ok_not_an_error(metrics_server, http_client):
    collector = scraper(http_client, metrics_server.url, warn=0.01)
    metrics_server.metrics.serve("200", 3)
    await collector.collect()
    row = only_row(await collector.collect())
    assert row.value is None and row.note == "no requests" and row.level is Level.OK


async def test_percent_unit_and_histogram_count_per_second(metrics_server, http_client):
    percent = scraper(http_client, metrics_server.url, unit="percent", warn=5, crit=50)
    now = [100.0]
    per_second = scraper(
        http_client, metrics_server.url, clock=lambda: now[0], unit="per_second",
        counter="http_request_duration_seconds",  # a histogram: its _count series is used
    )
    metrics_server.metrics.serve("200", 4)
    await percent.collect()
    await per_second.collect()
    metrics_server.metrics.serve("200", 30)
    metrics_server.metrics.serve("500", 10)
    now[0] += 4.0
    p = only_row(await percent.collect())
    s = only_row(await per_second.collect())
    assert p.value == pytest.approx(25.0) and p.level is Level.WARN
    assert format_value(p.value, "percent") == "25%"
    assert s.value == pytest.approx(10 / 4.0)
    assert format_value(s.value, "per_second") == "2.5/s"


def test_increases_handles_resets_new_and_vanished_series():
    a, b, c = (("code", "200"),), (("code", "500"),), (("code", "503"),)
    assert increases({a: 10, b: 5}, {a: 12, b: 2, c: 1}) == {a: 2, b: 2, c: 1}
    assert increases({a: 10, c: 3}, {a: 10}) == {a: 0}


async def test_counter_missing_is_unknown_with_reason(metrics_server, http_client):
    collector = scraper(http_client, metrics_server.url, counter="no_such_requests_total")
    row = only_row(await collector.collect())
    assert row.level is Level.UNKNOWN
    assert row.note == "counter 'no_such_requests_total' not found"


@pytest.mark.parametrize(
    ("path", "timeout", "expected"),
    [
        ("/big", 5, "response too large"),
        ("/hang", 0.5, "timeout"),
        ("/garbage", 5, "cannot parse /metrics"),
        ("/nope", 5, "HTTP 404 Not Found"),
    ],
)
async def test_misbehaving_endpoints_are_named_errors(metrics_server, http_client, path, timeout, expected):
    collector = scraper(http_client, metrics_server.base + path, timeout=timeout)
    snapshot = await collector.collect()
    assert snapshot.level is Level.UNKNOWN
    assert snapshot.error is not None and snapshot.error.startswith(expected), snapshot.error


async def test_refused_port(refused_url, http_client):
    snapshot = await scraper(http_client, refused_url + "/metrics").collect()
    assert snapshot.error == "connection refused"


async def test_failed_scrape_keeps_previous_for_the_next_delta(metrics_server, http_client):
    collector = scraper(http_client, metrics_server.url)
    await collector.collect()
    good_url, collector.url = collector.url, metrics_server.base + "/nope"
    assert (await collector.collect()).error
    collector.url = good_url
    metrics_server.metrics.serve("200", 3)
    metrics_server.metrics.serve("500", 1)
    assert only_row(await collector.collect()).value == pytest.approx(0.25)


async def test_build_and_status_checks(metrics_server):
    config = Config.model_validate({"error_rates": [
        {"name": "a", "metrics_url": metrics_server.url, "counter": "http_requests_total",
         "errors": {"code": "5.."}, "warn": 0.1, "crit": 0.5, "interval": "1s"},
        {"name": "b", "metrics_url": metrics_server.url, "counter": "http_requests", "errors": {"code": "5.."},
         "unit": "percent"},
    ]})
    collectors = build(config)
    assert [c.name for c in collectors] == ["a", "b"]
    assert collectors[0].client is collectors[1].client  # one shared client per build
    metrics_server.metrics.serve("200", 1)
    for c in collectors:
        await c.collect()
    metrics_server.metrics.serve("200", 3)
    metrics_server.metrics.serve("500", 1)
    (check,) = collectors[0].checks(await collectors[0].collect())
    assert check.source == "errors" and check.level is Level.WARN
    assert check.detail == {"value": 0.25, "unit": "ratio", "warn": 0.1, "crit": 0.5}
    assert check.summary == "25% (warn ≥ 10%, crit ≥ 50%)"
    json.dumps(check.as_json())
    # Closing one must not cut the other off (warroom status closes each as it finishes).
    await collectors[0].aclose()
    assert (await collectors[1].collect()).error is None
    await collectors[1].aclose()
    assert collectors[1].client.is_closed


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"name": "x"}, "either 'prometheus'"),
        ({"name": "x", "prometheus": "http://p:9090", "metrics_url": "http://m/metrics"}, "either 'prometheus'"),
        ({"name": "x", "prometheus": "http://p:9090"}, "needs a 'query'"),
        ({"name": "x", "metrics_url": "http://m/metrics", "counter": "c", "errors": {"code": "5.("}}, "invalid regular expression"),
        ({"name": "x", "metrics_url": "m/metrics", "counter": "c"}, "http://"),
        ({"name": "x", "prometheus": "http://p", "query": "up", "warn": 2, "crit": 1}, "'warn' must not be above"),
    ],
)
def test_config_errors_are_clear(entry, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(")):
        ErrorRate(**entry)
