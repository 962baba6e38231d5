"""One real PostgreSQL per test session: WARROOM_TEST_DSN if set, else a pgserver cluster."""

from __future__ import annotations

import os

import psycopg
import pytest

from tests.postgres.pg_cluster_support import OwnedCluster, cluster_dir

# room for the 100+ connections test plus everything else running at the same time
SHARED_MAX_CONNECTIONS = 200


@pytest.fixture(scope="session")
def pg_dsn():
    dsn = os.environ.get("WARROOM_TEST_DSN")
    if dsn:
        yield dsn
        return
    try:
        import pgserver  # noqa: F401
    except ImportError:
        pytest.skip("pgserver is not installed and WARROOM_TEST_DSN is not set")
    with cluster_dir("shared") as base:
        # Set before the first start: no restart.
        cluster = OwnedCluster(base / "data", settings={"max_connections": str(SHARED_MAX_CONNECTIONS)})
        try:
            yield cluster.dsn
        finally:
            cluster.stop()


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
