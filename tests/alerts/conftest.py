"""A real Alertmanager per test (about 0.3 s to start), skipped with a reason where absent."""

from __future__ import annotations

import pytest

from tests.alerts.alertmanager_process import ALERTMANAGER, SKIP_REASON, AlertmanagerProcess


@pytest.fixture
def alertmanager(tmp_path):
    if ALERTMANAGER is None:
        pytest.skip(SKIP_REASON)
    process = AlertmanagerProcess(tmp_path)
    try:
        yield process
    finally:
        process.stop()
