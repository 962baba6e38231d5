"""Thousands of health checks: TUI first frame, ctrl+q to exit, `warroom status` wall time.

The real TUI runs in a pseudo-terminal (120x40); the targets are a fast HTTP server in a
process of its own (tests/health/scale_server.py) on a few 127.0.0.1 ports, each check its
own path. "hung" runs use a server that never answers. Prints JSON, each figure beside its
goal (issue 17 item 15).

Run: python benchmarks/health_scale.py [COUNT ...]   (in the project's venv; default 1000 20000)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.health.tui_process import TuiProcess, health_config  # noqa: E402

PORTS = 4
TIMEOUT_S = 5  # the checks' default timeout
HUNG_TIMEOUT_S = 2
GIVE_UP_S = 150.0
GOALS = {
    "first_frame_s": "does not wait for the checks: < 1 s, as with 10 checks",
    "quit_s": "< 1 s whatever is configured",
    "status_s": (f"<= largest timeout + 1 s ({TIMEOUT_S + 1} s; {HUNG_TIMEOUT_S + 1} s hung) while every check can run at "
                 "once (<= 100 per host, <= 500 in all); beyond that checks queue: hung, ceil(checks per host / 100) x "
                 "(timeout + 0.5 s); answering, as fast as one thread makes HTTP requests"),
}


class Server:
    """tests/health/scale_server.py in its own process."""

    def __init__(self, hold_all: bool = False) -> None:
        args = [sys.executable, "-m", "tests.health.scale_server", str(PORTS)] + (["--hold-all"] if hold_all else [])
        self.process = subprocess.Popen(args, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        info = json.loads(self.process.stdout.readline())
        self.ports, self.control = info["ports"], info["control"]

    def stats(self) -> dict[str, int]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.control}/stats", timeout=5) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(10)


def run_tui(count: int, directory: Path, server: Server, settle_s: float, timeout: float = TIMEOUT_S) -> dict[str, float | None]:
    """Start the TUI, time its first frame; after `settle_s` more, press ctrl+q and time the exit."""
    config, env = health_config(directory, server.ports, count, timeout, name=f"tui-{timeout:g}")
    with TuiProcess(config, directory / f"store-{count}-{timeout:g}.db", env) as tui:
        first_frame = tui.first_frame(GIVE_UP_S)
        tui.idle(settle_s)
        quit_s = tui.quit(GIVE_UP_S)
    return {"first_frame_s": _round(first_frame), "quit_s": _round(quit_s)}


def run_status(count: int, directory: Path, server: Server, timeout: float = TIMEOUT_S) -> dict[str, float | int | str]:
    config, env = health_config(directory, server.ports, count, timeout, name=f"status-{timeout:g}")
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "app", "status", "--config", str(config)],
                            capture_output=True, text=True, cwd=ROOT, env=dict(os.environ, **env), timeout=1200)
    wall = time.perf_counter() - started
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr.strip()[-200:]
    return {"status_s": round(wall, 2), "exit_code": result.returncode, "summary": last}


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def _with_goals(figures: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in figures.items():
        out[key] = value
        goal = GOALS.get(key.removeprefix("hung_"))
        if goal is not None:
            out[key.removesuffix("_s") + "_goal"] = goal
    return out


def run_check_config(count: int, directory: Path, server: Server) -> float:
    """What reading and validating the config alone takes: the part of the first frame no pane can save."""
    config, env = health_config(directory, server.ports, count, name="check")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "app", "check-config", "--config", str(config)], capture_output=True,
                   cwd=ROOT, env=dict(os.environ, **env), timeout=600, check=True)
    return round(time.perf_counter() - started, 2)


def measure(count: int, directory: Path) -> dict[str, object]:
    figures: dict[str, object] = {}
    server = Server()
    try:
        figures.update(run_tui(count, directory, server, settle_s=3.0))
        figures["check_config_s"] = run_check_config(count, directory, server)
        status = run_status(count, directory, server)
        figures["status_s"] = status["status_s"]
        figures["status_summary"] = status["summary"]
        figures["peak_connections"] = server.stats()["peak"]
    finally:
        server.stop()
    hung = Server(hold_all=True)
    try:
        tui = run_tui(count, directory, hung, settle_s=1.0, timeout=HUNG_TIMEOUT_S)
        figures["hung_first_frame_s"], figures["hung_quit_s"] = tui["first_frame_s"], tui["quit_s"]
        status = run_status(count, directory, hung, HUNG_TIMEOUT_S)
        figures["hung_status_s"] = status["status_s"]
        figures["hung_status_summary"] = status["summary"]
    finally:
        hung.stop()
    return _with_goals(figures)


def main(argv: list[str]) -> None:
    counts = [int(a) for a in argv] or [1000, 20000]
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        reference = Server()
        try:
            results["checks_10"] = run_tui(10, Path(tmp), reference, settle_s=1.0)
        finally:
            reference.stop()
        for count in counts:
            results[f"checks_{count}"] = measure(count, Path(tmp))
    print(json.dumps({"benchmark": "health_scale", "size": "120x40", "timeouts_s": {"checks": TIMEOUT_S, "hung": HUNG_TIMEOUT_S},
                      **results}, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
