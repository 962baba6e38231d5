"""Root blockers coming and going become timeline observations, decided in the poll path.

Against the real server the tests already run: chains are made with real locks, ended by
pg_terminate_backend or by a commit, and the lines are read off the snapshots the pane gets.
The rules (confirmation, baseline, rate limit, pid reuse) are checked on hand-built trees.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import psycopg
from psycopg import sql

from app.collectors.base import Level, Snapshot
from app.collectors.locktree import Backend, build_lock_tree
from app.collectors.observations import LockChainChanges
from app.collectors.postgres import PostgresCollector, PostgresStatus
from app.config.postgres import PostgresTarget
from app.config.timeline import AutoTimelineSettings
from tests.postgres.pg_cluster_support import connect, end_sessions, wait_pids_waiting, wait_until
from tests.support import PaneHost, until

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
EVERY_CHANGE = AutoTimelineSettings(consecutive=2, min_interval=timedelta(0))


def _lock(table: str) -> sql.Composed:
    return sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table))


async def _hold_and_queue(dsn: str, table: str, waiters: int):
    """The holder locks `table` and sits idle in its transaction; `waiters` queue behind it."""
    holder = await connect(dsn, "holder-app")
    await holder.execute("BEGIN")
    await holder.execute(_lock(table))
    queued = [await connect(dsn, f"waiter-{i}") for i in range(waiters)]
    tasks = []
    for conn in queued:
        await conn.execute("BEGIN")
        tasks.append(asyncio.create_task(conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))))
    await wait_pids_waiting(dsn, [c.info.backend_pid for c in queued])
    return holder, queued, tasks


async def _refresh(collector: PostgresCollector, observer: LockChainChanges, times: int = 2) -> list[str]:
    lines: list[str] = []
    for _ in range(times):
        lines += observer.observe(await collector.collect()).observations
    return lines


async def test_chain_formed_and_root_ended_on_a_real_server(pg_dsn, lock_tables):
    table = lock_tables[0]
    collector = PostgresCollector(PostgresTarget(name="main", dsn=pg_dsn))
    observer = LockChainChanges(EVERY_CHANGE)
    holder = queued = None
    tasks = []
    try:
        assert await _refresh(collector, observer) == []  # no chain: the baseline, nothing said
        holder, queued, tasks = await _hold_and_queue(pg_dsn, table, 3)
        pid = holder.info.backend_pid
        assert await _refresh(collector, observer, 1) == []  # one refresh is not yet a chain
        [line] = await _refresh(collector, observer, 1)
        assert line.startswith(f"PostgreSQL main: pid {pid} (holder-app, idle in transaction ")
        assert line.endswith(f") blocks 3 sessions on {table}")
        assert await _refresh(collector, observer) == []  # said once, not every refresh

        async with await connect(pg_dsn, "warroom-test-kill") as admin:
            await admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        await wait_until(pg_dsn, "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %(p)s)", {"p": pid})
        [cleared] = await _refresh(collector, observer)
        assert cleared.startswith(f"PostgreSQL main: lock chain cleared (pid {pid} ended; was blocking 3 for ")
    finally:
        await end_sessions(pg_dsn, [c for c in [holder, *(queued or [])] if c is not None], tasks)
        await collector.aclose()


async def test_a_commit_releases_the_chain_and_says_so(pg_dsn, lock_tables):
    table = lock_tables[1]
    collector = PostgresCollector(PostgresTarget(name="main", dsn=pg_dsn))
    observer = LockChainChanges(EVERY_CHANGE)
    holder, queued, tasks = await _hold_and_queue(pg_dsn, table, 1)
    try:
        await _refresh(collector, observer)  # already there when warroom started: the baseline
        assert await _refresh(collector, observer) == []
        await holder.execute("COMMIT")
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
        [cleared] = await _refresh(collector, observer)
        pid = holder.info.backend_pid
        assert cleared.startswith(f"PostgreSQL main: lock chain cleared (pid {pid} released its locks; was blocking 1 for ")
    finally:
        await end_sessions(pg_dsn, [holder, *queued], tasks)
        await collector.aclose()


async def test_the_pane_writes_both_lines_to_the_timeline(pg_dsn, lock_tables):
    """Through the dashboard's own wiring: the registry's observer, the poll loop, the pane."""
    app = PaneHost("postgres", {"operator": "alice", "postgres": [{"name": "main", "dsn": pg_dsn, "interval": "200ms"}],
                                "auto_timeline": {"consecutive": 2, "min_interval": "0s"}})
    holder = queued = None
    tasks = []
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: len(app.snapshots) >= 2)
        try:
            holder, queued, tasks = await _hold_and_queue(pg_dsn, lock_tables[2], 2)
            pid = holder.info.backend_pid
            await until(pilot, lambda: any(f"pid {pid} (holder-app" in t for t in app.automatic))
            async with await connect(pg_dsn, "warroom-test-kill") as admin:
                await admin.execute("SELECT pg_terminate_backend(%s)", [pid])
            await until(pilot, lambda: any("lock chain cleared" in t for t in app.automatic))
            [cleared] = [t for t in app.automatic if "lock chain cleared" in t]
            assert f"(pid {pid} ended; was blocking 2 for " in cleared
        finally:
            await end_sessions(pg_dsn, [c for c in [holder, *(queued or [])] if c is not None], tasks)


# --- the rules, on hand-built trees -------------------------------------------------------------
def _backend(pid: int, blocked_by: tuple[int, ...] = (), start: str = "s", wait_s: float = 0.0) -> Backend:
    return Backend(pid, "app", "db", "shop", "", "idle in transaction" if not blocked_by else "active", "", "", "q", f"{start}{pid}",
                   query_s=wait_s, xact_s=120.0, blocked_by=blocked_by, lock_type="relation", relation="orders", lock_wait_s=wait_s)


def _snap(at: datetime, *backends: Backend, error: str | None = None) -> Snapshot[PostgresStatus]:
    status = PostgresStatus("db", 170000, 100, {}, {}, 0, [], build_lock_tree(list(backends)), {b.pid: b for b in backends})
    return Snapshot("postgres", "main", at, Level.OK, error, None if error else status)


def _run(observer: LockChainChanges, *snapshots: Snapshot[PostgresStatus]) -> list[str]:
    return [line for snap in snapshots for line in observer.observe(snap).observations]


def _chain(pid: int = 10, start: str = "s", waited: float = 30.0) -> tuple[Backend, ...]:
    return _backend(pid, start=start), _backend(pid + 1, (pid,), wait_s=waited), _backend(pid + 2, (pid,), wait_s=5.0)


def test_a_one_refresh_chain_is_no_news_and_a_failed_refresh_changes_nothing():
    observer = LockChainChanges(EVERY_CHANGE)
    at = [T0 + timedelta(seconds=5 * i) for i in range(8)]
    assert _run(observer, _snap(at[0]), _snap(at[1]), _snap(at[2], *_chain()), _snap(at[3]), _snap(at[4])) == []
    lines = _run(observer, _snap(at[5], *_chain()), _snap(at[6], error="timeout"), _snap(at[7], *_chain()))
    assert lines == ["PostgreSQL main: pid 10 (shop, idle in transaction 2m) blocks 2 sessions on orders"]


def test_cleared_waits_for_the_rate_limit_and_counts_from_the_oldest_wait():
    observer = LockChainChanges(AutoTimelineSettings(consecutive=1, min_interval=timedelta(seconds=60)))
    assert _run(observer, _snap(T0)) == []
    formed = _run(observer, _snap(T0 + timedelta(seconds=5), *_chain(waited=30.0)))
    assert formed == ["PostgreSQL main: pid 10 (shop, idle in transaction 2m) blocks 2 sessions on orders"]
    # Gone 20 s later: held back by min_interval, not lost.
    assert _run(observer, _snap(T0 + timedelta(seconds=25))) == []
    [cleared] = _run(observer, _snap(T0 + timedelta(seconds=70)))
    # Blocking since its oldest waiter began (T0 - 25 s), until it was first seen gone (T0 + 25 s).
    assert cleared == "PostgreSQL main: lock chain cleared (pid 10 ended; was blocking 2 for 50s)"


def test_a_reused_pid_is_a_new_root():
    observer = LockChainChanges(AutoTimelineSettings(consecutive=1, min_interval=timedelta(0)))
    at = [T0 + timedelta(seconds=5 * i) for i in range(3)]
    _run(observer, _snap(at[0]))
    assert len(_run(observer, _snap(at[1], *_chain(start="a")))) == 1
    lines = _run(observer, _snap(at[2], *_chain(start="b")))
    assert [line.split(" (")[0] for line in lines] == ["PostgreSQL main: pid 10", "PostgreSQL main: lock chain cleared"]


def test_disabled_auto_timeline_says_nothing():
    observer = LockChainChanges(AutoTimelineSettings(enabled=False, consecutive=1))
    assert _run(observer, _snap(T0), _snap(T0 + timedelta(seconds=5), *_chain()), _snap(T0 + timedelta(seconds=10))) == []
