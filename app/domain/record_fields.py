"""Values of the incident record's own fields, checked by their configured type."""

from __future__ import annotations

import math
import re
from typing import Any

from app.config.fields import RecordField
from app.config.types import format_duration, parse_duration
from app.domain.text import one_line

MAX_TEXT = 500
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def parse_value(field: RecordField, raw: str) -> Any:
    """The value to store for what was typed; ValueError says why not in one line.
    Text stays text, a number becomes an int or float, a duration its '45m' form, a
    choice the configured spelling. Empty clears the field (None)."""
    text = one_line(raw).strip()
    if not text:
        return None
    if field.type == "text":
        if len(text) > MAX_TEXT:
            raise ValueError(f"{field.shown} is {len(text)} characters long (at most {MAX_TEXT})")
        return text
    if field.type == "number":
        plain = text.replace(",", "").replace("_", "").replace(" ", "")
        if not _NUMBER.fullmatch(plain):
            raise ValueError(f"{field.shown} takes a number, e.g. 1200 or 3.5 (got {text[:40]!r})")
        number = float(plain)
        if not math.isfinite(number) or abs(number) > 1e15:
            raise ValueError(f"{field.shown}: {text[:40]!r} is out of range")
        return int(number) if number.is_integer() and "." not in plain and "e" not in plain.lower() else number
    if field.type == "duration":
        try:
            return format_duration(parse_duration(text))
        except ValueError as exc:
            raise ValueError(f"{field.shown}: {exc}") from None
    match = next((c for c in field.choices if c.casefold() == text.casefold()), None)
    if match is None:
        raise ValueError(f"{field.shown} is one of {', '.join(field.choices)} (got {text[:40]!r})")
    return match


def shown_value(value: Any) -> str:
    return "-" if value is None else str(value)
