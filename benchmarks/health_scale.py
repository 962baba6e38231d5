"""Thousands of health checks: TUI first frame, ctrl+q to exit, `warroom status` wall time.

The real TUI runs in a pseudo-terminal (120x40); the targets are a fast HTTP server in a
process of its own (tests/health/scale_server.py) on a few 127.0.0.1 ports, each check its
own path. "hung" runs use a server that never answers. Prints JSON, each figure beside its
goal (issue 17 item 15).

Run: python benchmarks/health_scale.py [COUNT ...]   (in the project's venv; default 1000 20000)
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORTS = 4
TIMEOUT_S = 5  # the checks' default timeout
HUNG_TIMEOUT_S = 2
GIVE_UP_S = 150.0
FIRST_FRAME_MARK = b"Health"  # the pane's border title, drawn in the first frame
GOALS = {
    "first_frame_s": "does not wait for the checks: < 1 s, as with 10 checks",
    "quit_s": "< 1 s whatever is configured",
    "status_s": f"<= largest timeout + 1 s ({TIMEOUT_S + 1} s; {HUNG_TIMEOUT_S + 1} s hung)",
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


def write_config(directory: Path, count: int, timeout: float = TIMEOUT_S) -> Path:
    # ${P0}..: the servers' base URLs come from the environment (see `environment`), so
    # 20,000 checks fit the 1 MiB config limit.
    lines = [f"- {{name: c{i}, url: '${{P{i % PORTS}}}/{i}', timeout: {timeout:g}s}}" for i in range(count)]
    path = directory / f"health-{count}-{timeout:g}.yaml"
    path.write_text("health:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def environment(server: Server) -> dict[str, str]:
    return dict(os.environ, **{f"P{i}": f"http://127.0.0.1:{port}" for i, port in enumerate(server.ports)})


def _drain(master: int, wait: float) -> bytes:
    ready, _, _ = select.select([master], [], [], wait)
    if not ready:
        return b""
    try:
        return os.read(master, 1 << 16)
    except OSError:
        return b""


def run_tui(config: Path, store: Path, server: Server, settle_s: float) -> dict[str, float | None]:
    """Start the TUI, time its first frame; after `settle_s` more, press ctrl+q and time the exit."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = dict(environment(server), TERM="xterm-256color", COLUMNS="120", LINES="40")
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "--config", str(config), "--store", f"sqlite:///{store}", "--operator", "bench"],
        stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, start_new_session=True,
    )
    os.close(slave)
    seen, first_frame = b"", None
    try:
        while first_frame is None and process.poll() is None and time.perf_counter() - started < GIVE_UP_S:
            seen = (seen + _drain(master, 0.02))[-4096:]
            if FIRST_FRAME_MARK in seen:
                first_frame = time.perf_counter() - started
        settle_until = time.perf_counter() + settle_s
        while time.perf_counter() < settle_until:
            _drain(master, 0.05)
        os.write(master, b"\x11")  # ctrl+q
        pressed = time.perf_counter()
        while process.poll() is None and time.perf_counter() - pressed < GIVE_UP_S:
            _drain(master, 0.01)
        quit_s = time.perf_counter() - pressed if process.poll() is not None else None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return {"first_frame_s": _round(first_frame), "quit_s": _round(quit_s)}


def run_status(config: Path, server: Server) -> dict[str, float | int | str]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "app", "status", "--config", str(config)],
                            capture_output=True, text=True, cwd=ROOT, env=environment(server), timeout=600)
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


def measure(count: int, directory: Path) -> dict[str, object]:
    figures: dict[str, object] = {}
    server = Server()
    try:
        config = write_config(directory, count)
        figures.update(run_tui(config, directory / f"store-{count}.db", server, settle_s=3.0))
        status = run_status(config, server)
        figures["status_s"] = status["status_s"]
        figures["status_summary"] = status["summary"]
        figures["peak_connections"] = server.stats()["peak"]
    finally:
        server.stop()
    hung = Server(hold_all=True)
    try:
        config = write_config(directory, count, HUNG_TIMEOUT_S)
        tui = run_tui(config, directory / f"store-hung-{count}.db", hung, settle_s=1.0)
        figures["hung_first_frame_s"], figures["hung_quit_s"] = tui["first_frame_s"], tui["quit_s"]
        status = run_status(config, hung)
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
            config = write_config(Path(tmp), 10)
            results["checks_10"] = run_tui(config, Path(tmp) / "store-10.db", reference, settle_s=1.0)
        finally:
            reference.stop()
        for count in counts:
            results[f"checks_{count}"] = measure(count, Path(tmp))
    print(json.dumps({"benchmark": "health_scale", "size": "120x40", "timeouts_s": {"checks": TIMEOUT_S, "hung": HUNG_TIMEOUT_S},
                      **results}, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
