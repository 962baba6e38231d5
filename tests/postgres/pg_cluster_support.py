"""A real PostgreSQL for the postgres tests: pgserver-managed clusters we can stop and start."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path

import psycopg

from app.drill.postgres import LocalPostgres


@contextlib.contextmanager
def cluster_dir(label: str):
    """A world-traversable temp dir: postgres runs as another OS user when we are root,
    and pytest's own tmp dirs are private (0700)."""
    base = Path(tempfile.mkdtemp(prefix=f"warroom-pg-{label}-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


class OwnedCluster(LocalPostgres):
    """A pgserver cluster whose life the test controls (restart, max_connections, freeze)."""

    @contextlib.contextmanager
    def frozen(self):
        """SIGSTOP the postmaster and every backend: a server that hangs, not one that refuses."""
        import signal
        import subprocess

        postmaster = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(postmaster)], capture_output=True, text=True).stdout
        pids = [postmaster, *(int(p) for p in children.split())]
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)


async def connect(dsn: str, app: str = "warroom-test") -> psycopg.AsyncConnection:
    return await psycopg.AsyncConnection.connect(dsn, autocommit=True, application_name=app)


async def wait_until(dsn: str, sql: str, params: dict | None = None, timeout: float = 15.0) -> None:
    """Poll the server until `sql` returns true: the server's own view, bounded in time."""
    deadline = time.monotonic() + timeout
    async with await connect(dsn, "warroom-test-probe") as probe:
        while True:
            row = await (await probe.execute(sql, params or {})).fetchone()
            if row and row[0]:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout}s: {sql}")
            await asyncio.sleep(0.05)


async def wait_pids_waiting(dsn: str, pids: list[int]) -> None:
    await wait_until(
        dsn,
        "SELECT count(*) = %(n)s FROM pg_stat_activity WHERE pid = ANY(%(pids)s) AND wait_event_type = 'Lock'",
        {"n": len(pids), "pids": pids},
    )


async def end_sessions(dsn: str, conns: list[psycopg.AsyncConnection], tasks: list[asyncio.Task] = ()) -> None:
    """Tear down lock scenarios: terminate the backends (which frees every lock), then close."""
    pids = [c.info.backend_pid for c in conns if not c.closed]
    async with await connect(dsn, "warroom-test-cleanup") as admin:
        await admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%(p)s::int[]) AS pid", {"p": pids})
    await asyncio.gather(*tasks, return_exceptions=True)
    for conn in conns:
        await conn.close()
