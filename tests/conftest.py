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


@pytest.fixture(params=["sqlite"])
def store_kind(request, tmp_path):
    """One store per test, of each kind in turn: the contract holds for all of them."""
    from tests.store_kinds import SQLiteKind

    return SQLiteKind(tmp_path / "contract.db")
