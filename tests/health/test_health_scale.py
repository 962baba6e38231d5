"""Thousands of health checks (issue 17 item 15): the screen comes up and goes away at once,
and no more connections are open at a time than a dashboard should hold.

The TUI tests run the real `warroom` in a pseudo-terminal (tests/health/tui_process.py);
bounds are generous (the goal is < 1 s) so a busy machine does not fail them.
"""

from __future__ import annotations

import asyncio
import time

from app.collectors.check_runs import MAX_PER_HOST
from tests.health.scale_server import ScaleServer
from tests.health.tui_process import TuiProcess, health_config

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


def test_first_frame_waits_neither_for_the_checks_nor_for_their_number(tmp_path):
    # Every answer comes two seconds after its request, so "no check had answered" is
    # what a first frame that waited for them could not show.
    with ScaleServer(answer_after=2.0) as server:
        few, _ = _first_frame(tmp_path, server, 10)
        many, answered = _first_frame(tmp_path, server, MANY)
    assert few is not None and many is not None, "no first frame"
    assert answered == 0, f"the first frame came after {answered} checks had answered"
    # Reading and checking a config of 20,000 entries takes its time; nothing per check
    # on screen may (before: 19 s, against 0.5 s for 10 checks).
    assert many < 3 * few + 5, f"first frame after {many:.1f} s with {MANY} checks, {few:.1f} s with 10"


def test_status_holds_a_bounded_number_of_connections_and_reports_every_check(tmp_path):
    from app.config import Config
    from app.status import gather_checks

    count = 1500
    with ScaleServer(ports=1) as server:
        (port,) = server.ports
        config = Config.model_validate({"health": [{"name": f"c{i}", "url": f"http://127.0.0.1:{port}/{i}"}
                                                   for i in range(count)]})
        checks = asyncio.run(gather_checks(config))
        peak = server.stats()["peak"]
    assert [c.level.word for c in checks] == ["OK"] * count
    assert peak <= MAX_PER_HOST, f"{peak} connections to one host at once"
