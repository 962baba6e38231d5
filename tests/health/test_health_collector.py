"""The health collector against real servers on 127.0.0.1: each failure is named."""

from __future__ import annotations

import time

import pytest

from app.collectors.base import Level
from app.collectors.health import MAX_BODY, build
from app.config import Config
from tests.health.health_servers import refused_port

ACTUATOR = [{"path": "status", "in": ["UP", "ok", "healthy", "pass"], "warn": ["warn"]}]


async def run_check(**check):
    config = Config.model_validate({"health": [{"name": "api", **check}]})
    (collector,) = build(config)
    try:
        snapshot = await collector.collect()
        return snapshot, collector.checks(snapshot)[0]
    finally:
        await collector.aclose()


async def test_healthy_actuator_json_is_ok(target):
    snapshot, check = await run_check(url=target.url("/ok"), body=ACTUATOR + [{"path": "components.db.status", "in": ["UP"]}])
    assert snapshot.error is None
    assert check.level == Level.OK
    assert check.summary.startswith("200 OK in ")
    assert check.detail["status_code"] == 200
    assert check.detail["error"] is None
    assert check.detail["latency_ms"] >= 0


async def test_plain_healthy_and_health_json_warn(target):
    _, plain = await run_check(url=target.url("/healthy"), body=ACTUATOR)
    assert plain.level == Level.OK
    _, warn = await run_check(url=target.url("/warn"), body=ACTUATOR)
    assert warn.level == Level.WARN
    assert 'status is "warn"' in warn.summary


async def test_503_is_crit_with_status_named_and_not_a_collector_error(target):
    snapshot, check = await run_check(url=target.url("/down"))
    assert snapshot.error is None  # the target failing is data, not a stale pane
    assert snapshot.level == Level.CRIT
    assert check.detail["error"] == "503 Service Unavailable"
    assert check.detail["status_code"] == 503


async def test_expected_status_lists_and_ranges(target):
    _, listed = await run_check(url=target.url("/down"), expect_status=[200, 503])
    assert listed.level == Level.OK
    _, ranged = await run_check(url=target.url("/down"), expect_status=["500-599"])
    assert ranged.level == Level.OK
    _, missing = await run_check(url=target.url("/nope"), expect_status=["2xx", "3xx"])
    assert missing.detail["error"] == "404 Not Found"


async def test_body_condition_failure_names_path_and_value(target):
    target.routes["/partial"] = (200, '{"status":"UP","components":{"db":{"status":"DOWN"}}}', 0)
    _, check = await run_check(url=target.url("/partial"), body=[{"path": "components.db.status", "in": ["UP"]}])
    assert check.level == Level.CRIT
    assert check.detail["error"] == 'body condition failed: components.db.status is "DOWN" (expected UP)'
    _, missing = await run_check(url=target.url("/partial"), body=[{"path": "checks.0.status", "in": ["pass"]}])
    assert missing.detail["error"] == "body condition failed: checks.0.status missing"


async def test_invalid_json(target):
    _, check = await run_check(url=target.url("/badjson"), body=ACTUATOR)
    assert check.level == Level.CRIT
    assert check.detail["error"].startswith("invalid JSON")


async def test_text_contains(target):
    _, good = await run_check(url=target.url("/text"), contains="systems go")
    assert good.level == Level.OK
    _, bad = await run_check(url=target.url("/text"), contains="degraded")
    assert bad.detail["error"] == "body does not contain 'degraded'"


async def test_slower_than_timeout_is_a_timeout(target):
    started = time.monotonic()
    _, check = await run_check(url=target.url("/slow?s=3"), timeout="0.5s")
    assert time.monotonic() - started < 2
    assert check.level == Level.CRIT
    assert check.detail["error"].startswith("timeout")


async def test_hang_is_bounded_by_timeout(target):
    started = time.monotonic()
    _, check = await run_check(url=target.url("/hang"), timeout="0.5s")
    assert time.monotonic() - started < 2
    assert check.detail["error"] == "timeout: no response within 0.5s"


async def test_latency_thresholds(target):
    _, warn = await run_check(url=target.url("/slow?s=0.3"), latency_warn="100ms", latency_crit="2s")
    assert warn.level == Level.WARN
    assert warn.detail["error"].startswith("slow: ")
    _, crit = await run_check(url=target.url("/slow?s=0.3"), latency_warn="50ms", latency_crit="100ms")
    assert crit.level == Level.CRIT
    assert "crit above 100 ms" in crit.detail["error"]


async def test_ten_megabyte_body_is_not_read_whole(target):
    _, plain = await run_check(url=target.url("/big"))
    assert plain.level == Level.OK
    _, conditioned = await run_check(url=target.url("/big"), body=ACTUATOR)
    assert conditioned.level == Level.CRIT
    assert "larger than 1 MiB" in conditioned.detail["error"]
    # The server could not push the whole 10 MB: we stopped reading after 1 MiB.
    assert target.big_sent < 2 * 10 * 1024 * 1024
    assert MAX_BODY == 1024 * 1024


async def test_redirect_loop(target):
    _, check = await run_check(url=target.url("/loop"))
    assert check.detail["error"] == "too many redirects (more than 10)"
    assert target.hits["/loop"] == 11


async def test_redirect_itself_checked_when_not_followed(target):
    # e.g. "http:// must redirect to https://": the 302 is the expected answer.
    _, check = await run_check(url=target.url("/loop"), follow_redirects=False, expect_status=[301, 302])
    assert check.level == Level.OK and check.detail["status_code"] == 302
    assert target.hits["/loop"] == 1
    _, default = await run_check(url=target.url("/loop"), follow_redirects=False)
    assert default.level == Level.CRIT and default.detail["status_code"] == 302


async def test_redirect_followed(target):
    target.routes["/old"] = (200, "", 0)
    _, check = await run_check(url=target.url("/ok"))
    assert check.level == Level.OK


async def test_refused_port():
    _, check = await run_check(url=f"http://127.0.0.1:{refused_port()}/health")
    assert check.level == Level.CRIT
    assert check.detail["error"] == "connection refused"


async def test_unresolvable_host():
    _, check = await run_check(url="http://warroom-test.invalid/health", timeout="3s")
    assert check.level == Level.CRIT
    assert check.detail["error"] == "DNS failure: cannot resolve warroom-test.invalid"


async def test_self_signed_tls_fails_verification_by_default(tls_target):
    _, check = await run_check(url=tls_target.url("/ok"))
    assert check.level == Level.CRIT
    assert check.detail["error"].startswith("TLS error: ")
    assert "self-signed" in check.detail["error"] or "certificate" in check.detail["error"]


async def test_self_signed_tls_with_verify_false_or_ca_file(tls_target, cert_pair):
    _, insecure = await run_check(url=tls_target.url("/ok"), verify=False)
    assert insecure.level == Level.OK
    _, pinned = await run_check(url=tls_target.url("/ok"), verify=str(cert_pair[0]))
    assert pinned.level == Level.OK


async def test_missing_ca_file_is_a_collector_error_not_a_crit(tls_target, tmp_path):
    snapshot, check = await run_check(url=tls_target.url("/ok"), verify=str(tmp_path / "nope.pem"))
    assert snapshot.error is not None and "CA file" in snapshot.error
    assert check.level == Level.UNKNOWN


async def test_credentials_in_url_are_not_shown(target):
    url = target.url("/ok").replace("http://", "http://user:s3cret@")
    _, check = await run_check(url=url)
    assert "s3cret" not in check.detail["url"]


async def test_headers_are_sent(target):
    target.routes["/auth"] = (200, "{}", 0)
    _, check = await run_check(url=target.url("/auth"), headers={"Authorization": "Bearer x"})
    assert check.level == Level.OK


def test_config_rejects_bad_status_spec():
    with pytest.raises(ValueError, match="invalid status"):
        Config.model_validate({"health": [{"name": "a", "url": "http://x/", "expect_status": ["2xy"]}]})
    with pytest.raises(ValueError, match="latency_warn"):
        Config.model_validate({"health": [{"name": "a", "url": "http://x/", "latency_warn": "2s", "latency_crit": "1s"}]})


async def test_latency_is_not_inflated_by_a_busy_ui_loop(target):
    # The dashboard's loop is sometimes busy for a while (a resize, a long redraw). An
    # answer arriving meanwhile must be timed as the target gave it, not when the loop
    # got round to it: a 2 ms endpoint once read 170 ms after a resize.
    import asyncio

    config = Config.model_validate({"health": [{"name": "api", "url": target.url("/slow?s=0.05")}]})
    (collector,) = build(config)
    try:
        task = asyncio.create_task(collector.collect())
        for _ in range(5000):  # until the request is at the server (bounded)
            if target.hits.get("/slow"):
                break
            await asyncio.sleep(0.001)
        busy_until = time.perf_counter() + 0.4
        while time.perf_counter() < busy_until:  # this loop is busy drawing, say
            pass
        snapshot = await task
    finally:
        await collector.aclose()
    assert snapshot.level is Level.OK
    assert 50 <= snapshot.data.latency_ms < 250, snapshot.data.latency_ms
