"""The collector against a real server: long queries, load, actions, outages, privileges."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from app.collectors.base import Level
from app.collectors.postgres import ActionsDisabled, PostgresCollector, mask_dsn
from app.config.postgres import PostgresTarget
from tests.postgres.pg_cluster_support import connect, end_sessions, wait_until


def _collector(dsn: str, **kw) -> PostgresCollector:
    return PostgresCollector(PostgresTarget(name="main", dsn=dsn, **kw))


async def _wait_active(dsn: str, pid: int) -> None:
    await wait_until(dsn, "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %(p)s AND state = 'active')", {"p": pid})


async def test_long_query_and_idle_in_transaction_are_listed_with_their_text(pg_dsn):
    idle = await connect(pg_dsn, "billing-worker")
    sleeper = await connect(pg_dsn, "report-job")
    collector = _collector(pg_dsn, long_running="1s")
    tasks = []
    try:
        await idle.execute("BEGIN")
        await idle.execute("SELECT 1 AS forgotten_transaction")
        tasks.append(asyncio.create_task(sleeper.execute("SELECT pg_sleep(30) /* [bold]not markup[/bold] */")))
        await _wait_active(pg_dsn, sleeper.info.backend_pid)
        await asyncio.sleep(1.2)  # both must be older than the 1 s threshold
        snap = await collector.collect()
        assert snap.error is None
        rows = {b.pid: b for b in snap.data.long_running}
        slow = rows[sleeper.info.backend_pid]
        assert slow.state == "active" and slow.application == "report-job"
        assert slow.query == "SELECT pg_sleep(30) /* [bold]not markup[/bold] */"
        assert slow.wait == "Timeout:PgSleep" and slow.duration_s >= 1.0
        forgotten = rows[idle.info.backend_pid]
        assert forgotten.state == "idle in transaction" and forgotten.duration_s >= 1.0
        assert forgotten.query == "SELECT 1 AS forgotten_transaction"
        assert forgotten.client == "local socket"
        # warroom never lists or counts itself
        assert collector.backend_pid not in rows
        detail = collector.checks(snap)[0].detail
        assert {r["pid"] for r in detail["long_running"]} >= {sleeper.info.backend_pid, idle.info.backend_pid}
        assert snap.data.by_state["idle in transaction"] >= 1
    finally:
        await end_sessions(pg_dsn, [idle, sleeper], tasks)
        await collector.aclose()


async def test_warroom_excludes_its_own_backend_from_the_counts(pg_dsn):
    collector = _collector(pg_dsn)
    try:
        snap = await collector.collect()
        async with await connect(pg_dsn) as probe:
            row = await (await probe.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )).fetchone()
        # the probe (opened after the refresh) sees warroom's backend; warroom did not count it
        assert snap.data.total == row[0] - 1
        assert collector.backend_pid not in snap.data.backends
    finally:
        await collector.aclose()


async def test_more_than_a_hundred_connections_are_counted_against_max(pg_dsn):
    collector = _collector(pg_dsn, connections_warn=50, connections_crit=90)
    conns = []
    try:
        baseline = (await collector.collect()).data
        if baseline.max_connections - baseline.total < 115:
            pytest.skip(f"server max_connections={baseline.max_connections} leaves no room for 110 more")
        conns = list(await asyncio.gather(*(connect(pg_dsn, "pool") for _ in range(110))))
        snap = await collector.collect()
        status = snap.data
        assert status.total == baseline.total + 110
        assert status.by_state["idle"] >= 110
        assert status.max_connections == baseline.max_connections
        assert status.used_pct == pytest.approx(100 * status.total / status.max_connections)
        expected = Level.WARN if status.used_pct >= 50 else Level.OK
        assert snap.level == expected
        check = collector.checks(snap)[0]
        assert check.detail["connections"]["total"] == status.total
        assert check.detail["connections"]["max"] == status.max_connections
        assert f"{status.total}/{status.max_connections} connections" in check.summary
    finally:
        for conn in conns:
            await conn.close()
        await collector.aclose()


async def test_cancel_and_terminate_really_end_the_backend(pg_dsn):
    victim = await connect(pg_dsn, "victim")
    collector = _collector(pg_dsn, long_running="0s", allow_actions=True)
    tasks = [asyncio.create_task(victim.execute("SELECT pg_sleep(60)"))]
    try:
        await _wait_active(pg_dsn, victim.info.backend_pid)
        backend = (await collector.collect()).data.backends[victim.info.backend_pid]

        result = await collector.signal(backend.pid, backend.backend_start, terminate=False)
        assert result.ok, result.message
        with pytest.raises(psycopg.errors.QueryCanceled):
            await tasks[0]
        # still connected after a cancel
        assert (await (await victim.execute("SELECT 1")).fetchone()) == (1,)

        tasks = [asyncio.create_task(victim.execute("SELECT pg_sleep(60)"))]
        await _wait_active(pg_dsn, victim.info.backend_pid)
        result = await collector.signal(backend.pid, backend.backend_start, terminate=True)
        assert result.ok, result.message
        with pytest.raises(psycopg.OperationalError):
            await tasks[0]
        await wait_until(pg_dsn, "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %(p)s)", {"p": backend.pid})
        # the pid is gone: a second attempt sends nothing
        again = await collector.signal(backend.pid, backend.backend_start, terminate=True)
        assert not again.ok and "gone" in again.message
    finally:
        await end_sessions(pg_dsn, [victim], tasks)
        await collector.aclose()


async def test_actions_are_refused_unless_allowed(pg_dsn):
    collector = _collector(pg_dsn)
    try:
        with pytest.raises(ActionsDisabled, match="allow_actions"):
            await collector.signal(1, "2020-01-01", terminate=True)
    finally:
        await collector.aclose()


async def test_server_stopped_and_restarted_goes_stale_then_recovers(owned_cluster):
    collector = _collector(owned_cluster.dsn)
    try:
        assert (await collector.collect()).error is None
        owned_cluster.stop()
        lost = await collector.collect()
        assert lost.error is not None and lost.data is None
        assert lost.level == Level.CRIT
        again = await collector.collect()  # reconnect attempt while still down: still an error, no crash
        assert again.error is not None
        owned_cluster.start()
        back = await collector.collect()
        assert back.error is None and back.data.max_connections > 0
    finally:
        await collector.aclose()


async def test_a_pg_monitor_only_role_sees_everything_it_needs(pg_dsn, pg_monitor_dsn, lock_tables):
    holder = await connect(pg_dsn, "holder")
    waiter = await connect(pg_dsn, "waiter")
    collector = _collector(pg_monitor_dsn)
    tasks = []
    try:
        await holder.execute("BEGIN")
        await holder.execute(psycopg.sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(psycopg.sql.Identifier(lock_tables[0])))
        await waiter.execute("BEGIN")
        tasks.append(asyncio.create_task(waiter.execute(
            psycopg.sql.SQL("SELECT * FROM {} FOR UPDATE").format(psycopg.sql.Identifier(lock_tables[0])))))
        await wait_until(pg_dsn, "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %(p)s",
                         {"p": waiter.info.backend_pid})
        snap = await collector.collect()
        assert snap.error is None, snap.error
        nodes = {n.backend.pid: n.backend for n in snap.data.lock_tree.nodes}
        assert [r.pid for r in snap.data.lock_tree.roots] == [holder.info.backend_pid]
        # pg_read_all_stats (part of pg_monitor) shows other roles' query text
        assert "FOR UPDATE" in nodes[waiter.info.backend_pid].query
        assert nodes[waiter.info.backend_pid].relation == lock_tables[0]
    finally:
        await end_sessions(pg_dsn, [holder, waiter], tasks)
        await collector.aclose()


async def test_statement_timeout_holds_when_the_catalog_is_locked(pg_dsn):
    collector = _collector(pg_dsn, statement_timeout="500ms")
    blocker = await connect(pg_dsn, "catalog-locker")
    try:
        assert (await collector.collect()).error is None  # connected before the catalog is locked
        await blocker.execute("BEGIN")
        # pg_stat_activity joins pg_database: an ACCESS EXCLUSIVE lock makes warroom's query wait
        await blocker.execute("LOCK TABLE pg_catalog.pg_database IN ACCESS EXCLUSIVE MODE")
        loop = asyncio.get_running_loop()
        started = loop.time()
        snap = await collector.collect()
        elapsed = loop.time() - started
        assert snap.error is not None and "statement_timeout" in snap.error
        assert 0.4 <= elapsed < 2.5
        await blocker.execute("ROLLBACK")
        assert (await collector.collect()).error is None  # same connection keeps working
    finally:
        await blocker.close()
        await collector.aclose()


async def test_password_never_appears_in_errors_or_status():
    dsn = "postgresql://app:hunter2-secret@127.0.0.1:1/appdb?connect_timeout=2"
    collector = _collector(dsn, connect_timeout="2s")
    snap = await collector.collect()
    assert snap.error is not None and "hunter2" not in snap.error
    check = collector.checks(snap)[0]
    assert "hunter2" not in repr(check.as_json())
    assert "hunter2" not in mask_dsn(dsn) and "***" in mask_dsn(dsn)
    assert mask_dsn("") == "(libpq environment)"
    bad = _collector("host=x password=hunter2-secret port=='")
    snap = await bad.collect()
    assert snap.error is not None and "hunter2" not in snap.error


async def test_a_hung_server_costs_one_client_side_limit_not_more(owned_cluster, caplog):
    """statement_timeout cannot fire in a frozen server; warroom's own limit (statement_timeout
    + 3 s) must, and must not then wait on a cancel request the frozen server never answers."""
    collector = _collector(owned_cluster.dsn, statement_timeout="1s", connect_timeout="2s")
    loop = asyncio.get_running_loop()
    try:
        assert (await collector.collect()).error is None  # connected before the hang
        with owned_cluster.frozen():
            started = loop.time()
            hung = await collector.collect()
            elapsed = loop.time() - started
        assert hung.error is not None and "no answer within 4s" in hung.error
        assert elapsed < 5.5, f"took {elapsed:.1f}s"
        assert not [r for r in caplog.records if "cancel" in r.getMessage()]
        back = await collector.collect()  # a fresh connection, no leftovers from the abandoned one
        assert back.error is None, back.error
    finally:
        await collector.aclose()
