"""The PostgresPane in a tiny host App, against real lock chains on a real server."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from app.ui.panes.postgres import PostgresPane
from app.ui.panes.postgres_screens import BackendDetailScreen, ConfirmActionScreen
from tests.postgres.pg_cluster_support import connect, end_sessions, wait_pids_waiting
from tests.support import PaneHost, until


async def _chain(dsn: str, table: str):
    """A holds `table` idle in transaction, B waits for it."""
    a = await connect(dsn, "holder-app")
    b = await connect(dsn, "waiter-app")
    await a.execute("BEGIN")
    await a.execute(psycopg.sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(psycopg.sql.Identifier(table)))
    await b.execute("BEGIN")
    task = asyncio.create_task(b.execute(psycopg.sql.SQL("SELECT count(*) FROM {}").format(psycopg.sql.Identifier(table))))
    await wait_pids_waiting(dsn, [b.info.backend_pid])
    return a, b, task


def pane_host(**target) -> PaneHost:
    """The pane as the dashboard builds it, with `alice` as the operator its actions name."""
    return PaneHost("postgres", {"operator": "alice", "postgres": [target]})


def _cell(table, row: int, col: int) -> str:
    value = table.get_row_at(row)[col]
    return getattr(value, "plain", str(value))


async def test_tree_shows_root_enter_opens_detail_actions_read_only(pg_dsn, lock_tables):
    a, b, task = await _chain(pg_dsn, lock_tables[0])
    app = pane_host(name="main", dsn=pg_dsn, interval="60s")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            pane = app.query_one(PostgresPane)
            view = pane._views["main"]
            await until(pilot, lambda: view.status is not None)
            locks = view.query_one(".pg-locks")
            assert _cell(locks, 0, 0) == f"● {a.info.backend_pid} ROOT"
            assert _cell(locks, 1, 0).endswith(str(b.info.backend_pid))
            assert _cell(locks, 1, 2) == "AccessShareLock" and _cell(locks, 1, 3) == lock_tables[0]
            summary = str(view.query_one(".pg-summary").render())
            assert "main" in summary and "waiting 1" in summary

            locks.focus()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, BackendDetailScreen)
            assert app.screen.backend.pid == a.info.backend_pid
            await pilot.press("escape")
            await pilot.pause()

            await pilot.press("K")
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmActionScreen)
            assert any("allow_actions: true" in n.message for n in app._notifications)

            await pilot.press("p")
            await pilot.pause()
            pins = [m for m in app.timeline if m.kind == "observation"]
            assert pins and f"ROOT pid {a.info.backend_pid}" in pins[-1].text
            assert f"pid {b.info.backend_pid}" in pins[-1].text
            app.save_screenshot("postgres_pane.svg", path="/tmp")
    finally:
        await end_sessions(pg_dsn, [a, b], [task])


async def test_terminate_offers_root_blocker_first_and_logs_the_action(pg_dsn, lock_tables):
    a, b, task = await _chain(pg_dsn, lock_tables[1])
    app = pane_host(name="main", dsn=pg_dsn, interval="60s", allow_actions=True)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            view = app.query_one(PostgresPane)._views["main"]
            await until(pilot, lambda: view.status is not None)
            locks = view.query_one(".pg-locks")
            locks.focus()
            await pilot.press("down")  # select the waiter ...
            await pilot.press("K")
            await until(pilot, lambda: isinstance(app.screen, ConfirmActionScreen))
            assert app.screen.backend.pid == a.info.backend_pid  # ... the root blocker is offered first
            await pilot.press("enter")  # Back has the focus: Enter alone never terminates ...
            await until(pilot, lambda: getattr(getattr(app.screen, "backend", None), "pid", None) == b.info.backend_pid)  # ... then the selected one
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, ConfirmActionScreen))
            assert not any(m.kind == "action" for m in app.timeline)
            await pilot.press("K")
            await until(pilot, lambda: isinstance(app.screen, ConfirmActionScreen))
            await pilot.press("left", "enter")  # as every confirmation says: ← then Enter
            await until(pilot, lambda: any(m.kind == "action" for m in app.timeline))
            entry = next(m for m in app.timeline if m.kind == "action")
            assert f"terminate backend {a.info.backend_pid}" in entry.text
            assert "by alice" in entry.text and ": done:" in entry.text
            # the waiter got its lock: the chain is really gone
            assert (await asyncio.wait_for(task, 10)) is not None
    finally:
        await end_sessions(pg_dsn, [a, b], [task])


async def test_pane_goes_stale_and_recovers_with_timeline_observations(owned_cluster):
    app = pane_host(name="own", dsn=owned_cluster.dsn, interval="200ms")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(PostgresPane)
        view = pane._views["own"]
        await until(pilot, lambda: view.status is not None)
        owned_cluster.stop()
        await until(pilot, lambda: pane.has_class("-stale"))
        assert view.has_class("-stale") and view.status is not None  # last data kept
        # The observation reaches the timeline as a message of its own, a turn after the pane.
        await until(pilot, lambda: any("connection lost" in m.text for m in app.timeline))
        owned_cluster.start()
        await until(pilot, lambda: not pane.has_class("-stale"), timeout=30)
        await until(pilot, lambda: any("connection recovered" in m.text for m in app.timeline))


async def test_names_from_the_server_are_shown_literally(pg_dsn):
    """A role and a table whose names look like markup: the pane shows them as they are."""
    role, table = "[red]mallory[/red]", "[b]orders[/b]"
    async with await connect(pg_dsn, "setup") as setup:
        exists = await (await setup.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])).fetchone()
        if not exists:
            await setup.execute(psycopg.sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'x'").format(psycopg.sql.Identifier(role)))
        await setup.execute(psycopg.sql.SQL("DROP TABLE IF EXISTS {}").format(psycopg.sql.Identifier(table)))
        await setup.execute(psycopg.sql.SQL("CREATE TABLE {} (id int)").format(psycopg.sql.Identifier(table)))
        await setup.execute(psycopg.sql.SQL("GRANT ALL ON {} TO {}").format(psycopg.sql.Identifier(table), psycopg.sql.Identifier(role)))
    params = psycopg.conninfo.conninfo_to_dict(pg_dsn)
    params.update(user=role, password="x")
    a, b, task = await _chain(psycopg.conninfo.make_conninfo(**params), table)
    app = pane_host(name="main", dsn=pg_dsn, interval="60s")
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            view = app.query_one(PostgresPane)._views["main"]
            await until(pilot, lambda: view.status is not None)
            await pilot.pause()
            locks = view.query_one(".pg-locks")
            root_line, waiter_line = locks.render_line(1).text, locks.render_line(2).text
            assert role in root_line, root_line
            assert '"[b]orders[/b]"' in waiter_line and role in waiter_line, waiter_line
    finally:
        await end_sessions(pg_dsn, [a, b], [task])


async def test_cancel_on_an_idle_in_transaction_root_says_it_frees_nothing(pg_dsn, lock_tables):
    a, b, task = await _chain(pg_dsn, lock_tables[2])
    app = pane_host(name="main", dsn=pg_dsn, interval="60s", allow_actions=True)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            view = app.query_one(PostgresPane)._views["main"]
            await until(pilot, lambda: view.status is not None)
            view.query_one(".pg-locks").focus()
            await pilot.press("C")  # cursor on the root: idle in transaction, holding the lock
            await until(pilot, lambda: isinstance(app.screen, ConfirmActionScreen))
            assert app.screen.backend.pid == a.info.backend_pid
            warning = str(app.screen.query_one(".pg-cancel-noop").render())
            assert "no query to cancel" in warning and "Terminate (K)" in warning
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, ConfirmActionScreen))
            assert not any(m.kind == "action" for m in app.timeline)  # declined: nothing sent, nothing logged
    finally:
        await end_sessions(pg_dsn, [a, b], [task])


@pytest.mark.parametrize("press_k", [False, True], ids=["shown", "terminate-offers-each-root"])
async def test_waiter_blocked_by_two_roots_names_both(pg_dsn, lock_tables, press_k):
    """Two sessions share-lock a table, a third wants it exclusively: both are roots, the
    waiter is listed once (under the first) and its row names the other blocker."""
    table = psycopg.sql.Identifier(lock_tables[3])
    s1, s2, w = [await connect(pg_dsn, app) for app in ("share-1", "share-2", "exclusive")]
    task = None
    try:
        for holder in (s1, s2):
            await holder.execute("BEGIN")
            await holder.execute(psycopg.sql.SQL("LOCK TABLE {} IN SHARE MODE").format(table))
        await w.execute("BEGIN")
        task = asyncio.create_task(w.execute(psycopg.sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(table)))
        await wait_pids_waiting(pg_dsn, [w.info.backend_pid])
        app = pane_host(name="main", dsn=pg_dsn, interval="60s", allow_actions=press_k)
        async with app.run_test(size=(200, 60)) as pilot:
            view = app.query_one(PostgresPane)._views["main"]
            await until(pilot, lambda: view.status is not None)
            await pilot.pause()
            tree = view.status.lock_tree
            assert {r.pid for r in tree.roots} == {s1.info.backend_pid, s2.info.backend_pid}
            assert [n.backend.pid for n in tree.nodes].count(w.info.backend_pid) == 1
            waiter = next(n for n in tree.nodes if n.backend.pid == w.info.backend_pid)
            other = next(p for p in (s1.info.backend_pid, s2.info.backend_pid) if p != waiter.root_pid)
            locks = view.query_one(".pg-locks")
            lines = [locks.render_line(y).text for y in range(1, 4)]
            line = next(text for text in lines if str(w.info.backend_pid) in text)
            assert f"{lock_tables[3]} (also {other})" in line, line
            if not press_k:
                return
            locks.focus()
            locks.move_cursor(row=[n.backend.pid for n in tree.nodes].index(w.info.backend_pid))
            await pilot.press("K")
            offered = []
            for _ in range(3):  # each root in turn (either alone frees nothing), then the waiter
                await until(pilot, lambda: isinstance(app.screen, ConfirmActionScreen))
                offered.append((app.screen.backend.pid, app.screen.note))
                await pilot.press("escape")
                await until(pilot, lambda: app.screen.backend.pid != offered[-1][0]
                                  if isinstance(app.screen, ConfirmActionScreen) else True)
            roots = [n.backend.pid for n in tree.nodes if n.is_root]
            assert [pid for pid, _ in offered] == [*roots, w.info.backend_pid]
            assert all("alone does not free it" in note for _, note in offered[:2])
            assert not any(m.kind == "action" for m in app.timeline)
    finally:
        await end_sessions(pg_dsn, [s1, s2, w], [task] if task else [])


async def test_cursor_stays_on_the_same_backend_across_refreshes(pg_dsn, lock_tables):
    """Rows are updated in place: refreshes neither rebuild the table nor move the cursor,
    and when a row above goes away the cursor stays with its backend."""
    a, b, task_b = await _chain(pg_dsn, lock_tables[2])
    c = await connect(pg_dsn, "waiter-app-2")
    await c.execute("BEGIN")
    task_c = asyncio.create_task(c.execute(psycopg.sql.SQL("SELECT count(*) FROM {}").format(psycopg.sql.Identifier(lock_tables[2]))))
    await wait_pids_waiting(pg_dsn, [c.info.backend_pid])
    app = pane_host(name="main", dsn=pg_dsn, interval="200ms")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            view = app.query_one(PostgresPane)._views["main"]
            locks = view.query_one(".pg-locks")
            await until(pilot, lambda: locks.row_count == 3)
            locks.focus()
            locks.move_cursor(row=locks.get_row_index(str(c.info.backend_pid)))
            root_cell = locks.get_row(str(a.info.backend_pid))[0]
            refreshes = len(app.snapshots)
            await until(pilot, lambda: len(app.snapshots) >= refreshes + 3)
            assert locks.selected_key == str(c.info.backend_pid)
            assert locks.get_row(str(a.info.backend_pid))[0] is root_cell  # not rebuilt

            async with await connect(pg_dsn, "warroom-test-cancel") as admin:  # the waiter above the cursor leaves
                await admin.execute("SELECT pg_cancel_backend(%s)", [b.info.backend_pid])
            await until(pilot, lambda: locks.row_count == 2)
            assert locks.selected_key == str(c.info.backend_pid)
    finally:
        await end_sessions(pg_dsn, [a, b, c], [task_b, task_c])
