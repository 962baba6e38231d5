"""When a level change becomes a timeline observation (pure logic, explicit times)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.collectors.base import Level
from app.collectors.transitions import TransitionTracker, describe_transition, format_age

T0 = datetime(2026, 3, 1, 14, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def feed(tracker, levels, key="api", step=10, start=0):
    out = []
    for i, level in enumerate(levels):
        t = tracker.observe(key, level, at(start + i * step), reason=f"r{i}")
        if t:
            out.append(t)
    return out


def test_baseline_is_silent_and_change_needs_two_results():
    tracker = TransitionTracker(consecutive=2, min_interval=timedelta(0))
    assert feed(tracker, [Level.OK, Level.OK, Level.OK]) == []
    (change,) = feed(tracker, [Level.CRIT, Level.CRIT, Level.CRIT], start=30)
    assert (change.previous, change.level) == (Level.OK, Level.CRIT)
    assert change.since == at(30)  # since the first CRIT result, not the confirming one


def test_single_blip_is_not_news():
    tracker = TransitionTracker(consecutive=2, min_interval=timedelta(0))
    assert feed(tracker, [Level.OK, Level.OK, Level.CRIT, Level.OK, Level.CRIT, Level.OK]) == []


def test_rate_limit_holds_back_then_reports_the_net_change():
    tracker = TransitionTracker(consecutive=1, min_interval=timedelta(seconds=60))
    feed(tracker, [Level.OK])
    (first,) = feed(tracker, [Level.CRIT], start=10)
    # back to OK 10 s later: held back by the per-check limit ...
    assert feed(tracker, [Level.OK, Level.OK], start=20) == []
    # ... and reported once the limit allows
    (recovery,) = feed(tracker, [Level.OK], start=80)
    assert (recovery.previous, recovery.level, recovery.since) == (Level.CRIT, Level.OK, at(20))


def test_flap_inside_rate_limit_reports_nothing():
    tracker = TransitionTracker(consecutive=1, min_interval=timedelta(seconds=60))
    feed(tracker, [Level.OK])
    feed(tracker, [Level.CRIT], start=10)
    assert feed(tracker, [Level.OK, Level.CRIT, Level.CRIT], start=20) == []
    assert feed(tracker, [Level.CRIT], start=100) == []  # net: still CRIT, already reported


def test_global_limit_across_checks():
    tracker = TransitionTracker(consecutive=1, min_interval=timedelta(0), max_per_minute=3)
    for n in range(5):
        tracker.observe(f"c{n}", Level.OK, at(0))
    reported = [tracker.observe(f"c{n}", Level.CRIT, at(1)) for n in range(5)]
    assert sum(1 for t in reported if t) == 3
    later = [tracker.observe(f"c{n}", Level.CRIT, at(61)) for n in range(5)]
    assert sum(1 for t in later if t) == 2


def test_describe():
    tracker = TransitionTracker(consecutive=1, min_interval=timedelta(0))
    tracker.observe("api", Level.OK, at(0), "200 OK in 5 ms")
    down = tracker.observe("api", Level.CRIT, at(131), "503 Service Unavailable")
    assert describe_transition("api /health", down, UTC) == "api /health CRIT: 503 Service Unavailable (since 14:02:11)"
    up = tracker.observe("api", Level.OK, at(311), "200 OK in 4 ms")
    assert describe_transition("api", up, UTC) == "api OK: 200 OK in 4 ms (since 14:05:11; was CRIT for 3m)"


def test_format_age():
    assert [format_age(timedelta(seconds=s)) for s in (5, 180, 3600, 4380, 90000)] == ["5s", "3m", "1h", "1h13m", "1d1h"]
