"""'Kubernetes <cluster> unreachable / back' follow the auto_timeline rules, decided without a screen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.collectors.base import Level, Snapshot
from app.collectors.registry import KUBERNETES
from app.config.timeline import AutoTimelineSettings

T0 = datetime(2026, 3, 14, 9, 0, 0, tzinfo=UTC)


def feed(observer, errors: list[str | None], every: timedelta = timedelta(seconds=5)) -> list[str]:
    said = []
    for i, error in enumerate(errors):
        snapshot = Snapshot("kubernetes", "prod", T0 + i * every, Level.OK, error)
        said.extend(observer.observe(snapshot).observations)
    return said


def observer(**settings):
    return KUBERNETES.observer(AutoTimelineSettings(**settings), UTC)


def test_an_outage_is_said_once_confirmed_and_the_recovery_with_how_long():
    down = "API server unreachable (127.0.0.1:6443): Connection refused"
    said = feed(observer(min_interval=timedelta(0)), [None, None, down, down, down, None, None])
    assert said == [
        f"Kubernetes prod unreachable: {down} (since 09:00:10)",
        "Kubernetes prod back (since 09:00:25; unreachable for 15s)",
    ]


def test_one_failed_poll_is_not_news():
    assert feed(observer(min_interval=timedelta(0)), [None, None, "timeout", None, None]) == []


def test_a_flapping_cluster_is_rate_limited():
    said = feed(observer(min_interval=timedelta(minutes=1)), [None, None] + ["down", "down", None, None] * 3)
    assert said == ["Kubernetes prod unreachable: down (since 09:00:10)"]


def test_a_cluster_never_reached_and_a_disabled_timeline_say_nothing():
    assert feed(observer(), ["refused"] * 6 + [None] * 3) == []
    assert feed(observer(enabled=False), [None, None, "down", "down", None, None]) == []
