"""`/` in the PostgreSQL pane narrows the lock tree (and long-running table) to the rows
that mention what was typed; the summary line still counts every waiter; Esc clears."""

from __future__ import annotations

import re

from app.ui.panes.postgres import PostgresPane
from tests.postgres.pg_cluster_support import end_sessions
from tests.postgres.test_pane import _chain, pane_host
from tests.support import until


def pids(table) -> set[str]:
    """'● 123 ROOT', '└ 456': the pid of each row drawn."""
    return {re.search(r"\d+", table.get_row_at(i)[0].plain).group() for i in range(table.row_count)}


async def test_filter_narrows_the_lock_tree_not_the_summary(pg_dsn, lock_tables):
    a, b, task_b = await _chain(pg_dsn, lock_tables[0])
    c, d, task_d = await _chain(pg_dsn, lock_tables[1])
    app = pane_host(name="main", dsn=pg_dsn, interval="200ms")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            pane = app.query_one(PostgresPane)
            view = pane._views["main"]
            locks = view.query_one(".pg-locks")
            await until(pilot, lambda: locks.row_count == 4)
            locks.focus()
            await pilot.press("slash", *lock_tables[1], "enter")
            # The holder (its query names the table) and the waiter on it.
            chain = {str(c.info.backend_pid), str(d.info.backend_pid)}
            await until(pilot, lambda: pids(locks) == chain)
            assert "/" + lock_tables[1] + " 2 of" in str(pane.border_title)
            seen = len(app.snapshots)
            await until(pilot, lambda: len(app.snapshots) >= seen + 2)
            assert "waiting 2" in str(view.query_one(".pg-summary").render())  # everything, not the one drawn
            assert locks.row_count == 2
            await pilot.press("escape")
            await until(pilot, lambda: locks.row_count == 4)
    finally:
        await end_sessions(pg_dsn, [a, b, c, d], [task_b, task_d])
