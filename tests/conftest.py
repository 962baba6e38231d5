"""Session-wide test settings. Area fixtures live in tests/<area>/conftest.py."""

import os

import pytest


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Never read or write the developer's real config, data or log dirs."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.delenv("WARROOM_CONFIG", raising=False)
    monkeypatch.delenv("WARROOM_STORE", raising=False)
    yield


# room for the 100+ connections test plus everything else running at the same time
SHARED_MAX_CONNECTIONS = 200


@pytest.fixture(scope="session")
def pg_dsn():
    """One real PostgreSQL per test session: WARROOM_TEST_DSN if set, else a pgserver cluster."""
    dsn = os.environ.get("WARROOM_TEST_DSN")
    if dsn:
        yield dsn
        return
    try:
        import pgserver  # noqa: F401
    except ImportError:
        pytest.skip("pgserver is not installed and WARROOM_TEST_DSN is not set")
    from tests.postgres.pg_cluster_support import OwnedCluster, cluster_dir

    with cluster_dir("shared") as base:
        # Set before the first start: no restart.
        cluster = OwnedCluster(base / "data", settings={"max_connections": str(SHARED_MAX_CONNECTIONS)})
        try:
            yield cluster.dsn
        finally:
            cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_kind(request, tmp_path):
    """One store per test, of each kind in turn: the contract holds for all of them."""
    from tests.store_kinds import PostgresKind, SQLiteKind

    if request.param == "sqlite":
        yield SQLiteKind(tmp_path / "contract.db")
        return
    kind = PostgresKind(request.getfixturevalue("pg_dsn"))
    try:
        yield kind
    finally:
        kind.drop()
