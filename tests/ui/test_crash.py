"""A bug that takes the dashboard down: exit code 1, one line saying where the trace is,
the trace in the log file, and no locals on screen (they can hold secrets)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CRASHING = """
import sys
from app.ui.app import WarroomApp

def on_mount(self):
    webhook_token = "hunter2-very-secret"
    raise RuntimeError("simulated bug in the dashboard")

WarroomApp.on_mount = on_mount
from app.cli import main
sys.exit(main(["--store", sys.argv[1]]))
"""


def test_a_crash_exits_1_logs_the_trace_and_shows_no_locals(tmp_path):
    state = tmp_path / "state"
    env = {**os.environ, "XDG_STATE_HOME": str(state), "TERM": "xterm-256color", "TEXTUAL_HEADLESS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", CRASHING, f"sqlite:///{tmp_path / 'w.db'}"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )
    shown = done.stdout + done.stderr
    assert done.returncode == 1, shown
    assert "hunter2" not in shown
    flat = " ".join(shown.split())  # the error console wraps at the terminal's width
    assert "RuntimeError: simulated bug in the dashboard" in flat and "details in" in flat
    log = next(state.rglob("warroom.log")).read_text()
    assert "Traceback" in log and "simulated bug in the dashboard" in log
