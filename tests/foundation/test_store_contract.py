"""The IncidentStore contract, one suite run against every store kind (tests/store_kinds.py).

Store-specific behaviour (files, migrations of a kind's own schema, servers going away) lives
in test_store.py, test_store_faults.py and tests/postgres/test_store_postgres.py.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.events import EventType, NewEvent
from app.errors import IncidentNotFound, StoreError
from app.store.base import IncidentStore
from app.store.sqlite import SQLiteStore

FMT = "INC-{year}-{seq:03d}"
T0 = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def _open(store: IncidentStore, title: str = "db down", at: datetime | None = None) -> str:
    return store.open_incident(title=title, severity="SEV1", actor="alice", at=at or T0, id_format=FMT).incident_id


def _entry(text: str, actor: str = "bob") -> NewEvent:
    return NewEvent(EventType.ENTRY_ADDED, datetime.now(UTC), actor, {"kind": "note", "text": text})


# --- ids and sequence numbers ------------------------------------------------------------------


def test_incident_ids_count_per_year(store_kind):
    with store_kind.open() as store:
        ids = [_open(store) for _ in range(3)]
        next_year = _open(store, at=datetime(2027, 1, 1, tzinfo=UTC))
        assert ids == ["INC-2026-001", "INC-2026-002", "INC-2026-003"] and next_year == "INC-2027-001"
        summary = store.incident(ids[0])
        assert (summary.title, summary.severity, summary.status, summary.opened_at) == ("db down", "SEV1", "investigating", T0)


def test_seqs_count_per_incident_without_gaps(store_kind):
    with store_kind.open() as store:
        a, b = _open(store), _open(store)
        for i in range(3):
            store.append(a, _entry(f"a{i}"))
            store.append(b, _entry(f"b{i}"))
        assert [e.seq for e in store.events(a)] == [1, 2, 3, 4]
        assert [e.seq for e in store.events(b)] == [1, 2, 3, 4]
        assert [e.data["text"] for e in store.events(a, after_seq=2)] == ["a1", "a2"]
        assert store.incident(a).last_seq == 4


def test_summary_follows_events_and_unknown_incident_is_refused(store_kind):
    with store_kind.open() as store:
        incident = _open(store)
        store.append(incident, NewEvent(EventType.SEVERITY_CHANGED, T0, "a", {"severity": "SEV2"}))
        store.append(incident, NewEvent(EventType.TITLE_CHANGED, T0, "a", {"title": "db slow"}))
        store.append(incident, NewEvent(EventType.STATUS_CHANGED, T0, "a", {"status": "resolved"}))
        summary = store.incident(incident)
        assert (summary.severity, summary.title, summary.is_open) == ("SEV2", "db slow", False)
        assert store.open_incidents() == []
        with pytest.raises(IncidentNotFound):
            store.append("INC-1999-001", _entry("lost?"))


def test_bad_events_are_rejected_before_the_log(store_kind):
    with store_kind.open() as store:
        incident = _open(store)
        with pytest.raises(ValueError):
            store.append(incident, NewEvent(EventType.ENTRY_ADDED, T0, "a", {"kind": "rumour", "text": "x"}))
        assert len(store.events(incident)) == 1


def test_events_read_back_as_written_with_their_ids(store_kind):
    with store_kind.open() as store:
        incident = _open(store)
        event = NewEvent(EventType.ENTRY_ADDED, T0 + timedelta(microseconds=123457), "bob", {"kind": "action", "text": "héllo\nworld", "n": 3})
        stored = store.append(incident, event)
        (read,) = store.events(incident, after_seq=1)
        assert read == stored
        assert (read.id, read.type, read.at, read.actor, read.data) == (event.id, event.type, event.at, "bob", event.data)
        assert store.events(incident)[0].id  # the opening event has an id too


def test_text_from_the_store_is_cleaned_when_read(store_kind):
    with store_kind.open() as store:
        incident = _open(store, title="db\x1b[2J down")
        store.append(incident, _entry("clear\x1b]52;c;aGk=\x07 me\r", actor="mal\x1bory"))
        entry = store.events(incident)[-1]
        assert "\x1b" not in entry.actor and "\x1b" not in entry.data["text"] and "\x07" not in entry.data["text"]
        assert "\x1b" not in store.incident(incident).title


def test_nul_characters_are_stored_and_never_come_back_raw(store_kind):
    with store_kind.open() as store:
        incident = _open(store, title="nul\x00title")
        stored = store.append(incident, _entry("a\x00b", actor="nul\x00actor"))
        for event in (stored, store.events(incident)[-1]):
            assert "\x00" not in event.actor and "\x00" not in event.data["text"] and event.data["text"].startswith("a")
        assert "\x00" not in store.incident(incident).title


# --- idempotent append -------------------------------------------------------------------------


def test_the_same_event_id_is_kept_once(store_kind):
    with store_kind.open() as store:
        incident = _open(store)
        event = _entry("typed once")
        first = store.append(incident, event)
        again = store.append(incident, event)
        also = store.append(incident, replace(event, data={"kind": "note", "text": "changed meanwhile"}))
        assert again == first == also
        assert [e.data["text"] for e in store.events(incident)[1:]] == ["typed once"]
        assert store.incident(incident).last_seq == first.seq


def test_the_same_event_id_on_another_incident_is_refused(store_kind):
    with store_kind.open() as store:
        a, b = _open(store), _open(store)
        event = _entry("where?")
        store.append(a, event)
        with pytest.raises(StoreError, match="already stored"):
            store.append(b, event)
        assert len(store.events(b)) == 1 and store.incident(b).last_seq == 1


def test_retries_from_two_connections_at_once_are_kept_once(store_kind):
    with store_kind.open() as first:
        incident = _open(first)
    events = [_entry(f"e{i}") for i in range(20)]
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with store_kind.open() as store:
                for event in events:
                    store.append(incident, event)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with store_kind.open() as store:
        stored = store.events(incident)
    assert [e.id for e in stored[1:]] == [e.id for e in events]
    assert [e.seq for e in stored] == list(range(1, 22))


def test_concurrent_writers_lose_and_duplicate_nothing(store_kind):
    with store_kind.open() as first:
        incident = _open(first)
    errors: list[BaseException] = []

    def writer(prefix: str) -> None:
        try:
            with store_kind.open() as store:
                for i in range(40):
                    store.append(incident, _entry(f"{prefix}-{i}"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(p,)) for p in "abc"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with store_kind.open() as store:
        stored = store.events(incident)
    assert sorted(e.data["text"] for e in stored[1:]) == sorted(f"{p}-{i}" for p in "abc" for i in range(40))
    assert [e.seq for e in stored] == list(range(1, 122))


# --- noticing other writers --------------------------------------------------------------------


def test_another_connection_sees_new_events_within_a_second(store_kind):
    with store_kind.open() as watcher, store_kind.open() as writer:
        incident = _open(writer)
        watcher.changed()  # whatever happened before now
        assert watcher.events(incident)[-1].seq == 1
        writer.append(incident, _entry("other"))
        deadline = time.monotonic() + 1.0
        while not watcher.changed():
            assert time.monotonic() < deadline, "change not visible within 1 s"
            time.sleep(0.02)
        assert [e.data["text"] for e in watcher.events(incident, after_seq=1)] == ["other"]


def test_wait_for_change_wakes_for_another_writer(store_kind):
    with store_kind.open() as watcher, store_kind.open() as writer:
        incident = _open(writer)
        watcher.wait_for_change(0.05)  # settle: a first call may report "maybe" while it starts listening
        assert watcher.wait_for_change(0.3) is False
        timer = threading.Timer(0.2, lambda: writer.append(incident, _entry("wake up")))
        timer.start()
        started = time.monotonic()
        woke = False
        while not woke and time.monotonic() - started < 3:
            woke = watcher.wait_for_change(1.0)
        timer.join()
        assert woke
        assert watcher.events(incident)[-1].data["text"] == "wake up"


# --- presence ----------------------------------------------------------------------------------


def test_presence_lists_terminals_seen_within_the_ttl(store_kind):
    with store_kind.open() as store:
        a, b = _open(store), _open(store)
        store.heartbeat(a, "alice", "t-1", T0)
        store.heartbeat(a, "bob", "t-2", T0 + timedelta(seconds=20))
        store.heartbeat(b, "carol", "t-3", T0 + timedelta(seconds=20))
        assert [p.operator for p in store.present(a, T0 + timedelta(seconds=25))] == ["alice", "bob"]
        assert [p.operator for p in store.present(a, T0 + timedelta(seconds=31))] == ["bob"]
        store.heartbeat(b, "alice", "t-1", T0 + timedelta(seconds=32))  # the terminal moved on
        assert [p.operator for p in store.present(a, T0 + timedelta(seconds=33))] == ["bob"]
        assert [(p.operator, p.terminal) for p in store.present(b, T0 + timedelta(seconds=33))] == [("alice", "t-1"), ("carol", "t-3")]
        seen = store.present(b, T0 + timedelta(seconds=33))[0].seen_at
        assert seen == T0 + timedelta(seconds=32)
        assert store.present(a, T0 + timedelta(seconds=60)) == []


def test_presence_names_are_cleaned(store_kind):
    with store_kind.open() as store:
        incident = _open(store)
        store.heartbeat(incident, "eve\x1b[31m", "t\x07", T0)
        (seen,) = store.present(incident, T0)
        assert "\x1b" not in seen.operator and "\x07" not in seen.terminal


# --- copying between stores --------------------------------------------------------------------


def _filled(store: IncidentStore, entries: int = 3) -> str:
    incident = _open(store)
    for i in range(entries):
        store.append(incident, _entry(f"entry {i}"))
    store.append(incident, NewEvent(EventType.SEVERITY_CHANGED, T0, "a", {"severity": "SEV3"}))
    return incident


@pytest.fixture
def sqlite_side(tmp_path):
    with SQLiteStore(tmp_path / "other.db") as store:
        yield store


@pytest.mark.parametrize("direction", ["into", "out of"])
def test_copy_keeps_ids_seqs_and_event_ids_and_adds_only_whats_missing(store_kind, sqlite_side, direction):
    with store_kind.open() as store:
        src, dst = (sqlite_side, store) if direction == "into" else (store, sqlite_side)
        _open(src)  # INC-2026-001 stays behind: the copied one keeps its own id
        incident = _filled(src)
        summary, events = src.incident(incident), src.events(incident)
        assert dst.copy_in(summary, events[:3]) == 3
        assert dst.copy_in(summary, events) == len(events) - 3
        assert dst.copy_in(summary, events) == 0
        assert dst.events(incident) == events
        copied = dst.incident(incident)
        assert (copied.id, copied.title, copied.severity, copied.opened_at, copied.last_seq) == (incident, "db down", "SEV3", T0, len(events))
        after = dst.append(incident, _entry("after the move"))
        assert after.seq == len(events) + 1
        assert _open(dst) == "INC-2026-003"  # numbering goes on after the copied INC-2026-002


def test_copy_refuses_a_different_incident_with_the_same_id(store_kind, sqlite_side):
    with store_kind.open() as store:
        theirs = _filled(sqlite_side)
        ours = _filled(store, entries=1)
        assert ours == theirs
        before = store.events(ours)
        with pytest.raises(StoreError, match="different"):
            store.copy_in(sqlite_side.incident(theirs), sqlite_side.events(theirs))
        assert store.events(ours) == before and store.incident(ours).last_seq == before[-1].seq


def test_copy_refuses_an_event_id_already_held_elsewhere(store_kind, sqlite_side):
    with store_kind.open() as store:
        incident = _filled(sqlite_side)
        events = sqlite_side.events(incident)
        renamed = "INC-2026-009"
        store.copy_in(replace(sqlite_side.incident(incident), id=renamed), [replace(e, incident_id=renamed) for e in events])
        with pytest.raises(StoreError, match="already stored"):
            store.copy_in(sqlite_side.incident(incident), events)
        assert store.incident(incident) is None and store.events(incident) == []
        assert store.events(renamed) == [replace(e, incident_id=renamed) for e in events]


# --- check and read-only opens -----------------------------------------------------------------


def test_check_names_the_store_and_its_schema(store_kind):
    with store_kind.open() as store:
        _open(store)
        check = store.check()
    assert check.kind == store_kind.name
    assert check.schema_version == check.known_version >= 2
    assert check.can_read and check.can_write
    assert "secret" not in check.where


def test_read_only_open_reads_and_refuses_writes(store_kind):
    with store_kind.open() as store:
        incident = _filled(store)
    with store_kind.open(read_only=True) as reader:
        assert len(reader.events(incident)) == 5 and reader.incident(incident).severity == "SEV3"
        for write in (
            lambda: reader.append(incident, _entry("no")),
            lambda: reader.heartbeat(incident, "x", "t", T0),
            lambda: _open(reader),
        ):
            with pytest.raises(StoreError, match="read-only"):
                write()
        assert len(reader.events(incident)) == 5


def test_a_store_never_written_reads_as_empty_and_is_not_created(store_kind):
    with store_kind.open(read_only=True) as reader:
        assert reader.incidents() == [] and reader.events("INC-2026-001") == []
        assert reader.check().schema_version == 0
    assert not store_kind.exists()
