"""The shared store goes away while people type: nothing typed is lost, nothing is doubled.

A real PostgreSQL of the test's own is stopped (`pg_ctl stop -m immediate`, as a crash or a
lost network looks to the client) and started again. What is typed meanwhile waits in the
outbox file on disk and reaches the store in the order typed, each exactly once, also when
the terminal that typed it was killed with SIGKILL before the store came back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.config import Config
from app.domain.events import EventType
from app.incident import IncidentCore, LogEntry, ToggleChecklist
from app.incident import results as r
from app.incident.session import IncidentSession
from app.store import open_store
from app.store.outbox import Outbox
from tests.support.session_results import Results

ROOT = Path(__file__).resolve().parents[2]


def entry_texts(dsn: str, incident_id: str) -> list[str]:
    with open_store(dsn, read_only=True) as store:
        return [e.data["text"] for e in store.events(incident_id) if e.type is EventType.ENTRY_ADDED]


def start_session(dsn: str, outbox_path: Path, operator: str = "alice") -> tuple[IncidentSession, Results]:
    store = open_store(dsn)
    results = Results()
    session = IncidentSession(IncidentCore(store, Config(operator=operator, timezone="UTC")), results,
                              outbox=Outbox(outbox_path, store.url))
    session.start()
    return session, results


def test_entries_typed_while_the_store_is_down_arrive_once_in_order(owned_cluster, tmp_path):
    session, results = start_session(owned_cluster.dsn, tmp_path / "outbox.db")
    try:
        session.open("Checkout down", "SEV2")
        (loaded,) = results.wait(r.IncidentLoaded)
        incident = loaded.state.id
        session.submit(incident, LogEntry("before the outage"))
        results.wait(r.CommandDone)

        owned_cluster.stop()
        tickets = [session.submit(incident, LogEntry(f"typed offline {i}")) for i in range(5)]
        # Checked against what was typed before it, though that is not in the store yet.
        tick = session.submit(incident, ToggleChecklist("page-dba", "Page the on-call DBA", True))
        untick = session.submit(incident, ToggleChecklist("page-dba", "Page the on-call DBA", False))
        queued = results.wait(r.CommandQueued, 7)
        assert [q.ticket for q in queued] == [*tickets, tick, untick]
        offline = results.of(r.StoreOffline)
        assert offline and offline[-1].waiting == 7
        assert Outbox(tmp_path / "outbox.db", session.core.store.url).count() == 7  # on disk, not in memory

        owned_cluster.start()
        (back,) = results.wait(r.StoreBack, timeout=30)
        assert back.sent == 7
        done = {d.ticket for d in results.wait(r.CommandDone, 8)}
        assert set(tickets) | {tick, untick} <= done
        assert not results.of(r.CommandFailed)
        session.drain()  # the catch-up that follows the flush
        (state,) = [s.state for s in results.of(r.IncidentLoaded)]
        for appended in results.of(r.EventsAppended):
            for event in appended.events:
                state.apply(event)
        assert state.checklist["page-dba"].ticked is False
    finally:
        session.close()
        session.core.store.close()
    assert entry_texts(owned_cluster.dsn, incident) == ["before the outage", *(f"typed offline {i}" for i in range(5))]


KILLED_WRITER = textwrap.dedent("""
    import os, signal, sys, time
    from pathlib import Path
    from app.config import Config
    from app.incident import IncidentCore, LogEntry
    from app.incident.session import IncidentSession
    from app.store import open_store
    from app.store.outbox import Outbox

    dsn, outbox_path, incident = sys.argv[1:4]
    store = open_store(dsn)
    outbox = Outbox(Path(outbox_path), store.url)
    session = IncidentSession(IncidentCore(store, Config(operator="bob", timezone="UTC")), lambda result: None, outbox=outbox)
    session.load(incident)
    session.drain()
    print("loaded", flush=True)
    sys.stdin.readline()  # the test stops the server, then says go
    for i in range(20):
        session.submit(incident, LogEntry(f"bob offline {i}"))
    session.drain()
    assert outbox.count() == 20, outbox.count()
    print("queued", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # no clean exit: the outbox file is all that is left
""")


def test_outbox_survives_kill_9_and_is_sent_once_by_the_next_start(owned_cluster, tmp_path):
    outbox = tmp_path / "outbox.db"
    with open_store(owned_cluster.dsn) as store:
        core = IncidentCore(store, Config(operator="alice", timezone="UTC"))
        incident = core.open("Payments slow", "SEV2").incident_id
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, owned_cluster.dsn, str(outbox), incident],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert writer.stdout.readline().strip() == "loaded"
    owned_cluster.stop()
    writer.stdin.write("go\n")
    writer.stdin.flush()
    assert writer.stdout.readline().strip() == "queued"
    assert writer.wait(30) == -signal.SIGKILL
    owned_cluster.start()

    # The next warroom on this machine (any incident, or none loaded) sends what was left.
    session, results = start_session(owned_cluster.dsn, outbox, operator="bob")
    try:
        (back,) = results.wait(r.StoreBack, timeout=30)
        assert back.sent == 20
        session.retry_offline()  # a second flush finds nothing more to send
        session.drain()
    finally:
        session.close()
        session.core.store.close()
    assert entry_texts(owned_cluster.dsn, incident) == [f"bob offline {i}" for i in range(20)]


def test_log_against_an_unreachable_store_fails_and_says_so(owned_cluster, tmp_path):
    """Scripts retry on a non-zero exit: `warroom log` never pretends to have saved."""
    with open_store(owned_cluster.dsn) as store:
        incident = IncidentCore(store, Config(operator="alice", timezone="UTC")).open("Search down", "SEV3").incident_id
    owned_cluster.stop()
    done = subprocess.run([sys.executable, "-m", "app", "log", "--store", owned_cluster.dsn, "--incident", incident, "deploy rolled back"],
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, "HOME": str(tmp_path)}, timeout=60)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    owned_cluster.start()
    assert entry_texts(owned_cluster.dsn, incident) == []
