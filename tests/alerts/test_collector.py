"""AlertmanagerCollector against a real Alertmanager: grouping, severities, filters,
silenced and inhibited alerts, silences, `warroom status` lines, an Alertmanager stopped
and started again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.collectors.alertmanager import AlertmanagerCollector
from app.collectors.alertmanager.model import compact_labels, matchers_for_group
from app.collectors.base import Level
from app.config.alertmanager import AlertmanagerTarget, Matcher
from tests.alerts.scenario import dozen_alerts


def collector(url: str, **extra) -> AlertmanagerCollector:
    return AlertmanagerCollector(AlertmanagerTarget.model_validate({"name": "prod", "url": url, "timeout": "2s", **extra}))


async def test_a_dozen_alerts_in_four_groups_worst_then_longest_firing_first(alertmanager):
    alertmanager.push(*dozen_alerts())
    am = collector(alertmanager.url)
    try:
        snapshot = await am.collect()
    finally:
        await am.aclose()
    assert snapshot.error is None and snapshot.level is Level.CRIT
    data = snapshot.data
    assert data is not None and data.version  # from /api/v2/status
    assert [(g.alertname, g.level, len(g.alerts)) for g in data.groups] == [
        ("HighErrorRate", Level.CRIT, 4),  # 12 minutes: older than the crash loop, so first
        ("PodCrashLooping", Level.CRIT, 3),
        ("DiskAlmostFull", Level.WARN, 3),
        ("CertExpiringSoon", Level.OK, 2),  # severity info
    ]
    errors = data.groups[0]
    assert errors.common_labels == {"alertname": "HighErrorRate", "severity": "critical", "job": "api"}
    assert compact_labels(errors) == "instance=api-0|api-1|api-2 +1"
    assert errors.summary == "5xx ratio above 5%"
    assert errors.since is not None and datetime.now(UTC) - errors.since > timedelta(minutes=11)
    assert errors.alerts[0].generator_url.startswith("http://prometheus:9090/graph")
    assert data.level_counts() == {Level.CRIT: 2, Level.WARN: 1, Level.OK: 1}


async def test_severity_mapping_is_configurable_and_the_filter_goes_to_alertmanager(alertmanager):
    alertmanager.push(
        {"labels": {"alertname": "A", "severity": "P1", "team": "payments"}},
        {"labels": {"alertname": "B", "severity": "P3", "team": "payments"}},
        {"labels": {"alertname": "C", "team": "payments"}},
        {"labels": {"alertname": "D", "severity": "critical", "team": "search"}},
    )
    am = collector(alertmanager.url, severities={"p1": "CRIT", "p3": "OK"}, default_level="UNKNOWN",
                   filter=['team="payments"'])
    try:
        data = (await am.collect()).data
    finally:
        await am.aclose()
    assert data is not None
    assert {g.alertname: g.level for g in data.groups} == {"A": Level.CRIT, "B": Level.OK, "C": Level.UNKNOWN}


async def test_a_silenced_group_is_hidden_unless_asked_and_never_sets_the_level(alertmanager):
    alertmanager.push(*dozen_alerts())
    writer = collector(alertmanager.url, allow_silences=True)
    shows = collector(alertmanager.url, show_silenced=True)
    try:
        group = next(g for g in (await writer.collect()).data.groups if g.alertname == "PodCrashLooping")  # type: ignore[union-attr]
        created = await writer.create_silence(matchers_for_group(group), timedelta(hours=1), "alice", "INC-1 noise")
        assert created.ok, created.message
        # Alertmanager marks the alerts silenced on its next evaluation.
        for _ in range(100):
            hidden = (await writer.collect()).data
            if hidden is not None and hidden.group("PodCrashLooping") is None:
                break
        assert hidden is not None and hidden.group("PodCrashLooping") is None
        assert hidden.quiet == {"PodCrashLooping": 3}
        assert [s.id for s in hidden.silences] == [created.silence_id]
        shown = (await shows.collect()).data
        assert shown is not None
        quiet = shown.group("PodCrashLooping")
        assert quiet is not None and quiet.suppressed and quiet.level is Level.OK
        assert shown.groups[-1] is quiet  # listed after everything that still fires
        assert all(a.silenced_by == (created.silence_id,) for a in quiet.alerts)
    finally:
        await writer.aclose()
        await shows.aclose()


async def test_silence_create_and_expire_are_seen_by_alertmanager_itself(alertmanager):
    alertmanager.push({"labels": {"alertname": "X", "severity": "warning", "instance": "a"}})
    am = collector(alertmanager.url, allow_silences=True)
    try:
        result = await am.create_silence([Matcher("alertname", "X"), Matcher("instance", "a|b", is_regex=True)],
                                         timedelta(minutes=30), "alice", "INC-7: noisy during the failover")
        assert result.ok, result.message
        [silence] = alertmanager.silences()
        assert silence["id"] == result.silence_id and silence["status"]["state"] == "active"
        assert silence["createdBy"] == "alice" and silence["comment"] == "INC-7: noisy during the failover"
        assert {(m["name"], m["value"], m["isRegex"]) for m in silence["matchers"]} == {("alertname", "X", False), ("instance", "a|b", True)}
        ends = datetime.fromisoformat(silence["endsAt"].replace("Z", "+00:00")) - datetime.fromisoformat(silence["startsAt"].replace("Z", "+00:00"))
        assert timedelta(minutes=29) < ends <= timedelta(minutes=30)

        expired = await am.expire_silence(result.silence_id)
        assert expired.ok, expired.message
        assert alertmanager.silences()[0]["status"]["state"] == "expired"
        unknown = await am.expire_silence("00000000-0000-4000-8000-000000000000")  # Alertmanager's own words, one line
        assert not unknown.ok and unknown.message.startswith("HTTP ") and "\n" not in unknown.message
    finally:
        await am.aclose()


async def test_silences_are_refused_without_allow_silences_or_with_catch_all_matchers(alertmanager):
    read_only = collector(alertmanager.url)
    writer = collector(alertmanager.url, allow_silences=True)
    try:
        refused = await read_only.create_silence([Matcher("alertname", "X")], timedelta(hours=1), "alice", "x")
        assert not refused.ok and "allow_silences" in refused.message
        catch_all = await writer.create_silence([Matcher("alertname", ".*", is_regex=True)], timedelta(hours=1), "alice", "x")
        assert not catch_all.ok and "every alert" in catch_all.message
        assert alertmanager.silences() == []
    finally:
        await read_only.aclose()
        await writer.aclose()


async def test_stopped_alertmanager_is_an_error_snapshot_then_recovers(alertmanager):
    alertmanager.push({"labels": {"alertname": "X", "severity": "critical"}})
    am = collector(alertmanager.url)
    try:
        assert (await am.collect()).error is None
        alertmanager.stop(close_log=False)
        down = await am.collect()
        assert down.level is Level.UNKNOWN and down.error == "connection refused"
        [check] = am.checks(down)
        assert check.level is Level.UNKNOWN and check.summary == "connection refused"
        alertmanager.start()
        back = await am.collect()
        assert back.error is None  # (the alert itself is gone with the restart's memory or kept on disk)
    finally:
        await am.aclose()


async def test_checks_one_per_firing_group_with_the_json_detail(alertmanager):
    alertmanager.push(*dozen_alerts())
    am = collector(alertmanager.url)
    try:
        checks = am.checks(await am.collect())
    finally:
        await am.aclose()
    assert [(c.name, c.level) for c in checks] == [
        ("prod/HighErrorRate", Level.CRIT), ("prod/PodCrashLooping", Level.CRIT),
        ("prod/DiskAlmostFull", Level.WARN), ("prod/CertExpiringSoon", Level.OK),
    ]
    detail = checks[0].as_json()["detail"]
    assert detail["alertname"] == "HighErrorRate" and detail["count"] == 4 and detail["severity"] == "critical"
    assert detail["labels"] == {"alertname": "HighErrorRate", "severity": "critical", "job": "api"}
    assert detail["summary"] == "5xx ratio above 5%" and detail["since"].endswith("Z")
    assert checks[0].summary == "4 firing, critical: 5xx ratio above 5%"


async def test_nothing_firing_is_one_ok_check(alertmanager):
    am = collector(alertmanager.url)
    try:
        [check] = am.checks(await am.collect())
    finally:
        await am.aclose()
    assert check.level is Level.OK and check.summary == "no alerts firing"
