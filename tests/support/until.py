"""One bounded wait for tests driving an App: background workers get time, never a fixed sleep."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(pilot, predicate: Callable[[], object], timeout: float = 15.0, message: str = "") -> None:
    """Let the app run until `predicate()` holds; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, message or "condition not reached in time"
        await pilot.pause(0.02)
