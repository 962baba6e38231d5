"""Real lock chains on a real server: the collector names the roots and every waiter."""

from __future__ import annotations

import asyncio

import psycopg
from psycopg import sql

from app.collectors.base import Level
from app.collectors.locktree import lock_tree_lines
from app.collectors.postgres import PostgresCollector
from app.config.postgres import PostgresTarget
from tests.postgres.pg_cluster_support import connect, end_sessions, wait_pids_waiting


def _collector(dsn: str, **kw) -> PostgresCollector:
    return PostgresCollector(PostgresTarget(name="main", dsn=dsn, **kw))


def _lock(table: str, mode: str = "ACCESS EXCLUSIVE") -> sql.Composed:
    return sql.SQL("LOCK TABLE {} IN " + mode + " MODE").format(sql.Identifier(table))


async def test_two_roots_and_a_chain_of_waiters(pg_dsn, lock_tables):
    t1, t2, t3, _ = lock_tables
    a = await connect(pg_dsn, "chain-a")
    b = await connect(pg_dsn, "chain-b")
    c = await connect(pg_dsn, "chain-c")
    d = await connect(pg_dsn, "root2-d")
    e = await connect(pg_dsn, "root2-e")
    collector = _collector(pg_dsn)
    tasks = []
    try:
        # A holds t1; B holds t2 and waits for t1; C waits for t2 (so C waits on B waits on A)
        await a.execute("BEGIN")
        await a.execute(_lock(t1))
        await b.execute("BEGIN")
        await b.execute(_lock(t2))
        tasks.append(asyncio.create_task(b.execute(_lock(t1))))
        await wait_pids_waiting(pg_dsn, [b.info.backend_pid])
        await c.execute("BEGIN")
        tasks.append(asyncio.create_task(c.execute(_lock(t2))))
        # second, independent root: D holds t3 (idle in transaction), E waits
        await d.execute("BEGIN")
        await d.execute(_lock(t3, "SHARE"))
        await e.execute("BEGIN")
        tasks.append(asyncio.create_task(e.execute(_lock(t3, "ROW EXCLUSIVE"))))
        waiters = [b.info.backend_pid, c.info.backend_pid, e.info.backend_pid]
        await wait_pids_waiting(pg_dsn, waiters)
        await asyncio.sleep(1.1)  # let the waits age past a second, so ages are measurable

        snap = await collector.collect()
        assert snap.error is None, snap.error
        status = snap.data
        tree = status.lock_tree
        pa, pb, pc, pd, pe = (x.info.backend_pid for x in (a, b, c, d, e))
        # root blockers first, the bigger chain first
        assert [r.pid for r in tree.roots] == [pa, pd]
        layout = [(n.backend.pid, n.depth, n.root_pid) for n in tree.nodes]
        assert layout == [(pa, 0, pa), (pb, 1, pa), (pc, 2, pa), (pd, 0, pd), (pe, 1, pd)]
        nodes = {n.backend.pid: n for n in tree.nodes}
        assert nodes[pa].waiters_below == 2 and nodes[pd].waiters_below == 1
        assert nodes[pb].backend.blocked_by == (pa,)
        assert nodes[pc].backend.blocked_by == (pb,)
        assert nodes[pb].backend.lock_mode == "AccessExclusiveLock" and nodes[pb].backend.relation == t1
        assert nodes[pc].backend.relation == t2
        assert nodes[pe].backend.lock_mode == "RowExclusiveLock" and nodes[pe].backend.relation == t3
        for pid in waiters:
            assert 1.0 <= nodes[pid].backend.wait_s < 30
        assert nodes[pa].backend.state == "idle in transaction"
        assert status.waiting == 3
        assert status.by_state["waiting"] == 3
        assert status.ungranted_locks >= 3

        check = collector.checks(snap)[0]
        assert f"root blocker pid {pa}, pid {pd}" in check.summary
        tree_json = {row["pid"]: row for row in check.detail["lock_tree"]}
        assert tree_json[pc]["blocked_by"] == [pb]
        assert tree_json[pc]["mode"] == "AccessExclusiveLock" and tree_json[pc]["relation"] == t2
        assert tree_json[pe]["wait_s"] >= 1.0
        assert tree_json[pa]["root"] is True and tree_json[pa]["blocked_by"] == []

        text = "\n".join(lock_tree_lines(tree))
        assert text.splitlines()[0].startswith(f"ROOT pid {pa}")
        assert f"pid {pc} (" in text
    finally:
        await end_sessions(pg_dsn, [a, b, c, d, e], tasks)
        await collector.aclose()


async def test_row_lock_waiter_shows_the_transaction_it_waits_for(pg_dsn, lock_tables):
    table = lock_tables[0]
    holder = await connect(pg_dsn, "row-holder")
    waiter = await connect(pg_dsn, "row-waiter")
    collector = _collector(pg_dsn)
    tasks = []
    update = sql.SQL("UPDATE {} SET v = 'x' WHERE id = 1").format(sql.Identifier(table))
    try:
        await holder.execute("BEGIN")
        await holder.execute(update)
        tasks = [asyncio.create_task(waiter.execute(update))]
        await wait_pids_waiting(pg_dsn, [waiter.info.backend_pid])
        snap = await collector.collect()
        node = {n.backend.pid: n for n in snap.data.lock_tree.nodes}[waiter.info.backend_pid]
        assert node.backend.blocked_by == (holder.info.backend_pid,)
        # it queues on the holder's transaction id; the tuple lock it holds names the table
        assert node.backend.relation == table and node.backend.lock_type == "transactionid"
        assert node.backend.lock_target == f"row in {table}"
        row = {r["pid"]: r for r in collector.checks(snap)[0].detail["lock_tree"]}[waiter.info.backend_pid]
        assert row["relation"] == table and row["lock_type"] == "transactionid"
        assert node.backend.lock_mode == "ShareLock"
    finally:
        await end_sessions(pg_dsn, [holder, waiter], tasks)
        await collector.aclose()


async def test_lock_wait_over_threshold_makes_the_database_warn(pg_dsn, lock_tables):
    table = lock_tables[0]
    holder = await connect(pg_dsn)
    waiter = await connect(pg_dsn)
    collector = _collector(pg_dsn, lock_wait_warn="1s")
    tasks = []
    try:
        await holder.execute("BEGIN")
        await holder.execute(_lock(table))
        await waiter.execute("BEGIN")
        tasks = [asyncio.create_task(waiter.execute(_lock(table)))]
        await wait_pids_waiting(pg_dsn, [waiter.info.backend_pid])
        await asyncio.sleep(1.1)
        snap = await collector.collect()
        assert snap.level == Level.WARN
        # the summary says why: a WARN with "1 waiting" alone reads like a connection problem
        waited = snap.data.backends[waiter.info.backend_pid].wait_s
        assert f"1 waiting (longest lock wait {int(waited)}s)" in collector.checks(snap)[0].summary
    finally:
        await end_sessions(pg_dsn, [holder, waiter], tasks)
        await collector.aclose()
