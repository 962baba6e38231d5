"""PostgreSQL's events as text and back: the append statement, the columns read, and the
conversion of rows into StoredEvents (the store's behaviour is in app/store/postgres.py)."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from app.domain.events import EventType, StoredEvent
from app.domain.text import clean_data, one_line
from app.errors import StoreError

# One statement, so one round trip, and in autocommit its own transaction: a retry finds its
# first attempt (held); otherwise bumping last_seq locks the incident row until the event is
# in, and the NOTIFY goes out with the COMMIT. If a retry of the same id commits between our
# snapshot and our INSERT, the unique index fails the whole statement, bump included.
APPEND = """
WITH held AS (
    SELECT seq, incident_id, type, at, actor, data, coalesce(event_id, '') AS event_id
    FROM {s}.events WHERE event_id = %(event_id)s AND %(event_id)s <> ''
), bumped AS (
    UPDATE {s}.incidents SET last_seq = last_seq + 1 {summary}
    WHERE id = %(incident)s AND NOT EXISTS (SELECT 1 FROM held) RETURNING last_seq
), stored AS (
    INSERT INTO {s}.events (incident_id, seq, event_id, type, at, actor, data)
    SELECT %(incident)s, last_seq, nullif(%(event_id)s, ''), %(type)s, %(at)s, %(actor)s, %(data)s FROM bumped
    RETURNING seq
)
SELECT EXISTS (SELECT 1 FROM {s}.incidents WHERE id = %(incident)s),
       (SELECT seq FROM stored),
       (SELECT pg_notify(%(channel)s, json_build_object('incident', %(incident)s::text, 'seq', seq)::text) FROM stored),
       held.*
FROM (SELECT 1) AS one LEFT JOIN held ON true
"""
EVENT_COLUMNS = "seq, incident_id, type, at, actor, data, coalesce(event_id, '')"
EVENT_COLUMNS_V1 = "seq, incident_id, type, at, actor, data, ''"


def as_text(value: str) -> str:
    # PostgreSQL text cannot hold NUL; the event's JSON payload escapes it, a bare column cannot.
    return value.replace("\x00", "\ufffd")


def as_json_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def row_to_event(row: tuple[Any, ...]) -> StoredEvent:
    seq, incident_id, etype, at, actor, data, event_id = row
    try:
        kind, payload = EventType(etype), json.loads(data)
    except ValueError:
        raise StoreError(f"event #{seq} of {one_line(str(incident_id))} is not one warroom wrote (type or data unreadable)") from None
    # Another client may have written control characters: they never leave the store raw.
    return StoredEvent(int(seq), incident_id, kind, at.astimezone(UTC), one_line(actor), clean_data(payload), one_line(event_id or ""))
