"""When something happened, as a person types it: '14:05', '14:05:30' or ISO 8601."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from app.incident.commands import CommandRejected


def parse_when(text: str, tz: tzinfo | None, now: datetime) -> datetime:
    """HH:MM[:SS] is the most recent such time in the zone (so '23:50' typed at 00:10 is
    yesterday); ISO 8601 without a zone is in the zone too. Returns UTC."""
    text = text.strip()
    local_now = now.astimezone(tz)
    for fmt in ("%H:%M", "%H:%M:%S"):
        try:
            clock = datetime.strptime(text, fmt).time()
        except ValueError:
            continue
        at = datetime.combine(local_now.date(), clock, tzinfo=local_now.tzinfo)
        if at > local_now + timedelta(minutes=1):
            at -= timedelta(days=1)
        return at.astimezone(UTC)
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CommandRejected(f"cannot read {text!r} (use HH:MM, HH:MM:SS or 2026-03-02T14:05:00Z)", field="at") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=local_now.tzinfo)
    return at.astimezone(UTC)
