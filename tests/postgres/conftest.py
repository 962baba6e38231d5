"""PostgreSQL fixtures for the pane and lock tests. The session's server (pg_dsn) lives in
tests/conftest.py: the store's contract suite uses it too."""

from __future__ import annotations

import os

import psycopg
import pytest

from tests.postgres.pg_cluster_support import OwnedCluster, cluster_dir


@pytest.fixture
def owned_cluster():
    """A cluster of this test's own, which it may stop and start."""
    try:
        import pgserver  # noqa: F401
    except ImportError:
        pytest.skip("pgserver is not installed: cannot start a cluster to stop and restart")
    with cluster_dir("owned") as base:
        cluster = OwnedCluster(base / "data")
        try:
            yield cluster
        finally:
            try:
                cluster.stop()
            except Exception:  # noqa: BLE001 - already stopped by the test
                pass


@pytest.fixture(scope="session")
def pg_monitor_dsn(pg_dsn) -> str:
    """A role with nothing but pg_monitor (the recommended grant for warroom)."""
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'warroom_monitor'").fetchone()
        if not exists:
            conn.execute("CREATE ROLE warroom_monitor LOGIN PASSWORD 'monitor-secret' IN ROLE pg_monitor")
    params = psycopg.conninfo.conninfo_to_dict(pg_dsn)
    params.update(user="warroom_monitor", password="monitor-secret")
    return psycopg.conninfo.make_conninfo(**params)


@pytest.fixture
async def lock_tables(pg_dsn):
    """Fresh tables for a lock test; names unique per test so tests never block each other."""
    import uuid

    suffix = uuid.uuid4().hex[:8]
    names = [f"wr_lock_{suffix}_{i}" for i in range(4)]
    async with await psycopg.AsyncConnection.connect(pg_dsn, autocommit=True) as conn:
        for name in names:
            await conn.execute(psycopg.sql.SQL("CREATE TABLE {} (id int PRIMARY KEY, v text)").format(psycopg.sql.Identifier(name)))
            await conn.execute(psycopg.sql.SQL("INSERT INTO {} VALUES (1, 'a'), (2, 'b')").format(psycopg.sql.Identifier(name)))
    yield names


@pytest.fixture
def kind(pg_dsn):
    """A PostgreSQL store in a schema of its own, dropped afterwards."""
    from tests.store_kinds import PostgresKind

    kind = PostgresKind(pg_dsn)
    try:
        yield kind
    finally:
        kind.drop()
