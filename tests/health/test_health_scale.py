"""Thousands of health checks (issue 17 item 15): the screen comes up and goes away at once,
and no more connections are open at a time than a dashboard should hold.

The TUI tests run the real `warroom` in a pseudo-terminal (tests/health/tui_process.py);
bounds are generous (the goal is < 1 s) so a busy machine does not fail them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from app.collectors.check_runs import MAX_PER_HOST
from tests.health.scale_server import ScaleServer
from tests.health.tui_process import ROOT, TuiProcess, health_config

HUNG = 5000
MANY = 20000


def test_quit_is_prompt_while_thousands_of_checks_hang(tmp_path):
    with ScaleServer(hold_all=True) as server:
        config, env = health_config(tmp_path, server.ports, HUNG, timeout=60)
        with TuiProcess(config, tmp_path / "store.db", env) as tui:
            assert tui.first_frame(timeout=120) is not None, "no first frame"
            deadline = time.monotonic() + 60
            while server.stats()["held"] < 100 and time.monotonic() < deadline:
                tui.idle(0.1)
            assert server.stats()["held"] >= 100, "the checks never started"
            took = tui.quit(timeout=5)
            assert took is not None, f"ctrl+q with {HUNG} checks hanging: still running after 5 s"
            assert tui.process.returncode == 0


def _first_frame(tmp_path, server: ScaleServer, count: int) -> tuple[float | None, int]:
    """Seconds to the first frame with `count` checks, and how many checks had answered by then."""
    config, env = health_config(tmp_path, server.ports, count)
    with TuiProcess(config, tmp_path / f"store-{count}.db", env) as tui:
        seconds = tui.first_frame(timeout=120)
        return seconds, server.stats()["answered"]


def _config_check(tmp_path, server: ScaleServer, count: int) -> float:
    """Seconds `warroom check-config` takes to read and validate the same config."""
    config, env = health_config(tmp_path, server.ports, count)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "app", "check-config", "--config", str(config)], cwd=ROOT,
                   env=dict(os.environ, **env), capture_output=True, check=True, timeout=300)
    return time.perf_counter() - started


def test_first_frame_waits_neither_for_the_checks_nor_for_their_number(tmp_path):
    # Every answer comes two seconds after its request, so "no check had answered" is
    # what a first frame that waited for them could not show.
    with ScaleServer(answer_after=2.0) as server:
        few, _ = _first_frame(tmp_path, server, 10)
        many, answered = _first_frame(tmp_path, server, MANY)
        reading = _config_check(tmp_path, server, MANY)
    assert few is not None and many is not None, "no first frame"
    assert answered == 0, f"the first frame came after {answered} checks had answered"
    # Reading a config of 20,000 checks takes its time (check-config: `reading`); nothing
    # done per check may add to it (before: 21 s, reading 4 s, 10 checks 0.5 s).
    assert many < 2 * (reading + few) + 2, f"first frame after {many:.1f} s; config read in {reading:.1f} s"


def test_status_holds_a_bounded_number_of_connections_and_reports_every_check(tmp_path):
    count = 1500
    # Answers take 5 ms, so without the per-host gate all 1,500 would be waiting at once.
    # `warroom status` runs as its own process, as a person runs it: in this one it would
    # share the server's interpreter, and the server would count sockets the client had
    # long closed until its starved loop got round to them.
    with ScaleServer(ports=1, answer_after=0.005) as server:
        (port,) = server.ports
        config = tmp_path / "many.yaml"
        config.write_text(json.dumps({"health": [{"name": f"c{i}", "url": f"http://127.0.0.1:{port}/{i}"}
                                                 for i in range(count)]}))  # JSON is YAML
        status = subprocess.run([sys.executable, "-m", "app", "status", "--json", "--config", str(config)], cwd=ROOT,
                                capture_output=True, text=True, timeout=300)
        stats = server.stats()
    checks = json.loads(status.stdout)["checks"]
    not_ok = [(c["name"], c["level"], c["summary"]) for c in checks if c["level"] != "ok"]
    assert status.returncode == 0 and len(checks) == count and not not_ok, not_ok[:5] or status.stderr[-500:]
    assert stats["peak_waiting"] <= MAX_PER_HOST, f"{stats['peak_waiting']} requests to one host at once"
    # A socket the client closed is counted open until the server's loop notices, so a few over.
    assert stats["peak"] <= MAX_PER_HOST + 20, f"{stats['peak']} connections to one host at once"
