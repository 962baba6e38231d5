"""Business hours: the weekly calendar that "next business day" deadlines count in.

Runbooks give the lowest severities deadlines such as "Response time: next business day".
A severity with `clock: business` counts all its timers (respond, update cadence,
escalation steps) in these hours only: with 09:00-17:00, 8h from Friday 16:00 is Monday 16:00.
"""

from __future__ import annotations

import re
from datetime import date, time

from pydantic import BaseModel, Field, field_validator, model_validator

from app.config.types import STRICT, check_zone

DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)|24:00")


def parse_clock_time(value: object) -> time:
    """'09:00' or '9:00' (YAML keeps both as text); '24:00' is the end of the day."""
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not _TIME.fullmatch(value.strip()):
        raise ValueError(f"expected a time of day like '09:00' or '17:30' (got {str(value)[:40]!r})")
    text = value.strip()
    if text == "24:00":
        return time.max
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


class BusinessHours(BaseModel):
    model_config = STRICT

    timezone: str
    """IANA time zone the hours are in, e.g. America/New_York (never 'local': a team's
    hours do not move with the laptop of whoever opens the incident)."""
    days: list[str] = Field(default_factory=lambda: DAY_NAMES[:5])
    """Working days: mon, tue, wed, thu, fri, sat, sun (default mon-fri)."""
    start: time = time(9, 0)
    """When the working day starts, e.g. '09:00'."""
    end: time = time(17, 0)
    """When it ends, e.g. '17:30' ('24:00' for midnight)."""
    holidays: list[date] = Field(default_factory=list, max_length=1000)
    """Dates with no business hours, e.g. [2026-12-25, 2027-01-01]."""

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_zone(value, local=False)

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value: object) -> list[str]:
        if not isinstance(value, list) or not value:
            raise ValueError("expected a list of days like [mon, tue, wed, thu, fri]")
        days: list[str] = []
        for day in value:
            name = str(day).strip().lower()[:3] if isinstance(day, str) else ""
            if name not in DAY_NAMES or len(str(day).strip()) > 9:
                raise ValueError(f"unknown day {str(day)[:20]!r} (use mon, tue, wed, thu, fri, sat, sun)")
            if name in days:
                raise ValueError(f"{name} is listed twice")
            days.append(name)
        return days

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock(cls, value: object) -> time:
        return parse_clock_time(value)

    @model_validator(mode="after")
    def _order(self) -> BusinessHours:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end:%H:%M}) must be after start ({self.start:%H:%M}); hours across midnight are not supported")
        return self

    @property
    def weekdays(self) -> set[int]:
        return {DAY_NAMES.index(day) for day in self.days}

    def describe(self) -> str:
        end = "24:00" if self.end == time.max else f"{self.end:%H:%M}"
        count = len(self.holidays)
        holidays = f", {count} holiday{'' if count == 1 else 's'}" if count else ""
        return f"{','.join(self.days)} {self.start:%H:%M}-{end} {self.timezone}{holidays}"
