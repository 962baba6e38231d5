"""One event loop in a background thread where health requests run and are timed.

A latency measured on the UI's event loop includes whatever the loop was busy with when
the answer arrived: a resize or a long timeline redraw made a 2 ms endpoint read 170 ms,
enough for a false "slow" WARN. On a loop of their own, with nothing else to do, requests
are timed as the target answered them (the UI thread can still hold the GIL, but only for
Python's switch interval, 5 ms, at a time).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def probe_loop() -> asyncio.AbstractEventLoop:
    """The process's probe loop, started on first use (a daemon thread: exit never waits for it)."""
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="warroom-probes", daemon=True).start()
        return _loop


async def on_probe_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on the probe loop and wait for it here; cancelling the wait cancels it there."""
    loop = probe_loop()
    if asyncio.get_running_loop() is loop:
        return await coro
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))
