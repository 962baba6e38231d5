"""Many checks on one event loop: bounded connections and one scheduler for all of them.

A config can list thousands of health checks. One worker per check on the UI's loop made
20,000 checks cost 19 s before the first frame and minutes to quit; opening a connection
per check at once made 20,000 sockets (and the HTTP pool, which scans its connections for
every request, quadratic). Here the connections in flight are bounded, in all and per
host, and one task schedules every check by its next due time.
"""

from __future__ import annotations

import asyncio
import heapq
import resource
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any

from app.collectors.base import Backoff, Collector, Level, Snapshot, collect_safely, now_utc

MAX_IN_FLIGHT = 500
"""Requests at once, in all. Each holds a socket; half the process's file limit at most."""
MAX_PER_HOST = 100
"""Requests at once to one host:port: the dashboard must not pile onto a struggling target.
A config with up to this many checks of one host still sees all of them run at once."""


def _in_flight_limit() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return MAX_IN_FLIGHT if soft == resource.RLIM_INFINITY else max(16, min(MAX_IN_FLIGHT, soft // 2))


class Gate:
    """How many requests may be in flight: in all, and to one host.

    Made where the collectors are built and used only on the loop their requests run on.
    """

    def __init__(self, total: int | None = None, per_host: int = MAX_PER_HOST) -> None:
        self.total = total or _in_flight_limit()
        self.per_host = per_host
        self._all: asyncio.Semaphore | None = None
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def _semaphores(self, host: str) -> tuple[asyncio.Semaphore, asyncio.Semaphore]:
        if self._all is None:
            self._all = asyncio.Semaphore(self.total)
        per_host = self._hosts.get(host)
        if per_host is None:
            per_host = self._hosts[host] = asyncio.Semaphore(self.per_host)
        return self._all, per_host

    def free(self, host: str) -> bool:
        """Whether a request to `host` would start now."""
        in_all, per_host = self._semaphores(host)
        return not in_all.locked() and not per_host.locked()

    def full(self) -> bool:
        return self._all is not None and self._all.locked()

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        in_all, per_host = self._semaphores(host)
        # The host's turn first: checks queued on a hung host hold no slot of the others.
        async with per_host, in_all:
            yield


def _gate_of(collector: Collector[Any]) -> tuple[Gate | None, str]:
    return getattr(collector, "gate", None), getattr(collector, "host", "")


class Poller:
    """Every collector at its own interval, forever: what `poll()` does for one, for many.

    Runs of one collector never overlap; a collector that fails backs off (1 s .. 30 s);
    `observe` and `deliver` see each snapshot as it comes, on this loop. A collector whose
    host is busy waits in that host's queue without a task of its own.
    """

    def __init__(self, collectors: Sequence[Collector[Any]], observe: Callable[[Snapshot[Any]], Snapshot[Any]],
                 deliver: Callable[[Snapshot[Any]], None]) -> None:
        self.collectors = list(collectors)
        self.observe = observe
        self.deliver = deliver
        self._due: list[tuple[float, int]] = [(0.0, i) for i in range(len(self.collectors))]  # sorted: a heap
        self._waiting: dict[str, deque[int]] = defaultdict(deque)
        self._backoff: dict[int, Backoff] = {}
        self._running: set[asyncio.Task[None]] = set()
        self._wake: asyncio.Event | None = None

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        self._wake = wake = asyncio.Event()
        try:
            while True:
                wake.clear()
                if not self._due:
                    await wake.wait()
                    continue
                at, index = self._due[0]
                if at > loop.time():
                    with suppress(TimeoutError):
                        async with asyncio.timeout(at - loop.time()):
                            await wake.wait()
                    continue
                gate, host = _gate_of(self.collectors[index])
                if gate is not None and gate.full():
                    await wake.wait()  # a run ending frees a slot
                    continue
                heapq.heappop(self._due)
                if gate is not None and not gate.free(host):
                    self._waiting[host].append(index)
                    continue
                task = loop.create_task(self._run_one(index))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
                await asyncio.sleep(0)  # let it take its slot before the next is weighed
        finally:
            for task in self._running:
                task.cancel()

    async def _run_one(self, index: int) -> None:
        loop = asyncio.get_running_loop()
        collector = self.collectors[index]
        try:
            snapshot = self.observe(await collect_safely(collector))
            backoff = self._backoff.get(index)
            if snapshot.error is None:
                if backoff is not None:
                    backoff.success()
                delay = collector.interval
            else:
                backoff = self._backoff.setdefault(index, Backoff())
                backoff.failure()
                delay = backoff.delay(collector.interval)
            self.deliver(snapshot)
        except Exception:  # noqa: BLE001 - a failing deliver must not stop every other check
            delay = collector.interval
        heapq.heappush(self._due, (loop.time() + delay, index))
        _, host = _gate_of(collector)
        waiting = self._waiting.get(host)
        if waiting:
            heapq.heappush(self._due, (0.0, waiting.popleft()))
        assert self._wake is not None
        self._wake.set()


def queue_depth(collectors: Sequence[Collector[Any]]) -> int:
    """How many runs one after another the slowest queue needs: 1 while every check can run at once."""
    per_host: dict[str, int] = defaultdict(int)
    gate: Gate | None = None
    for collector in collectors:
        gate, host = _gate_of(collector)
        per_host[host] += 1
    if gate is None:
        return 1
    return max(-(-len(collectors) // gate.total), max((-(-n // gate.per_host) for n in per_host.values()), default=1))


async def collect_all(collectors: Sequence[Collector[Any]], budget: float) -> list[Snapshot[Any]]:
    """Each collector once, as `warroom status` wants them, within `budget` per run.

    A run queued behind the connection limits is not yet counting: the whole takes at most
    `budget` times the deepest queue (one `budget` while every check can run at once).
    """
    tasks = [asyncio.ensure_future(collect_safely(c)) for c in collectors]
    limit = budget * queue_depth(collectors)
    _, pending = await asyncio.wait(tasks, timeout=limit) if tasks else (set(), set())
    for task in pending:
        task.cancel()
    return [
        task.result() if task not in pending
        else Snapshot(c.source, c.name, now_utc(), Level.UNKNOWN, f"no answer within {limit:g}s")
        for c, task in zip(collectors, tasks, strict=True)
    ]
