"""The scheduler behind thousands of health checks: bounded per host and in all, no check
stuck behind a busy host, runs of one check never overlapping, each at its interval."""

from __future__ import annotations

import asyncio
from collections import Counter

from app.collectors.base import Check, Collector, Level, Snapshot, now_utc
from app.collectors.check_runs import Gate, Poller, collect_all


class Probe(Collector[None]):
    """Takes a slot of its host like a health check, then waits until the test lets it answer."""

    source = "health"

    def __init__(self, name: str, host: str, gate: Gate, answer: asyncio.Event, seen: Counter[str], interval: float = 60.0) -> None:
        self.name, self.host, self.gate, self.interval = name, host, gate, interval
        self.answer, self.seen = answer, seen
        self.running = 0
        self.most_at_once = 0
        self.runs = 0

    async def collect(self) -> Snapshot[None]:
        async with self.gate.slot(self.host):
            self.runs += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.seen[self.host] += 1
            self.seen[f"{self.host} peak"] = max(self.seen[f"{self.host} peak"], self.seen[self.host])
            try:
                await self.answer.wait()
            finally:
                self.running -= 1
                self.seen[self.host] -= 1
        return Snapshot(self.source, self.name, now_utc(), Level.OK)

    def checks(self, snapshot: Snapshot[None]) -> list[Check]:
        return []


async def _until(predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def test_a_hung_host_holds_only_its_own_slots_and_no_task_per_queued_check():
    gate, hung, answer, seen = Gate(total=10, per_host=3), asyncio.Event(), asyncio.Event(), Counter()
    stuck = [Probe(f"stuck{i}", "http://hung:80", gate, hung, seen) for i in range(200)]
    fine = [Probe(f"fine{i}", "http://fine:80", gate, answer, seen) for i in range(20)]
    delivered: list[str] = []
    poller = Poller(stuck + fine, lambda s: s, lambda s: delivered.append(s.name))
    running = asyncio.create_task(poller.run())
    answer.set()
    try:
        await _until(lambda: len(delivered) == len(fine))  # every fine check answered, past 200 queued hung ones
        assert sorted(delivered) == sorted(p.name for p in fine)
        assert seen["http://hung:80 peak"] == 3 and seen["http://fine:80 peak"] <= 3
        assert sum(1 for p in stuck if p.runs) == 3  # the other 197 wait in the host's queue
        assert len(asyncio.all_tasks()) < 20  # ...without a task each
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_runs_of_one_check_never_overlap_and_follow_its_interval():
    gate, answer, seen = Gate(), asyncio.Event(), Counter()
    answer.set()
    probes = [Probe(f"p{i}", "http://a:80", gate, answer, seen, interval=0.05) for i in range(5)]
    arrived: Counter[str] = Counter()
    poller = Poller(probes, lambda s: s, lambda s: arrived.update([s.name]))
    running = asyncio.create_task(poller.run())
    try:
        await _until(lambda: all(arrived[p.name] >= 4 for p in probes))
        assert all(p.most_at_once == 1 for p in probes)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_status_waits_for_checks_queued_beyond_the_limits():
    # Two at a time, each answering after 0.3 s, with a 0.5 s budget: six checks take three
    # turns (0.9 s) and every one of them still answers.
    gate, seen = Gate(total=2, per_host=2), Counter()

    class Slow(Probe):
        async def collect(self) -> Snapshot[None]:
            async with self.gate.slot(self.host):
                await asyncio.sleep(0.3)
            return Snapshot(self.source, self.name, now_utc(), Level.OK)

    snapshots = await collect_all([Slow(f"s{i}", "http://a:80", gate, asyncio.Event(), seen) for i in range(6)], 0.5)
    assert [s.error for s in snapshots] == [None] * 6
