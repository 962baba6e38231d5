"""Issue 17 items 9-11: damaged, read-only, non-regular and full-disk stores.

Reading (`incident list`, `export`) must work wherever the bytes can be read and must
create nothing; writing must refuse a damaged file with a one-line recovery hint and
never change a byte of it. Full-disk and read-only-mount cases use a real tmpfs mount
(needs root); they skip with that reason elsewhere.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain.events import EventType, NewEvent
from app.errors import StoreError
from app.store import open_store
from app.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[2]
FMT = "INC-{year}-{seq:03d}"
PAGE = 4096


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _siblings(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if p.name.startswith(db.name) and p != db)


def _cli(*args: str, store: Path, check_rc: int | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "app", *args, "--store", f"sqlite:///{store}"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    if check_rc is not None:
        assert result.returncode == check_rc, result.stderr
    return result


def _filled_store(db: Path, entries: int = 400) -> str:
    with SQLiteStore(db) as store:
        incident = store.open_incident(title="db down", severity="SEV1", actor="alice", at=datetime.now(UTC), id_format=FMT).incident_id
        for i in range(entries):
            store.append(incident, NewEvent(EventType.ENTRY_ADDED, datetime.now(UTC), "bob", {"kind": "note", "text": f"entry {i} " * 30}))
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return incident


def _damage_one_events_page(db: Path) -> None:
    """Smash one page in the middle of the file: with 400 long entries that is a page of
    the events table (or its index); the incidents table (pages 2-3) stays readable."""
    raw = bytearray(db.read_bytes())
    middle = (len(raw) // PAGE // 2) * PAGE
    raw[middle : middle + PAGE] = b"\xa5" * PAGE
    db.write_bytes(bytes(raw))


def test_damaged_store_is_never_written_and_says_how_to_recover(tmp_path):
    db = tmp_path / "w.db"
    _filled_store(db)
    _damage_one_events_page(db)
    before = _digest(db)
    with pytest.raises(StoreError) as info:
        SQLiteStore(db)
    message = str(info.value)
    assert "damaged" in message and ".recover" in message and "backup" in message and "\n" not in message
    for args in (("log", "one more"), ("incident", "open", "--severity", "SEV2", "--title", "x")):
        result = _cli(*args, store=db)
        assert result.returncode == 2 and result.stderr.count("\n") == 1 and ".recover" in result.stderr, result.stderr
    listed = _cli("incident", "list", store=db, check_rc=0)
    assert "db down" in listed.stdout
    assert _digest(db) == before
    assert _siblings(db) == []


def test_integrity_check_keeps_log_fast(tmp_path):
    db = tmp_path / "w.db"
    _filled_store(db, entries=3000)
    started = time.perf_counter()
    for _ in range(5):
        SQLiteStore(db).close()
    assert (time.perf_counter() - started) / 5 < 0.1


def test_read_only_file_can_be_listed_and_exported_and_nothing_is_created(tmp_path):
    db = tmp_path / "w.db"
    incident = _filled_store(db, entries=5)
    db.chmod(0o444)
    before = _digest(db)
    try:
        listed = _cli("incident", "list", "--json", store=db, check_rc=0)
        assert incident in listed.stdout
        exported = _cli("export", "--format", "markdown", store=db, check_rc=0)
        assert "db down" in exported.stdout
        failed = _cli("log", "x", store=db)
        assert failed.returncode == 2 and "read-only" in failed.stderr
    finally:
        db.chmod(0o644)
    assert _digest(db) == before and _siblings(db) == []


def test_read_only_store_refuses_writes_and_sees_other_writers(tmp_path):
    db = tmp_path / "w.db"
    incident = _filled_store(db, entries=2)
    reader = open_store(f"sqlite:///{db}", read_only=True)
    try:
        with pytest.raises(StoreError, match="read-only"):
            reader.append(incident, NewEvent(EventType.ENTRY_ADDED, datetime.now(UTC), "x", {"kind": "note", "text": "no"}))
        assert len(reader.events(incident)) == 3
        with SQLiteStore(db) as writer:
            writer.append(incident, NewEvent(EventType.ENTRY_ADDED, datetime.now(UTC), "x", {"kind": "note", "text": "new"}))
            assert reader.changed()
            assert reader.events(incident)[-1].data["text"] == "new"
        assert reader.events(incident)[-1].data["text"] == "new"
    finally:
        reader.close()


def test_missing_store_reads_as_empty_and_creates_nothing(tmp_path):
    db = tmp_path / "sub" / "w.db"
    assert "no incidents" in _cli("incident", "list", store=db, check_rc=0).stdout
    assert not (tmp_path / "sub").exists()


@pytest.mark.parametrize("read_only", [False, True])
def test_non_regular_files_are_refused(tmp_path, read_only):
    journal_existed = os.path.exists("/dev/null-journal")
    with pytest.raises(StoreError, match="character device"):
        open_store("sqlite:////dev/null", read_only=read_only)
    assert journal_existed or not os.path.exists("/dev/null-journal")
    with pytest.raises(StoreError, match="directory"):
        open_store(f"sqlite:///{tmp_path}", read_only=read_only)
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    with pytest.raises(StoreError, match="FIFO"):
        open_store(f"sqlite:///{fifo}", read_only=read_only)


def test_cli_refuses_dev_null_store_in_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "app", "log", "x", "--store", "sqlite:////dev/null"], capture_output=True, text=True, cwd=ROOT, timeout=30
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "character device" in result.stderr


# --- real mounts: a read-only filesystem and a full one -------------------------------


@pytest.fixture
def tmpfs(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "mnt"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_store_on_a_read_only_mount_can_be_read(tmpfs):
    db = tmpfs / "w.db"
    incident = _filled_store(db, entries=20)
    assert subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)]).returncode == 0
    listed = _cli("incident", "list", store=db, check_rc=0)
    assert incident in listed.stdout
    exported = _cli("export", "--format", "json", store=db, check_rc=0)
    assert exported.stdout.count('"entry.added"') == 20
    failed = _cli("log", "x", store=db)
    assert failed.returncode == 2 and failed.stderr.count("\n") == 1
    assert _siblings(db) == []


def test_full_disk_still_reads_and_says_why_writing_fails(tmpfs):
    db = tmpfs / "w.db"
    incident = _filled_store(db, entries=20)
    fd = os.open(tmpfs / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    assert os.statvfs(tmpfs).f_bavail == 0
    before = _digest(db)
    listed = _cli("incident", "list", store=db, check_rc=0)
    assert incident in listed.stdout
    exported = _cli("export", "--format", "json", store=db, check_rc=0)
    assert exported.stdout.count('"entry.added"') == 20
    failed = _cli("log", "x", store=db)
    assert failed.returncode == 2 and failed.stderr.count("\n") == 1
    assert "no space left" in failed.stderr, failed.stderr
    assert _digest(db) == before
    assert _siblings(db) == []


CHURN = """
import sys
from datetime import UTC, datetime
from app.domain.events import EventType, NewEvent
from app.store.sqlite import SQLiteStore
for i in range(int(sys.argv[3])):
    with SQLiteStore(sys.argv[1]) as store:  # open, append, close: a checkpoint every time
        store.append(sys.argv[2], NewEvent(EventType.ENTRY_ADDED, datetime.now(UTC), "bot", {"kind": "note", "text": f"churn {i}"}))
"""


def test_readers_stay_consistent_while_writers_come_and_go(tmp_path):
    db = tmp_path / "w.db"
    incident = _filled_store(db, entries=50)
    writer = subprocess.Popen([sys.executable, "-c", CHURN, str(db), incident, "60"], cwd=ROOT)
    seen = []
    try:
        while writer.poll() is None:
            with SQLiteStore(db, read_only=True) as reader:
                events = reader.events(incident)
            seqs = [e.seq for e in events]
            assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
            seen.append(len(events))
    finally:
        writer.wait(60)
    assert writer.returncode == 0
    assert seen == sorted(seen) and seen[0] >= 51
    with SQLiteStore(db, read_only=True) as reader:
        assert len(reader.events(incident)) == 111
