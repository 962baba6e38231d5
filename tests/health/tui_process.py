"""The real `warroom` TUI in a pseudo-terminal, as a person runs it: for what only a whole
process shows (how long ctrl+q takes to give the terminal back, when the first frame is
drawn). Also used by benchmarks/health_scale.py."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRST_FRAME_MARK = b"Health"
"""The health pane's border title: in the first frame whatever the checks do."""
CTRL_Q = b"\x11"


def health_config(directory: Path, ports: list[int], count: int, timeout: float = 5.0, name: str = "health") -> tuple[Path, dict[str, str]]:
    """`count` checks spread over `ports`, each its own path, and the environment they need.

    The base URLs come from ${P0}.. so 20,000 checks fit the 1 MiB config limit.
    """
    lines = [f"- {{name: c{i}, url: '${{P{i % len(ports)}}}/{i}', timeout: {timeout:g}s}}" for i in range(count)]
    path = directory / f"{name}-{count}.yaml"
    path.write_text("health:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path, {f"P{i}": f"http://127.0.0.1:{port}" for i, port in enumerate(ports)}


class TuiProcess:
    """`warroom --config CONFIG` in a 120x40 pseudo-terminal."""

    def __init__(self, config: Path | None, store: Path | None, env: Mapping[str, str], size: tuple[int, int] = (120, 40),
                 args: list[str] | None = None) -> None:
        """`args`: other warroom arguments instead of --config/--store (e.g. `demo`)."""
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        full_env = dict(os.environ, **env, TERM="xterm-256color", COLUMNS=str(size[0]), LINES=str(size[1]))
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", *(args or ["--config", str(config), "--store", f"sqlite:///{store}", "--operator", "test"])],
            stdin=slave, stdout=slave, stderr=slave, env=full_env, cwd=ROOT, start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.output = b""

    def read(self, wait: float = 0.02) -> bytes:
        ready, _, _ = select.select([self.master], [], [], wait)
        if not ready:
            return b""
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:  # the child closed the terminal
            return b""
        self.output = (self.output + data)[-65536:]
        return data

    def wait_for(self, predicate: Callable[[bytes], bool], timeout: float) -> float | None:
        """Seconds since start when `predicate(output so far)` first held; None on timeout or exit."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            self.read()
            if predicate(self.output):
                return time.perf_counter() - self.started
            if self.process.poll() is not None:
                return None
        return None

    def first_frame(self, timeout: float) -> float | None:
        return self.wait_for(lambda seen: FIRST_FRAME_MARK in seen, timeout)

    def idle(self, seconds: float) -> None:
        """Keep reading (a terminal that is not read blocks the app) for `seconds`."""
        until = time.perf_counter() + seconds
        while time.perf_counter() < until:
            self.read(0.05)

    def quit(self, timeout: float) -> float | None:
        """Press ctrl+q; seconds until the process has exited, None if it has not within `timeout`."""
        os.write(self.master, CTRL_Q)
        pressed = time.perf_counter()
        while time.perf_counter() - pressed < timeout:
            self.read(0.01)
            if self.process.poll() is not None:
                return time.perf_counter() - pressed
        return None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        os.close(self.master)

    def __enter__(self) -> TuiProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
