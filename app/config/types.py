"""Small value types shared by config sections."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, ConfigDict, PlainSerializer, ValidationInfo

# Every config model forbids unknown keys. Field docstrings are for the reader: pydantic's
# use_attribute_docstrings would parse every config module's source at start-up (~80 ms
# of each command that loads the config) to fill descriptions nothing reads.
STRICT = ConfigDict(extra="forbid")

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)")
_CLOCK = re.compile(r"\d+(:[0-5]?\d)+(\.\d*)?")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
# No deadline, cadence or timeout in an incident is longer than a year; beyond this
# timedelta overflows, and infinity or NaN would poison every countdown computed from it.
MAX_DURATION_SECONDS = 366 * 86400


def _bounded(seconds: float, shown: object) -> timedelta:
    if math.isnan(seconds):
        raise ValueError("a duration cannot be NaN (not a number)")
    if math.isinf(seconds) and not isinstance(shown, str):  # "9999…9s" overflows to inf: too long
        raise ValueError("a duration cannot be infinite (use null for none where allowed)")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    if seconds > MAX_DURATION_SECONDS:
        raise ValueError(f"duration {str(shown)[:24]!r} is too long (at most 366d)")
    return timedelta(seconds=seconds)


def parse_duration(value: object) -> timedelta:
    """Parse '90s', '15m', '2h', '1h30m', '500ms' or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a duration like 90s, 15m or 2h")
    if isinstance(value, (int, float)) and not math.isnan(value) and value < 0:
        raise ValueError("a duration cannot be negative")  # the same words as for '-5m'
    if isinstance(value, int) and value > MAX_DURATION_SECONDS:
        raise ValueError(f"duration {str(value)[:24]!r} is too long (at most 366d)")  # float() of a huge int overflows
    if isinstance(value, (int, float)):
        return _bounded(float(value), value)
    if not isinstance(value, str):
        raise ValueError("expected a duration like 90s, 15m or 2h")
    text = value.strip().lower().replace(" ", "")
    if text.startswith("-") and len(text) > 1:
        raise ValueError("a duration cannot be negative")
    if _CLOCK.fullmatch(text):  # the safe YAML loader keeps 1:00 as text rather than 60
        raise ValueError(f"{value[:40]!r} is not a duration: write minutes or hours with a unit, e.g. 1m or 1h")
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return _bounded(float(text), value)
    pos, total = 0, 0.0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text:
        raise ValueError(f"invalid duration {value[:40]!r} (use e.g. 90s, 15m, 2h)")
    return _bounded(total, value)


def format_duration(delta: timedelta) -> str:
    """The inverse of parse_duration, for summaries: 900s -> '15m'."""
    seconds = int(delta.total_seconds())
    if seconds and seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds and seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def _file_duration(value: object, info: ValidationInfo) -> timedelta:
    """In a config file a number needs its unit: `after: 15` meant 15 minutes more often than
    15 seconds. Python callers (tests, the drill) may still pass seconds or a timedelta; the
    loader marks file input with `units_required` in the validation context."""
    context = info.context if isinstance(info.context, dict) else {}
    if (
        context.get("units_required")
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
        and 0 < value < math.inf  # NaN, infinity and negatives have their own messages
    ):
        shown = f"{value:g}"
        raise ValueError(f"{shown} has no unit: write {shown}s, {shown}m or {shown}h")
    return parse_duration(value)


Duration = Annotated[
    timedelta,
    BeforeValidator(_file_duration),
    PlainSerializer(format_duration, return_type=str),
]


def check_zone(value: str, *, local: bool = True) -> str:
    """An IANA time zone name (or 'local', the machine's, where `local`)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if local and value == "local":
        return value
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        hint = "use 'local' or e.g. Europe/Berlin" if local else "an IANA name like America/New_York"
        raise ValueError(f"unknown time zone {value[:60]!r} ({hint})") from None
    return value


def _http_url(value: str) -> str:
    from app.config.urls import check_http_url

    return check_http_url(value)


HttpUrl = Annotated[str, AfterValidator(_http_url)]
"""A URL warroom will request: http:// or https:// only."""


def _one_line(limit: int, what: str):
    def check(value: str) -> str:
        # Names and item texts are shown in one row of a table and become parts of ids and
        # exports: a blank one is a mistake, a control character would reach the terminal.
        text = value.strip()
        if not text:
            raise ValueError(f"{what} cannot be empty")
        if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text):
            raise ValueError(f"{what} must be one line without control characters")
        if len(text) > limit:
            raise ValueError(f"{what} is {len(text)} characters long (at most {limit})")
        return text

    return check


check_name = _one_line(80, "a name")
Name = Annotated[str, AfterValidator(check_name)]
"""A severity, role, phase or escalation contact: one non-blank line of at most 80 characters."""
ItemText = Annotated[str, AfterValidator(_one_line(500, "the text"))]
"""A checklist item: one non-blank line of at most 500 characters."""
Contact = Annotated[str, AfterValidator(_one_line(200, "a contact"))]
"""How to reach a role's holder (a pager, a Slack handle, a URL): one line of at most 200
characters. Shown as typed, never followed or interpreted as markup."""
