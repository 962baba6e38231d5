"""The PostgreSQL store on a real server: many writers, killed writers, lost connections,
schema versions, and errors that never show the password. The contract every store keeps is
tests/foundation/test_store_contract.py, run against this store too."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from app.domain.events import EventType, NewEvent
from app.errors import StoreError, StoreUnreachable
from app.store import open_store
from app.store.pg_schema import KNOWN_VERSION, apply
from app.store.postgres import PostgresStore
from tests.store_kinds import PostgresKind, with_schema

ROOT = Path(__file__).resolve().parents[2]
FMT = "INC-{year}-{seq:03d}"


def _open(store, at=None) -> str:
    return store.open_incident(title="db down", severity="SEV1", actor="alice", at=at or datetime.now(UTC), id_format=FMT).incident_id


def _entry(text: str) -> NewEvent:
    return NewEvent(EventType.ENTRY_ADDED, datetime.now(UTC), "bob", {"kind": "note", "text": text})


def _admin(dsn: str) -> psycopg.Connection:
    return psycopg.connect(dsn, autocommit=True)


# --- many writers ----------------------------------------------------------------------------

CLI_LOOP = textwrap.dedent(
    """
    import sys
    from app.cli import main
    url, incident, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    for i in range(count):
        # the whole `warroom log` path: arguments, config, a fresh store, append, close
        if main(["log", "--store", url, "--incident", incident, "--operator", prefix, f"{prefix}-{i}"]) != 0:
            sys.exit(1)
    """
)


@pytest.mark.slow
def test_three_log_loops_and_two_writers_at_once_keep_every_entry_once_without_gaps(kind):
    """3 processes x 300 `warroom log` runs (each its own connection, as from a script) while
    two long-lived stores (as two TUIs) append: 900 + 200 entries, each once, seqs gapless."""
    with kind.open() as store:
        incident = _open(store)
    procs = [
        subprocess.Popen([sys.executable, "-c", CLI_LOOP, kind.url, incident, p, "300"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for p in ("ci", "bot", "deploy")
    ]
    errors: list[BaseException] = []

    def tui(name: str) -> None:
        try:
            with kind.open() as own:
                for i in range(100):
                    own.append(incident, _entry(f"{name}-{i}"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=tui, args=(n,)) for n in ("ic", "scribe")]
    for t in threads:
        t.start()
    outputs = [p.communicate(timeout=300) for p in procs]
    for t in threads:
        t.join()
    assert not errors
    assert all(p.returncode == 0 for p in procs), [o[1][-500:] for o in outputs]
    printed = [int(s) for out, _ in outputs for s in out.split()]
    with kind.open() as store:
        events = store.events(incident)
    texts = [e.data["text"] for e in events[1:]]
    expected = [f"{p}-{i}" for p in ("ci", "bot", "deploy") for i in range(300)] + [f"{n}-{i}" for n in ("ic", "scribe") for i in range(100)]
    assert sorted(texts) == sorted(expected)
    assert [e.seq for e in events] == list(range(1, len(expected) + 2))
    assert sorted(printed) == sorted({e.seq for e in events if e.actor in ("ci", "bot", "deploy")})


def test_terminals_opening_incidents_in_the_same_second_get_different_ids(kind):
    with kind.open():
        pass  # schema created once, so the openers race on ids and not on the migration
    at = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    ids: list[str] = []
    barrier = threading.Barrier(6)

    def opener() -> None:
        with kind.open() as store:
            barrier.wait()
            ids.append(_open(store, at=at))

    threads = [threading.Thread(target=opener) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(ids) == [f"INC-2026-{n:03d}" for n in range(1, 7)]


def test_two_first_writers_create_the_schema_once(kind):
    errors: list[BaseException] = []

    def first() -> None:
        try:
            kind.open().close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with _admin(kind.dsn) as admin:
        versions = admin.execute(sql.SQL("SELECT version FROM {}.schema_version ORDER BY 1").format(sql.Identifier(kind.schema))).fetchall()
    assert [v for (v,) in versions] == list(range(1, KNOWN_VERSION + 1))


def test_a_retry_racing_its_first_attempt_is_kept_once(kind):
    """The retry reads "not stored yet", then queues on the incident row behind the first
    attempt, which commits: the retry's insert meets the unique index and returns theirs."""
    with kind.open() as first, kind.open() as retry:
        incident = _open(first)
        event = _entry("sent twice")
        inserted, release = threading.Event(), threading.Event()
        results: dict[str, object] = {}

        def slow_first(conn):
            stored = first._insert(conn, incident, event)
            inserted.set()
            release.wait(10)
            return stored

        a = threading.Thread(target=lambda: results.update(first=first._write(slow_first, idempotent=True)))
        a.start()
        assert inserted.wait(10)
        b = threading.Thread(target=lambda: results.update(retry=retry.append(incident, event)))
        b.start()
        with _admin(kind.dsn) as admin:
            deadline = time.monotonic() + 10
            while not admin.execute("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s", (retry._own_pid,)).fetchone()[0]:
                assert time.monotonic() < deadline
                time.sleep(0.02)
        release.set()
        a.join(10)
        b.join(10)
        assert results["first"] == results["retry"] and results["retry"].seq == 2
        assert [e.seq for e in first.events(incident)] == [1, 2] and first.incident(incident).last_seq == 2


# --- writers that die --------------------------------------------------------------------------

MID_TRANSACTION = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from app.domain.events import EventType, NewEvent
    from app.store import open_store
    store = open_store(sys.argv[1])
    event = NewEvent(EventType.ENTRY_ADDED, datetime.now(UTC), "doomed", {"kind": "note", "text": "never committed"})

    def tx(conn):
        stored = store._insert(conn, sys.argv[2], event)  # seq taken, row locked, not committed
        print(stored.seq, flush=True)
        time.sleep(60)

    store._write(tx, idempotent=True)
    """
)


def test_a_writer_killed_mid_transaction_leaves_no_gap_and_blocks_no_one(kind):
    with kind.open() as store:
        incident = _open(store)
        store.append(incident, _entry("before"))
        doomed = subprocess.Popen([sys.executable, "-c", MID_TRANSACTION, kind.url, incident], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert doomed.stdout.readline().strip() == "3"
        waiting: list[int] = []
        blocked = threading.Thread(target=lambda: waiting.append(store.append(incident, _entry("waited")).seq))
        blocked.start()  # queues on the incident row the doomed writer holds
        time.sleep(0.3)
        assert not waiting
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
        blocked.join(timeout=10)
        assert waiting == [3]
        assert store.append(incident, _entry("after")).seq == 4
        assert [e.data.get("text") for e in store.events(incident)] == [None, "before", "waited", "after"]


# --- connections that go away --------------------------------------------------------------------


def test_a_terminated_listen_connection_is_noticed_and_replaced(kind):
    with kind.open() as watcher, kind.open() as writer:
        incident = _open(writer)
        watcher.wait_for_change(0.1)
        pid = watcher._listener.backend_pid
        assert pid
        with _admin(kind.dsn) as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
        started = time.monotonic()
        assert watcher.wait_for_change(5.0) is True  # "maybe": it listens again, the caller catches up
        assert time.monotonic() - started < 2.0
        assert watcher._listener.backend_pid not in (None, pid)
        threading.Timer(0.2, lambda: writer.append(incident, _entry("heard again"))).start()
        assert watcher.wait_for_change(3.0) is True
        assert watcher.events(incident)[-1].data["text"] == "heard again"


def test_a_terminated_work_connection_is_replaced_on_the_next_call(kind):
    with kind.open() as store:
        incident = _open(store)
        with _admin(kind.dsn) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (store._own_pid,))
        assert store.append(incident, _entry("after a lost connection")).seq == 2
        assert len(store.events(incident)) == 2


def test_notifications_carry_the_incident_and_seq_never_the_text(kind):
    with kind.open() as store:
        incident = _open(store)
        with _admin(kind.dsn) as listener:
            listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(f"{kind.schema}.events")))
            store.append(incident, _entry("the root password is on the wiki"))
            (notice,) = list(listener.notifies(timeout=2, stop_after=1))
    assert json.loads(notice.payload) == {"incident": incident, "seq": 2}


def test_server_stopped_and_started_again(owned_cluster):
    url = with_schema(owned_cluster.dsn, "warroom")
    with open_store(url) as store:
        incident = _open(store)
        owned_cluster.stop()
        event = _entry("typed while the server was down")
        started = time.monotonic()
        with pytest.raises(StoreUnreachable) as info:
            store.append(incident, event)
        assert time.monotonic() - started < 3 and "\n" not in str(info.value) and "store offline" in str(info.value)
        with pytest.raises(StoreUnreachable):
            open_store(url)
        assert store.wait_for_change(0.2) is False
        started = time.monotonic()
        assert store.changed() is False and store.changed() is False  # cheap: no reconnect storm
        assert time.monotonic() - started < 0.5
        owned_cluster.start()
        stored = store.append(incident, event)  # the retry, with the same id: kept once
        assert store.append(incident, event) == stored
        assert [e.seq for e in store.events(incident)] == [1, 2]
        assert store.wait_for_change(2.0) is True  # listening again: catch up from the last seq


# --- schema versions -------------------------------------------------------------------------------


def _v1_schema(kind: PostgresKind) -> str:
    """A store as the first schema version left it: no event ids, no presence."""
    s = sql.Identifier(kind.schema)
    with _admin(kind.dsn) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(s))
        conn.execute(sql.SQL("CREATE TABLE {}.schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL DEFAULT current_user, warroom text NOT NULL)").format(s))
        with conn.transaction():
            apply(conn, kind.schema, 1)
        conn.execute(sql.SQL("INSERT INTO {}.incidents (id, year, n, opened_at, title, severity, status, last_seq) VALUES ('INC-2026-001', 2026, 1, now(), 'old', 'SEV2', 'investigating', 2)").format(s))
        conn.execute(
            sql.SQL("INSERT INTO {}.events (incident_id, seq, type, at, actor, data) VALUES ('INC-2026-001', 1, 'incident.opened', now(), 'ann', %s), ('INC-2026-001', 2, 'entry.added', now(), 'ann', %s)").format(s),
            ('{"title":"old","severity":"SEV2","status":"investigating"}', '{"kind":"note","text":"kept"}'),
        )
    return "INC-2026-001"


def test_an_older_schema_is_read_as_it_is_and_migrated_by_the_first_writer(kind):
    incident = _v1_schema(kind)
    with kind.open(read_only=True) as reader:
        assert [(e.seq, e.id, e.data.get("text")) for e in reader.events(incident)] == [(1, "", None), (2, "", "kept")]
        assert reader.present(incident, datetime.now(UTC)) == []
        check = reader.check()
        assert (check.schema_version, check.known_version) == (1, KNOWN_VERSION) and "upgrades it" in check.detail
    with kind.open() as store:
        assert store.check().schema_version == KNOWN_VERSION
        event = _entry("new")
        assert store.append(incident, event).seq == 3 and store.append(incident, event).seq == 3
        assert [e.data.get("text") for e in store.events(incident)] == [None, "kept", "new"]


def test_a_newer_schema_is_refused_in_one_line_and_nothing_is_written(kind):
    with kind.open() as store:
        incident = _open(store)
    with _admin(kind.dsn) as admin:
        admin.execute(sql.SQL("INSERT INTO {}.schema_version (version, warroom) VALUES (99, 'future')").format(sql.Identifier(kind.schema)))
    for read_only in (False, True):
        with pytest.raises(StoreError, match=r"newer warroom \(schema v99, this one knows v2\)") as info:
            kind.open(read_only=read_only)
        assert "\n" not in str(info.value)
    with _admin(kind.dsn) as admin:
        count = admin.execute(sql.SQL("SELECT count(*) FROM {}.events").format(sql.Identifier(kind.schema))).fetchone()[0]
    assert count == 1 and incident


def test_a_schema_holding_someone_elses_tables_is_left_alone(kind):
    with _admin(kind.dsn) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {s}; CREATE TABLE {s}.incidents (ticket int)").format(s=sql.Identifier(kind.schema)))
    with pytest.raises(StoreError, match="not warroom's"):
        kind.open()


# --- connection settings and errors --------------------------------------------------------------


def test_the_store_names_itself_and_keeps_statements_short(kind):
    with kind.open() as store:
        with _admin(kind.dsn) as admin:
            row = admin.execute("SELECT application_name FROM pg_stat_activity WHERE pid = %s", (store._own_pid,)).fetchone()
        assert row == ("warroom",)
        conn = store._connection()
        assert conn.execute("SHOW statement_timeout").fetchone()[0] == "5s"


def test_the_password_never_appears_in_errors_or_names(kind):
    secret = "hunter2-Pa55"
    urls = [
        f"postgresql://alice:{secret}@127.0.0.1:1/incidents",
        f"host=127.0.0.1 port=1 user=alice password={secret} dbname=incidents",
        f"postgresql://alice:{secret}%zz@127.0.0.1:1/incidents",
        f"host=127.0.0.1 password={secret} trailing",
        f"postgresql://alice:{secret}@127.0.0.1:1/incidents?nonsense=1",
    ]
    for url in urls:
        with pytest.raises(StoreError) as info:
            open_store(url)
        message = str(info.value)
        assert secret not in message and "Pa55" not in message and "hunter2" not in message and "\n" not in message, message
    with pytest.raises(StoreUnreachable, match="store offline: .*Connection refused"):
        open_store(urls[0])
    params = psycopg.conninfo.conninfo_to_dict(kind.dsn) | {"user": "nobody", "password": secret}
    with pytest.raises(StoreError) as info:
        open_store(with_schema(psycopg.conninfo.make_conninfo(**params), kind.schema))
    assert secret not in str(info.value) and not isinstance(info.value, StoreUnreachable)
    result = subprocess.run(
        [sys.executable, "-m", "app", "log", "x", "--store", urls[0]], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and secret not in result.stderr + result.stdout
    assert "store offline" in result.stderr


def test_key_value_strings_and_the_environment_work_as_for_psql(kind, monkeypatch):
    params = psycopg.conninfo.conninfo_to_dict(kind.dsn)
    for key, var in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("dbname", "PGDATABASE")):
        if params.get(key):
            monkeypatch.setenv(var, str(params[key]))
    with open_store(f"warroom_schema={kind.schema} connect_timeout=3") as store:
        assert store.schema == kind.schema
        _open(store)
        assert store.url.startswith("postgresql://") and kind.schema in store.url
    assert os.environ.get("PGHOST") == params.get("host")


def test_a_role_that_may_not_create_the_schema_is_told_what_to_do(kind):
    import uuid

    role = f"plain_{uuid.uuid4().hex[:8]}"
    with _admin(kind.dsn) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    try:
        params = psycopg.conninfo.conninfo_to_dict(kind.dsn) | {"user": role}
        url = with_schema(psycopg.conninfo.make_conninfo(**params), kind.schema)
        with pytest.raises(StoreError) as info:
            open_store(url)
        message = str(info.value)
        assert "permission denied" in message and "README" in message and not isinstance(info.value, StoreUnreachable)
        with open_store(url, read_only=True) as reader:  # reading an empty store still works
            assert reader.incidents() == []
            check = reader.check()
        assert not check.can_write and "cannot create it" in check.detail
    finally:
        with _admin(kind.dsn) as admin:
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.fixture
def password_role(kind):
    """A role that must give its password (scram), via a line of its own in pg_hba.conf."""
    import uuid

    role, password = f"pw_{uuid.uuid4().hex[:8]}", "s3cret-Pa55-word"
    with _admin(kind.dsn) as admin:
        hba = Path(admin.execute("SHOW hba_file").fetchone()[0])
        try:
            original = hba.read_text()
            hba.write_text(f"local all {role} scram-sha-256\nhost all {role} 127.0.0.1/32 scram-sha-256\n{original}")
        except OSError:
            pytest.skip("cannot edit this server's pg_hba.conf (WARROOM_TEST_DSN?)")
        admin.execute("SET password_encryption = 'scram-sha-256'")
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
        admin.execute(sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(sql.Identifier(admin.info.dbname), sql.Identifier(role)))
        admin.execute("SELECT pg_reload_conf()")
    try:
        yield role, password
    finally:
        with _admin(kind.dsn) as admin:
            hba.write_text(original)
            admin.execute("SELECT pg_reload_conf()")
            admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(kind.schema)))
            admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_pgpass_is_used_and_a_wrong_password_is_a_plain_error_without_it(kind, password_role, tmp_path, monkeypatch):
    role, password = password_role
    params = psycopg.conninfo.conninfo_to_dict(kind.dsn) | {"user": role}
    params.pop("password", None)
    url = with_schema(psycopg.conninfo.make_conninfo(**params), kind.schema)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "nothing-here"))
    with pytest.raises(StoreError) as info:
        open_store(url)
    assert not isinstance(info.value, StoreUnreachable) and "password" in str(info.value)
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"*:*:*:{role}:{password}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    with open_store(url) as store:  # as psql would: the password comes from the pgpass file
        assert _open(store)
    wrong = with_schema(psycopg.conninfo.make_conninfo(**(params | {"password": "not-" + password})), kind.schema)
    with pytest.raises(StoreError) as info:
        open_store(wrong)
    message = str(info.value)
    assert "password authentication failed" in message and not isinstance(info.value, StoreUnreachable)
    assert password not in message and "\n" not in message
