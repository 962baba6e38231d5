"""The terminal driver's input thread (issue 12): it sleeps until a key arrives, and still
reads keys, tells a lone Esc from an escape sequence, and stops at once when asked.
A real pseudo-terminal, the real driver and parser; only where parsed keys go is ours."""

from __future__ import annotations

import asyncio
import os
import pty
import threading
import time
import tty as ttys
from pathlib import Path

import pytest
from textual import events

from app.ui.quiet_driver import QuietLinuxDriver
from tests.health.health_servers import wait_until

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads thread counters from /proc")


class KeysDriver(QuietLinuxDriver):
    def __init__(self, app, keys: list[str]) -> None:
        super().__init__(app)
        self.keys = keys

    def process_message(self, message) -> None:
        if isinstance(message, events.Key):
            self.keys.append(message.key)


def wakeups(thread: threading.Thread) -> int:
    status = Path(f"/proc/self/task/{thread.native_id}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("voluntary_ctxt_switches")).split()[1])


@pytest.fixture
async def terminal():
    """(the driver's input thread, the keys it parsed, the terminal's other end)."""
    main, tty = pty.openpty()
    ttys.setraw(tty)  # as the app's terminal: keys come one by one, not by line
    keys: list[str] = []
    driver = KeysDriver(object(), keys)
    driver.fileno = tty
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()
    yield driver, thread, keys, main
    driver.exit_event.set()
    thread.join(2)
    driver.close()
    os.close(main)
    os.close(tty)


async def test_the_input_thread_sleeps_while_no_key_comes(terminal):
    _driver, thread, _keys, _main = terminal
    await asyncio.sleep(0.2)
    before = wakeups(thread)
    await asyncio.sleep(1.5)
    # Textual's own thread wakes every 0.1 s: 15 times here.
    assert wakeups(thread) - before <= 2


async def test_keys_arrive_and_a_lone_esc_is_a_key_after_the_parser_waits(terminal):
    _driver, _thread, keys, main = terminal
    os.write(main, b"ab\x1b[A")  # a, b, then the up arrow as one escape sequence
    assert wait_until(lambda: keys == ["a", "b", "up"]), keys
    os.write(main, b"\x1b")  # Esc alone: a key only once no sequence follows
    assert wait_until(lambda: keys[-1:] == ["escape"]), keys
    assert keys == ["a", "b", "up", "escape"]


async def test_stopping_wakes_the_sleeping_thread_at_once(terminal):
    driver, thread, _keys, _main = terminal
    await asyncio.sleep(0.2)
    started = time.monotonic()
    driver.exit_event.set()
    thread.join(2)
    assert not thread.is_alive()
    assert time.monotonic() - started < 0.5  # the last drain waits 0.1 s, as Textual's does
