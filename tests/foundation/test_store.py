"""The SQLite store: durable appends, several processes, and hands off files it can't trust."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime

import pytest

from app.domain.events import EventType, NewEvent
from app.errors import IncidentNotFound, StoreError
from app.store import open_store
from app.store.sqlite import SQLiteStore

FMT = "INC-{year}-{seq:03d}"


def _open(store, title="db down", severity="SEV1", at=None):
    at = at or datetime.now(UTC)
    return store.open_incident(title=title, severity=severity, actor="alice", at=at, id_format=FMT).incident_id


def _entry(text: str) -> NewEvent:
    return NewEvent(EventType.ENTRY_ADDED, datetime.now(UTC), "bob", {"kind": "note", "text": text})


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from app.domain.events import EventType, NewEvent
    from app.store.sqlite import SQLiteStore
    store = SQLiteStore(sys.argv[1])
    prefix, count = sys.argv[3], int(sys.argv[4])
    for i in range(count):
        ev = store.append(sys.argv[2], NewEvent(EventType.ENTRY_ADDED, datetime.now(UTC), prefix, {"kind": "note", "text": f"{prefix}-{i}"}))
        print(ev.seq, flush=True)
    """
)


def _writer(db, incident_id, prefix, count):
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), incident_id, prefix, str(count)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
    )


def test_ids_are_sequential_per_year_and_unique(tmp_path):
    with SQLiteStore(tmp_path / "w.db") as store:
        ids = [_open(store) for _ in range(3)]
        next_year = _open(store, at=datetime(2027, 1, 1, tzinfo=UTC))
    assert ids == [f"INC-{datetime.now(UTC).year}-00{n}" for n in (1, 2, 3)]
    assert next_year == "INC-2027-001"


def test_every_entry_reported_saved_survives_sigkill(tmp_path):
    db = tmp_path / "w.db"
    with SQLiteStore(db) as store:
        incident = _open(store)
    proc = _writer(db, incident, "k", 100_000)
    reported = []
    for line in proc.stdout:
        reported.append(int(line))
        if len(reported) >= 300:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # the pipe may hold a few more lines printed before the kill: they count too
    reported += [int(line) for line in proc.stdout.read().split()]
    with SQLiteStore(db) as store:
        saved = {e.seq for e in store.events(incident)}
    assert set(reported) <= saved
    assert len(reported) >= 300


def test_two_processes_appending_lose_and_duplicate_nothing(tmp_path):
    db = tmp_path / "w.db"
    with SQLiteStore(db) as store:
        incident = _open(store)
    procs = [_writer(db, incident, p, 150) for p in ("a", "b")]
    outputs = [p.communicate()[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    with SQLiteStore(db) as store:
        events = store.events(incident)
    texts = [e.data["text"] for e in events if e.type is EventType.ENTRY_ADDED]
    assert sorted(texts) == sorted(f"{p}-{i}" for p in "ab" for i in range(150))
    seqs = [e.seq for e in events]
    assert seqs == sorted(set(seqs))
    assert {int(s) for out in outputs for s in out} <= set(seqs)


def test_another_process_sees_new_events_within_a_second(tmp_path):
    db = tmp_path / "w.db"
    with SQLiteStore(db) as watcher:
        incident = _open(watcher)
        last = watcher.events(incident)[-1].seq
        assert not watcher.changed()
        proc = _writer(db, incident, "other", 1)
        proc.wait()
        deadline = time.monotonic() + 1.0
        while not watcher.changed():
            assert time.monotonic() < deadline, "change not visible within 1 s"
            time.sleep(0.05)
        new = watcher.events(incident, after_seq=last)
    assert [e.data["text"] for e in new] == ["other-0"]


def test_the_files_show_every_commit_of_another_process(tmp_path):
    # The follower asks the store only when this look changed (app/incident/sync.py): each of
    # another process's commits must change it, and a quiet store must not.
    db = tmp_path / "h.db"
    with SQLiteStore(db) as watcher:
        incident = _open(watcher)
        looks = [watcher.change_hint()]
        assert watcher.change_hint() == looks[0]
        for i in range(3):
            _writer(db, incident, f"other{i}", 1).wait()
            looks.append(watcher.change_hint())
            assert looks[-1] != looks[-2], f"commit {i} left the files looking the same"
        assert watcher.change_hint() == looks[-1]
        assert watcher.changed()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's; elsewhere the follower polls")
def test_a_commit_by_another_process_wakes_a_sleeping_follower(tmp_path):
    db = tmp_path / "w.db"
    with SQLiteStore(db) as watcher:
        incident = _open(watcher)
        watch = watcher.watch_files()
        assert watch is not None
        try:
            watch.wait(0)  # whatever our own opening wrote
            assert not watch.wait(0.3)  # nobody writes: it sleeps the whole time
            proc = _writer(db, incident, "other", 1)
            started = time.monotonic()
            assert watch.wait(10.0) and time.monotonic() - started < 10.0
            proc.wait()
        finally:
            watch.close()
        assert not watch.wait(0.1)  # closed: says nothing, raises nothing


def test_incremental_reads_and_summary(tmp_path):
    with SQLiteStore(tmp_path / "w.db") as store:
        incident = _open(store)
        first = store.events(incident)[-1].seq
        store.append(incident, _entry("one"))
        store.append(incident, NewEvent(EventType.SEVERITY_CHANGED, datetime.now(UTC), "a", {"severity": "SEV2"}))
        assert [e.type for e in store.events(incident, after_seq=first)] == [EventType.ENTRY_ADDED, EventType.SEVERITY_CHANGED]
        summary = store.incident(incident)
        assert summary.severity == "SEV2" and summary.is_open
        with pytest.raises(IncidentNotFound):
            store.append("INC-1999-001", _entry("lost?"))


def test_bad_events_are_rejected_before_the_log(tmp_path):
    with SQLiteStore(tmp_path / "w.db") as store:
        incident = _open(store)
        with pytest.raises(ValueError):
            store.append(incident, NewEvent(EventType.ENTRY_ADDED, datetime.now(UTC), "a", {"kind": "rumour", "text": "x"}))
        assert len(store.events(incident)) == 1


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_corrupt_file_is_refused_and_untouched(tmp_path):
    db = tmp_path / "w.db"
    db.write_bytes(b"this is not a database at all" * 100)
    before = _digest(db)
    with pytest.raises(StoreError, match="not a SQLite database"):
        SQLiteStore(db)
    assert _digest(db) == before


def test_damaged_sqlite_file_is_refused_and_untouched(tmp_path):
    db = tmp_path / "w.db"
    with SQLiteStore(db) as store:
        incident = _open(store)
        for i in range(50):
            store.append(incident, _entry(f"entry {i}" * 20))
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    raw = bytearray(db.read_bytes())
    raw[4096:] = b"\xff" * (len(raw) - 4096)  # keep the header page, smash every table page
    db.write_bytes(bytes(raw))
    before = _digest(db)
    with pytest.raises(StoreError, match="unreadable|damaged"):
        store = SQLiteStore(db)
        try:
            store.append(incident, _entry("into a damaged file"))
        finally:
            store.close()
    assert _digest(db) == before


def test_foreign_sqlite_database_is_refused(tmp_path):
    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    before = _digest(db)
    with pytest.raises(StoreError, match="not warroom's"):
        SQLiteStore(db)
    assert _digest(db) == before


def test_newer_schema_is_refused(tmp_path):
    db = tmp_path / "w.db"
    SQLiteStore(db).close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer warroom"):
        SQLiteStore(db)


def test_read_only_file_is_refused_and_untouched(tmp_path):
    db = tmp_path / "w.db"
    with SQLiteStore(db) as store:
        _open(store)
    db.chmod(0o444)
    before = _digest(db)
    try:
        with pytest.raises(StoreError, match="read-only"):
            SQLiteStore(db)
    finally:
        db.chmod(0o644)
    assert _digest(db) == before


def test_locked_database_gives_a_clear_error(tmp_path):
    db = tmp_path / "w.db"
    with SQLiteStore(db, busy_timeout=0.2) as store:
        incident = _open(store)
        blocker = sqlite3.connect(db, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StoreError, match="locked by another process"):
                store.append(incident, _entry("blocked"))
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        store.append(incident, _entry("after"))  # and it recovers once the lock is gone


def test_store_urls(tmp_path):
    with open_store(f"sqlite:///{tmp_path}/a.db") as store:
        assert store.path == tmp_path / "a.db"
    with pytest.raises(StoreError, match="unsupported store URL"):
        open_store("mysql://x")
    with pytest.raises(StoreError, match="warroom_schema must be"):
        open_store("postgresql://localhost/warroom?warroom_schema=Robert';DROP")
    with pytest.raises(StoreError, match="warroom_schema must be"):
        open_store("host=localhost warroom_schema=pg_catalog.x")


def test_postgres_urls_and_key_value_strings_are_told_from_file_paths():
    from app.config.urls import parse_store_url

    assert parse_store_url("postgresql://db/incidents")[0] == "postgresql"
    assert parse_store_url("postgres://db/incidents")[0] == "postgresql"
    assert parse_store_url("host=db dbname=incidents")[0] == "postgresql"
    assert parse_store_url(" service=incidents")[0] == "postgresql"
    assert parse_store_url("incidents.db") == ("sqlite", "incidents.db")
    assert parse_store_url("hostname=1.db") == ("sqlite", "hostname=1.db")


# --- schema v1 (seq file-wide, no event ids, no presence) -> v2 ---------------------------------


def _v1_file(db) -> tuple[str, str]:
    """A store as warroom wrote it before v2: seqs count across the file."""
    from app.store.sqlite_schema import APPLICATION_ID, MIGRATIONS

    conn = sqlite3.connect(db, isolation_level=None)
    conn.executescript(MIGRATIONS[0])
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    at = "2026-03-04T12:00:00.000000+00:00"
    rows = [("INC-2026-001", 1), ("INC-2026-002", 2)]
    for incident, n in rows:
        conn.execute("INSERT INTO incidents (id, year, n, opened_at, title, severity, status) VALUES (?, 2026, ?, ?, 'old', 'SEV2', 'investigating')", (incident, n, at))
    for incident, text in [("INC-2026-001", None), ("INC-2026-002", None), ("INC-2026-001", "one"), ("INC-2026-002", "two"), ("INC-2026-001", "three")]:
        etype, data = ("incident.opened", '{"title":"old","severity":"SEV2","status":"investigating"}') if text is None else ("entry.added", f'{{"kind":"note","text":"{text}"}}')
        seq = conn.execute("INSERT INTO events (incident_id, type, at, actor, data) VALUES (?, ?, ?, 'ann', ?)", (incident, etype, at, data)).lastrowid
        conn.execute("UPDATE incidents SET last_seq = ? WHERE id = ?", (seq, incident))
    conn.close()
    return "INC-2026-001", "INC-2026-002"


def test_a_v1_store_is_read_as_it_is_when_opened_read_only(tmp_path):
    db = tmp_path / "v1.db"
    a, b = _v1_file(db)
    before = _digest(db)
    with open_store(f"sqlite:///{db}", read_only=True) as store:
        assert [(e.seq, e.id) for e in store.events(a)] == [(1, ""), (3, ""), (5, "")]
        assert store.present(a, datetime.now(UTC)) == []
        check = store.check()
        assert (check.schema_version, check.known_version) == (1, 2) and "upgrades it" in check.detail
    assert _digest(db) == before


def test_a_v1_store_is_migrated_on_the_first_write_open_keeping_every_seq(tmp_path):
    db = tmp_path / "v1.db"
    a, b = _v1_file(db)
    with SQLiteStore(db) as store:
        assert [(e.seq, e.data.get("text")) for e in store.events(a)] == [(1, None), (3, "one"), (5, "three")]
        assert [e.seq for e in store.events(b)] == [2, 4]
        # seqs now count per incident, after the highest one each incident already has
        assert store.append(a, _entry("four")).seq == 6
        assert store.append(b, _entry("five")).seq == 5
        event = _entry("retried")
        assert store.append(b, event) == store.append(b, event)
        assert store.check().schema_version == 2
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
