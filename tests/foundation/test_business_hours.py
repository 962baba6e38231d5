"""'Response time: next business day': severities on the business clock count only the
team's working hours, in the team's time zone, around weekends, holidays and DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.config import Config
from app.config.business_hours import BusinessHours
from app.domain.business_time import add_business_time
from app.domain.events import EventType, StoredEvent
from app.domain.incident import fold
from app.domain.timers import incident_countdowns

NY = ZoneInfo("America/New_York")
HOURS = BusinessHours(timezone="America/New_York", holidays=["2026-12-25"])  # mon-fri 09:00-17:00


def ny(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.mark.parametrize(
    "start, duration, due",
    [
        (ny(2026, 3, 2, 10, 0), timedelta(hours=2), ny(2026, 3, 2, 12, 0)),          # Monday, inside
        (ny(2026, 3, 2, 16, 0), timedelta(hours=8), ny(2026, 3, 3, 16, 0)),          # 1h today, 7h tomorrow
        (ny(2026, 3, 6, 16, 0), timedelta(hours=8), ny(2026, 3, 9, 16, 0)),          # Friday -> Monday
        (ny(2026, 3, 7, 3, 0), timedelta(hours=1), ny(2026, 3, 9, 10, 0)),           # Saturday night
        (ny(2026, 3, 2, 20, 0), timedelta(0), ny(2026, 3, 3, 9, 0)),                 # 0 outside hours: at opening
        (ny(2026, 3, 2, 17, 0), timedelta(minutes=1), ny(2026, 3, 3, 9, 1)),         # at closing time
        (ny(2026, 12, 24, 16, 30), timedelta(hours=1), ny(2026, 12, 28, 9, 30)),     # Christmas, then a weekend
        (ny(2026, 3, 6, 16, 0), timedelta(hours=2), ny(2026, 3, 9, 10, 0)),          # over the DST weekend (8 March)
    ],
)
def test_deadlines_count_only_business_hours(start, duration, due):
    assert add_business_time(start.astimezone(UTC), duration, HOURS) == due.astimezone(UTC)


def test_midnight_end_and_weekend_days():
    always = BusinessHours(timezone="UTC", days=["sat", "sun"], start="00:00", end="24:00")
    start = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)  # a Friday
    assert add_business_time(start, timedelta(hours=30), always) == datetime(2026, 3, 8, 6, 0, tzinfo=UTC)


def test_a_calendar_without_open_days_falls_back_to_the_wall_clock():
    hours = BusinessHours(timezone="UTC", days=["sun"], holidays=[f"2026-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)] + ["2027-01-03"])
    start = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    due = add_business_time(start, timedelta(hours=1), hours)
    assert due > start  # never loops forever, never earlier than the start


def test_a_business_clock_severity_shows_next_business_day_in_its_countdown():
    config = Config.model_validate(
        {
            "operator": "a",
            "incident": {"business_hours": {"timezone": "America/New_York", "start": "9:00", "end": "17:00"}},
            "severities": [{"name": "SEV4", "respond_within": "8h", "clock": "business"}, {"name": "SEV1", "respond_within": "8h"}],
        },
        context={"units_required": True},
    )
    opened = ny(2026, 3, 6, 16, 0).astimezone(UTC)  # Friday 16:00 in New York
    for severity, due in (("SEV4", ny(2026, 3, 9, 16, 0)), ("SEV1", ny(2026, 3, 7, 0, 0))):
        event = StoredEvent(1, "INC-1", EventType.OPENED, opened, "a", {"title": "t", "severity": severity, "status": "investigating"})
        ack = next(c for c in incident_countdowns(config, fold("INC-1", [event]), opened) if c.key == "ack")
        assert ack.due_at == due.astimezone(UTC), severity


@pytest.mark.parametrize(
    "text, expected",
    [
        ("severities: [{name: P4, clock: business}]", "severities[0].clock: 'business' needs incident.business_hours"),
        ("incident: {business_hours: {timezone: local}}", "incident.business_hours.timezone: unknown time zone 'local'"),
        ("incident: {business_hours: {timezone: UTC, start: '17:00', end: '09:00'}}", "incident.business_hours: end (09:00) must be after start (17:00)"),
        ("incident: {business_hours: {timezone: UTC, start: 9}}", "incident.business_hours.start: expected a time of day like '09:00'"),
        ("incident: {business_hours: {timezone: UTC, end: '25:00'}}", "incident.business_hours.end: expected a time of day"),
        ("incident: {business_hours: {timezone: UTC, days: [funday]}}", "incident.business_hours.days: unknown day 'funday'"),
        ("incident: {business_hours: {timezone: UTC, days: [mon, Monday]}}", "incident.business_hours.days: mon is listed twice"),
        ("severities: [{name: P1, escalation: [{after: 5m, to: X, unless: progress}]}]", "severities[0].escalation[0].unless: expected one of mitigated, acknowledged, resolved or {progress_within: 15m}"),
        ("severities: [{name: P1, escalation: [{after: 5m, to: X, unless: {progress_within: 15}}]}]", "severities[0].escalation[0].unless.progress_within: 15 has no unit"),
        ("severities: [{name: P1, escalation: [{after: 5m, to: X, unless: {progress_within: .inf}}]}]", "severities[0].escalation[0].unless.progress_within: a duration cannot be infinite"),
        ("severities: [{name: P1, escalation: [{after: 5m, to: X, unless: {progress_within: 0s}}]}]", "severities[0].escalation[0].unless: progress_within must be longer than 0"),
        ("severities: [{name: P1, escalation: [{after: 5m, to: X, from: closed}]}]", "severities[0].escalation[0].from: Input should be 'severity_set' or 'opened'"),
        ("severities: [{name: P1, escalation: [{after: 30m, to: X, from: opened}, {after: 5m, to: Y, from: opened}]}]", "ascending order of 'after' (among those `from: opened`)"),
    ],
)
def test_typos_in_the_new_keys_are_one_line_naming_the_key(tmp_path, text, expected):
    from app.config import ConfigError, load_config

    path = tmp_path / "warroom.yaml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message and expected in message, message


def test_steps_counted_from_different_bases_need_not_be_in_one_order(tmp_path):
    from app.config import load_config

    path = tmp_path / "warroom.yaml"
    path.write_text("severities: [{name: P1, escalation: [{after: 30m, to: X}, {after: 5m, to: Y, unless: acknowledged, from: opened}]}]\n")
    assert [s.to for s in load_config(path).severities[0].escalation] == ["X", "Y"]
