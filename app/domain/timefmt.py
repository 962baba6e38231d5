"""How times and durations read in updates and exports: UTC first, local zone beside it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo


def utc_iso(at: datetime | None) -> str | None:
    """Machine form for YAML/JSON: 2026-03-01T10:00:00Z (whole seconds)."""
    if at is None:
        return None
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _zone_name(local: datetime) -> str:
    return local.tzname() or local.strftime("%z")


def dual(at: datetime, tz: tzinfo | None, *, date: bool = True) -> str:
    """'2026-03-01 10:00:00 UTC (11:00:00 CET)'; the bracket is left out when the zone is UTC.

    `tz=None` means the machine's local zone, as Config.tzinfo() returns for 'local'.
    """
    utc = at.astimezone(UTC)
    local = at.astimezone(tz)
    fmt = "%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S"
    text = f"{utc.strftime(fmt)} UTC"
    if local.utcoffset() == timedelta(0) and _zone_name(local) in ("UTC", "GMT", "+0000", "Z"):
        return text
    local_fmt = fmt if local.date() != utc.date() else "%H:%M:%S"
    return f"{text} ({local.strftime(local_fmt)} {_zone_name(local)})"


def short_dual(at: datetime, tz: tzinfo | None) -> str:
    """'10:45 UTC (11:45 CET)' for message text, where seconds are noise."""
    utc = at.astimezone(UTC)
    local = at.astimezone(tz)
    text = f"{utc.strftime('%H:%M')} UTC"
    if local.utcoffset() == timedelta(0) and _zone_name(local) in ("UTC", "GMT", "+0000", "Z"):
        return text
    return f"{text} ({local.strftime('%H:%M')} {_zone_name(local)})"


def human_duration(delta: timedelta | None) -> str:
    """'1h 05m', '12m 30s', '45s'; negative durations (bad corrections) keep their sign."""
    if delta is None:
        return "-"
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours:02d}h {minutes:02d}m"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s"
    return f"{sign}{secs}s"
