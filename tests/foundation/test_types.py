"""mypy over app/ ([tool.mypy] in pyproject.toml) finds no errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Being reworked on the `scale` branch, whose owner fixes their types; they join the check
# once that branch is merged (then this set goes and the test asserts mypy's exit status).
NOT_YET_CHECKED = {"app/collectors/health.py", "app/ui/panes/health.py", "app/status.py", "app/ui/live.py"}


@pytest.mark.slow
def test_mypy_finds_no_type_errors_in_app():
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "app"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    report = out.stdout + out.stderr
    # 0: clean, 1: type errors; anything else is mypy failing to run (bad config, crash).
    assert out.returncode in (0, 1), report
    errors = [line for line in out.stdout.splitlines() if ": error:" in line]
    assert errors or out.returncode == 0, report
    ours = [line for line in errors if Path(line.split(":", 1)[0]).as_posix() not in NOT_YET_CHECKED]
    assert ours == [], "\n".join(ours)
