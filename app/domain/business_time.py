"""Deadlines that count only business hours ("next business day" in a runbook)."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from app.config.business_hours import BusinessHours

# A calendar whose every day is a holiday must not loop forever: after this many days
# without an open hour the deadline is counted on the wall clock instead.
MAX_DAYS = 800


def _window(day, hours: BusinessHours, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    if day.weekday() not in hours.weekdays or day in hours.holidays:
        return None
    start = datetime.combine(day, hours.start, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone) if hours.end == time.max else datetime.combine(day, hours.end, tzinfo=zone)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def add_business_time(start: datetime, duration: timedelta, hours: BusinessHours) -> datetime:
    """`start` plus `duration` of working time: outside the hours the clock does not run.
    A duration of 0 outside the hours is due when they next open."""
    zone = ZoneInfo(hours.timezone)
    at = start.astimezone(timezone.utc)
    left = duration
    day = at.astimezone(zone).date()
    for _ in range(MAX_DAYS):
        window = _window(day, hours, zone)
        if window is not None:
            opens, closes = window
            at = max(at, opens)
            if at < closes:
                available = closes - at
                if left <= available:
                    return at + left
                left -= available
                at = closes
        day += timedelta(days=1)
    return start + duration

