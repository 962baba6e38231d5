"""The loop every live source runs under: collect, decide what is news, deliver, sleep.

One loop per collector, run by the screen's worker (`LivePane`); it holds no screen code,
so what a run of snapshots amounts to is tested without one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from app.collectors.base import Backoff, Collector, Snapshot, collect_safely
from app.collectors.observations import Observer


async def poll(collector: Collector[Any], observer: Observer, deliver: Callable[[Snapshot[Any]], object]) -> None:
    """Forever; runs never overlap, and repeated failures back off (1 s .. 30 s)."""
    backoff = Backoff()
    while True:
        snapshot = observer.observe(await collect_safely(collector))
        if snapshot.error is None:
            backoff.success()
        else:
            backoff.failure()
        deliver(snapshot)
        await asyncio.sleep(collector.interval if collector.retries_itself else backoff.delay(collector.interval))
