"""The CLI front end of the drifted cases: the same decisions as the core, one line each."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(store: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", *args, "--store", f"sqlite:///{store}"], capture_output=True, text=True, cwd=ROOT
    )


def test_cli_refuses_future_iso_milestone_and_resolved_milestone_resolves(tmp_path):
    store = tmp_path / "w.db"
    assert run(store, "incident", "open", "--severity", "SEV2", "--title", "t").returncode == 0
    future = run(store, "incident", "milestone", "mitigated", "--at", "2999-01-01T00:00:00")
    assert future.returncode == 2 and "--at:" in future.stderr and "in the future" in future.stderr
    assert len(future.stderr.strip().splitlines()) == 1
    resolved = run(store, "incident", "milestone", "resolved")
    assert resolved.returncode == 0, resolved.stderr
    assert "resolved" in resolved.stdout.splitlines()[-1]
    listed = json.loads(run(store, "incident", "list", "--json").stdout)
    assert listed[0]["status"] == "resolved"
