"""Automatic timeline lines for alert groups (the shared rules), `warroom status --only
alerts` through the real CLI, and the `alertmanager:` config section."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.collectors.alertmanager.model import Alert, AlertsData, group_alerts
from app.collectors.base import Level, Snapshot
from app.collectors.registry import ALERTS, observer_for
from app.config import Config
from app.config.alertmanager import Matcher, parse_matchers
from app.errors import ConfigError
from app.config.loader import load_config
from tests.alerts.scenario import dozen_alerts

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def alert(name: str, level: Level, started: datetime, **labels: str) -> Alert:
    return Alert(f"{name}{labels}", {"alertname": name, **labels}, {"summary": f"{name} is bad"}, started, None, "",
                 "active", (), (), (), level, level.word.lower())


def snap(at: datetime, *alerts: Alert, quiet: dict[str, int] | None = None, error: str | None = None) -> Snapshot[AlertsData]:
    data = None if error else AlertsData("http://am", group_alerts(alerts), quiet=quiet or {})
    return Snapshot("alerts", "prod", at, Level.OK, error, data)


def test_new_groups_and_resolved_groups_become_observations_under_the_shared_rules():
    config = Config.model_validate({"timezone": "UTC", "auto_timeline": {"consecutive": 2, "min_interval": "0s"}})
    observer = observer_for(ALERTS, config)
    old = alert("DiskAlmostFull", Level.WARN, T0 - timedelta(hours=2))
    said: list[str] = []
    for i in range(3):  # firing when warroom starts: the baseline, not news
        said += observer.observe(snap(T0 + timedelta(seconds=i), old)).observations
    assert said == []
    new = alert("HighErrorRate", Level.CRIT, T0 + timedelta(seconds=3), instance="api-1")
    said += observer.observe(snap(T0 + timedelta(seconds=3), old, new)).observations
    assert said == []  # one refresh is not news yet
    said += observer.observe(snap(T0 + timedelta(seconds=4), old, new)).observations
    assert said == ["Alertmanager prod: HighErrorRate firing CRIT: 1 alert: HighErrorRate is bad (since 10:00:03)"]
    said.clear()
    observer.observe(snap(T0 + timedelta(seconds=5), error="connection refused"))  # says nothing about alerts
    for i in (6, 7):
        said += observer.observe(snap(T0 + timedelta(seconds=i), new)).observations
    assert said == ["Alertmanager prod: DiskAlmostFull resolved (since 10:00:06; was WARN for 2h)"]
    said.clear()
    for i in (8, 9):
        said += observer.observe(snap(T0 + timedelta(seconds=i), quiet={"HighErrorRate": 1})).observations
    assert said == ["Alertmanager prod: HighErrorRate silenced or inhibited (since 10:00:08; was CRIT for 5s)"]


def warroom(tmp_path: Path, config: str, *args: str) -> subprocess.CompletedProcess:
    path = tmp_path / "warroom.yaml"
    path.write_text(config, encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "AM_TOKEN": "s3cret-token"}
    return subprocess.run([sys.executable, "-m", "app", *args, "--config", str(path)] if args[0] == "check-config" else
                          [sys.executable, "-m", "app", "status", "--config", str(path), *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


def test_status_only_alerts_exits_2_while_a_critical_alert_fires(tmp_path, alertmanager):
    alertmanager.push(*dozen_alerts())
    config = f"alertmanager:\n  - name: prod\n    url: {alertmanager.url}\n    headers: {{Authorization: 'Bearer ${{AM_TOKEN}}'}}\n"
    text = warroom(tmp_path, config, "--only", "alerts")
    assert text.returncode == 2, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].split() [:4] == ["✖", "CRIT", "alerts", "prod/HighErrorRate"]
    assert lines[-1] == "✖ overall: CRIT (2 CRIT, 1 WARN, 1 OK)"
    document = json.loads(warroom(tmp_path, config, "--only", "alerts", "--json").stdout)
    first = document["checks"][0]
    assert first["source"] == "alerts" and first["level"] == "crit"
    assert {k: first["detail"][k] for k in ("alertname", "count", "severity", "summary")} == {
        "alertname": "HighErrorRate", "count": 4, "severity": "critical", "summary": "5xx ratio above 5%"}
    assert first["detail"]["labels"] == {"alertname": "HighErrorRate", "severity": "critical", "job": "api"}
    assert first["detail"]["since"].endswith("Z")
    assert "s3cret-token" not in json.dumps(document)


def test_status_only_alerts_says_unknown_when_alertmanager_is_down(tmp_path):
    from tests.alerts.alertmanager_process import free_port

    config = f"alertmanager:\n  - name: prod\n    url: http://127.0.0.1:{free_port()}\n    timeout: 1s\n"
    result = warroom(tmp_path, config, "--only", "alerts")
    assert result.returncode == 3
    assert "connection refused" in result.stdout


@pytest.mark.parametrize(("text", "expected"), [
    ('team="payments"', [Matcher("team", "payments")]),
    ('{env!=dev, instance=~"db-.*"}', [Matcher("env", "dev", False, False), Matcher("instance", "db-.*", True, True)]),
    ('job!~"x|y",a="q\\"uote"', [Matcher("job", "x|y", True, False), Matcher("a", 'q"uote')]),
    ('pod="a\\x1b[2Jb\\nc"', [Matcher("pod", "a\x1b[2Jb\nc")]),  # controls written escaped, read back exactly
])
def test_matchers_read_as_amtool_writes_them(text, expected):
    assert parse_matchers(text) == expected
    assert parse_matchers(", ".join(map(str, expected))) == expected  # what the form shows reads back the same


@pytest.mark.parametrize(("entry", "message"), [
    ({"filter": ["team=payments oops"]}, "expected ','"),
    ({"filter": ['instance=~"("']}, "invalid regular expression"),
    ({"url": "ftp://am"}, "http://"),
    ({"headers": {"Authorization": "a\nb"}}, "line break"),
    ({"severities": {"critical": "FATAL"}}, "severities"),
    ({"silence_duration": "10s"}, "at least 1m"),
])
def test_bad_alertmanager_config_is_one_clear_message(tmp_path, entry, message):
    import yaml

    path = tmp_path / "warroom.yaml"
    path.write_text(yaml.safe_dump({"alertmanager": [{"name": "prod", "url": "http://am:9093", **entry}]}))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in str(caught.value) and "alertmanager" in str(caught.value)
