"""Stored times are UTC ISO 8601; these keep the format in one place."""

from __future__ import annotations

from datetime import UTC, datetime


def format_time(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("naive datetime")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def parse_time(text: str | datetime) -> datetime:
    if isinstance(text, datetime):
        return text.astimezone(UTC)
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
