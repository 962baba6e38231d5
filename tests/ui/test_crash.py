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


async def test_a_failed_worker_is_logged_and_said_in_one_line(tmp_path):
    from app.logfile import log_path
    from tests.support import make_app, settle, until

    app = make_app(tmp_path / "w.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)

        async def broken() -> None:
            raise ValueError("collector bug: unexpected payload")

        app.run_worker(broken, name="collect:health:api", exit_on_error=False)

        def said() -> list[str]:
            return [n.message for n in app._notifications if "collect:health:api stopped" in n.message]

        await until(pilot, said)
        said = said()
        assert said and "ValueError: collector bug" in said[0] and len(said[0].splitlines()) == 1
        assert app.is_running
    assert "collector bug: unexpected payload" in log_path().read_text()
