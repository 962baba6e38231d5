"""Drill tests: one PostgreSQL for all of them (with the scenarios' max_connections, so the
pane's levels are the scenarios'), each drill with its own services and cluster."""

from __future__ import annotations

import pytest

from tests.postgres.pg_cluster_support import OwnedCluster, cluster_dir

DRILL_MAX_CONNECTIONS = 40  # every packaged scenario's database.max_connections


@pytest.fixture(scope="session")
def drill_dsn():
    try:
        import pgserver  # noqa: F401
    except ImportError:
        pytest.skip("pgserver is not installed")
    # Not WARROOM_TEST_DSN: the levels depend on this server's max_connections.
    with cluster_dir("drill") as base:
        cluster = OwnedCluster(base / "data", settings={"max_connections": str(DRILL_MAX_CONNECTIONS)})
        try:
            yield cluster.dsn
        finally:
            cluster.stop()
