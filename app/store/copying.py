"""What both stores do the same way: deciding which copied events are new, and the incident
number a copied id implies. Kept apart so SQLite and PostgreSQL cannot drift."""

from __future__ import annotations

import re

from app.domain.events import EventType, StoredEvent
from app.errors import StoreError
from app.store.base import SUMMARY_FIELDS, IncidentSummary

_TRAILING_NUMBER = re.compile(r"(\d+)\D*$")


def same_event(a: StoredEvent, b: StoredEvent) -> bool:
    """One event seen through two stores. Ids decide when both sides have one; events written
    before ids existed are compared by content."""
    if a.seq != b.seq or a.incident_id != b.incident_id:
        return False
    if a.id and b.id:
        return a.id == b.id
    return (a.type, a.at, a.actor, a.data) == (b.type, b.at, b.actor, b.data)


def missing_events(summary: IncidentSummary, incoming: list[StoredEvent], existing: list[StoredEvent]) -> list[StoredEvent]:
    """The incoming events this store lacks, in seq order. StoreError (and nothing is to be
    written) when the two stores disagree about any event: a different incident that happens
    to have the same id must never be merged into this one."""
    where = f"{summary.id}: refusing to copy"
    seqs = [e.seq for e in incoming]
    if any(e.incident_id != summary.id for e in incoming):
        raise StoreError(f"{where}: some events belong to another incident")
    if len(set(seqs)) != len(seqs) or any(s < 1 for s in seqs):
        raise StoreError(f"{where}: the source has duplicate or invalid sequence numbers")
    by_seq = {e.seq: e for e in existing}
    by_id = {e.id: e for e in existing if e.id}
    new: list[StoredEvent] = []
    for event in sorted(incoming, key=lambda e: e.seq):
        held = by_seq.get(event.seq)
        if held is not None:
            if not same_event(held, event):
                raise StoreError(f"{where}: this store already holds a different incident (or a different event #{event.seq}) with that id")
            continue
        if event.id and event.id in by_id:
            raise StoreError(f"{where}: event {event.id} is already stored here as #{by_id[event.id].seq}")
        new.append(event)
    return new


def summary_after(summary: IncidentSummary, events: list[StoredEvent]) -> dict[str, str]:
    """title/severity/status as the events leave them (the same columns `append` keeps)."""
    columns = {"title": summary.title, "severity": summary.severity, "status": summary.status}
    for event in sorted(events, key=lambda e: e.seq):
        if event.type is EventType.OPENED:
            for key in ("title", "severity"):
                if key in event.data:
                    columns[key] = str(event.data[key])
        column = SUMMARY_FIELDS.get(event.type)
        if column and column in event.data:
            columns[column] = str(event.data[column])
    return columns


def number_in_id(incident_id: str) -> int | None:
    """The per-year counter an id like INC-2026-007 carries, so ids opened later in the
    store that receives a copy do not start again at 001."""
    match = _TRAILING_NUMBER.search(incident_id)
    return int(match.group(1)) if match else None
