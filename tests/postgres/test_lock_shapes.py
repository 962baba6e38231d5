"""Lock shapes seen in real incidents: a hot row, a parallel query, autovacuum, a late wait."""

from __future__ import annotations

import asyncio

import psycopg
from psycopg import sql

from app.collectors.locktree import lock_tree_lines
from app.collectors.postgres import PostgresCollector
from app.config.postgres import PostgresTarget
from tests.postgres.pg_cluster_support import connect, end_sessions, wait_pids_waiting, wait_until


def _collector(dsn: str, **kw) -> PostgresCollector:
    return PostgresCollector(PostgresTarget(name="main", dsn=dsn, **kw))


async def test_hot_row_queue_counts_each_waiter_once(pg_dsn, lock_tables):
    """Everyone updates the same row: waiter k is blocked by the holder *and* every waiter
    queued before it. The tree must list each backend once and say the root blocks N-1."""
    table = sql.Identifier(lock_tables[0])
    update = sql.SQL("UPDATE {} SET v = v || 'x' WHERE id = 1").format(table)
    sessions = [await connect(pg_dsn, f"hot-{i}") for i in range(13)]
    holder, waiters = sessions[0], sessions[1:]
    collector = _collector(pg_dsn)
    tasks = []
    try:
        await holder.execute("BEGIN")
        await holder.execute(update)
        for conn in waiters:  # one at a time, so the queue order is known
            tasks.append(asyncio.create_task(conn.execute(update)))
            await wait_pids_waiting(pg_dsn, [conn.info.backend_pid])
        snap = await asyncio.wait_for(collector.collect(), 10)
        assert snap.error is None, snap.error
        tree = snap.data.lock_tree
        pids = [n.backend.pid for n in tree.nodes]
        assert sorted(pids) == sorted(c.info.backend_pid for c in sessions)  # each exactly once
        assert [r.pid for r in tree.roots] == [holder.info.backend_pid]
        assert tree.nodes[0].waiters_below == 12
        assert lock_tree_lines(tree)[0].startswith(f"ROOT pid {holder.info.backend_pid} (")
        assert " blocks 12:" in lock_tree_lines(tree)[0]
        assert all(n.root_pid == holder.info.backend_pid for n in tree.nodes)
    finally:
        await end_sessions(pg_dsn, sessions, tasks)
        await collector.aclose()


async def test_parallel_query_blocker_is_named_once(pg_dsn, lock_tables):
    """A parallel query's workers hold locks too; pg_blocking_pids names the leader once per
    worker. The waiter is blocked by one backend, and the root blocks one."""
    table = sql.Identifier(lock_tables[0])
    leader = await connect(pg_dsn, "parallel-report")
    waiter = await connect(pg_dsn, "migration")
    collector = _collector(pg_dsn)
    tasks = []
    try:
        async with await connect(pg_dsn, "setup") as setup:
            await setup.execute(sql.SQL("INSERT INTO {} SELECT g, 'x' FROM generate_series(3, 20000) g").format(table))
            await setup.execute(sql.SQL("ANALYZE {}").format(table))
        for setting in ("max_parallel_workers_per_gather = 2", "parallel_setup_cost = 0",
                        "parallel_tuple_cost = 0", "min_parallel_table_scan_size = 0"):
            await leader.execute("SET " + setting)
        scan = sql.SQL("SELECT count(*) FROM {} WHERE pg_sleep(0.002) IS NOT NULL").format(table)
        tasks.append(asyncio.create_task(leader.execute(scan)))
        await wait_until(pg_dsn, "SELECT count(*) >= 1 FROM pg_stat_activity WHERE leader_pid = %(p)s",
                         {"p": leader.info.backend_pid})
        await waiter.execute("BEGIN")
        tasks.append(asyncio.create_task(waiter.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(table))))
        await wait_pids_waiting(pg_dsn, [waiter.info.backend_pid])
        snap = await collector.collect()
        nodes = {n.backend.pid: n for n in snap.data.lock_tree.nodes}
        assert nodes[waiter.info.backend_pid].backend.blocked_by == (leader.info.backend_pid,)
        assert nodes[leader.info.backend_pid].waiters_below == 1
        tree_json = {row["pid"]: row for row in collector.checks(snap)[0].detail["lock_tree"]}
        assert tree_json[waiter.info.backend_pid]["blocked_by"] == [leader.info.backend_pid]
    finally:
        await end_sessions(pg_dsn, [leader, waiter], tasks)
        await collector.aclose()


async def test_wait_time_counts_from_the_lock_wait_not_the_query_start(pg_dsn, lock_tables):
    """A statement that worked for a while before it blocked has not waited all that time."""
    table = sql.Identifier(lock_tables[0])
    holder = await connect(pg_dsn, "holder")
    late = await connect(pg_dsn, "late-waiter")
    collector = _collector(pg_dsn)
    tasks = []
    try:
        await holder.execute("BEGIN")
        await holder.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(table))
        body = sql.SQL("BEGIN PERFORM pg_sleep(2); LOCK TABLE {} IN SHARE MODE; END").format(table)
        await late.execute("BEGIN")
        tasks.append(asyncio.create_task(late.execute(sql.SQL("DO {}").format(sql.Literal(body.as_string(late))))))
        await wait_pids_waiting(pg_dsn, [late.info.backend_pid])
        snap = await collector.collect()
        backend = snap.data.backends[late.info.backend_pid]
        if snap.data.server_version_num < 140000:
            assert backend.wait_s == backend.query_s  # 13 has no pg_locks.waitstart
        else:
            assert backend.query_s >= 2.0 and backend.wait_s < backend.query_s - 1.5
            assert backend.lock_mode == "ShareLock" and backend.relation == lock_tables[0]
    finally:
        await end_sessions(pg_dsn, [holder, late], tasks)
        await collector.aclose()


async def test_autovacuum_worker_as_root_blocker_is_named(owned_cluster):
    """An autovacuum worker holding its lock is the root: shown as what it is, with its table."""
    dsn = owned_cluster.dsn
    waiter = await connect(dsn, "ddl-waiter")
    collector = _collector(dsn)
    tasks = []
    try:
        async with await connect(dsn, "setup") as setup:
            await setup.execute("ALTER SYSTEM SET autovacuum_naptime = 1")
            await setup.execute("SELECT pg_reload_conf()")
            # a vacuum that crawls: 1 cost unit, then 100 ms asleep
            await setup.execute(
                "CREATE TABLE crawl (id int, pad text) WITH (autovacuum_vacuum_threshold = 0,"
                " autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_cost_delay = 100,"
                " autovacuum_vacuum_cost_limit = 1)"
            )
            await setup.execute("INSERT INTO crawl SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g")
            await setup.execute("DELETE FROM crawl WHERE id % 2 = 0")
        await wait_until(dsn, "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
                              " AND query LIKE '%%crawl%%')", timeout=30)
        await waiter.execute("BEGIN")
        # without this the waiter asks autovacuum to give way after deadlock_timeout (1 s)
        await waiter.execute("SET LOCAL deadlock_timeout = '10min'")
        tasks.append(asyncio.create_task(waiter.execute("LOCK TABLE crawl IN SHARE UPDATE EXCLUSIVE MODE")))
        await wait_pids_waiting(dsn, [waiter.info.backend_pid])
        snap = await collector.collect()
        tree = snap.data.lock_tree
        root = tree.roots[0]
        assert root.backend_type == "autovacuum worker" and "crawl" in root.query
        assert tree.nodes[1].backend.pid == waiter.info.backend_pid
        assert lock_tree_lines(tree)[0].startswith(f"ROOT pid {root.pid} (?, autovacuum worker, ")
        row = collector.checks(snap)[0].detail["lock_tree"][0]
        assert row["backend_type"] == "autovacuum worker" and row["root"] is True
    finally:
        await end_sessions(dsn, [waiter], tasks)
        await collector.aclose()
