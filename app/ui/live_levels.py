"""What the live panes say is wrong, in one place: the status strip's "✖ 2 CRIT" and the
resolve dialog's list of checks still failing.

Worked out per collector when its snapshot arrives (not each second), from the same
checks `warroom status` prints, so both front ends name a failing check alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from app.collectors.base import Check, Collector, Level, Snapshot


@dataclass(frozen=True)
class LiveProblem:
    """One check that is not OK."""

    level: Level
    source: str
    name: str
    summary: str


def problems_of(collector: Collector[Any], snapshot: Snapshot[Any]) -> list[LiveProblem]:
    checks = collector.checks(snapshot)
    members = [c for c in checks if c.name != collector.name]
    if members:
        # A group (a cluster's pods and deployments): its members are the checks; the
        # group's own line only counts when the source itself is unreachable.
        checks = members + [c for c in checks if c.name == collector.name and c.level is Level.UNKNOWN]
    return [_problem(c) for c in checks if c.level is not Level.OK]


def _problem(check: Check) -> LiveProblem:
    return LiveProblem(check.level, check.source, check.name, check.summary)


class LiveLevels:
    """The latest problems of every collector heard from."""

    def __init__(self, collectors: Callable[[], Iterable[Collector[Any]]]) -> None:
        """`collectors`: the live panes' collectors, asked once the first snapshot arrives
        (they are fixed once the panes are composed)."""
        self._collectors_of = collectors
        self._collectors: dict[tuple[str, str], Collector[Any]] | None = None
        self._by_collector: dict[tuple[str, str], list[LiveProblem]] = {}

    def take(self, snapshots: Iterable[Snapshot[Any]]) -> bool:
        """Take in snapshots (one, or a batch of thousands); True when any problems changed."""
        if self._collectors is None:
            self._collectors = {(c.source, c.name): c for c in self._collectors_of()}
        changed = False
        for snapshot in snapshots:
            key = (snapshot.source, snapshot.name)
            collector = self._collectors.get(key)
            if collector is None:
                continue
            found = problems_of(collector, snapshot)
            if self._by_collector.get(key) != found or key not in self._by_collector:
                self._by_collector[key] = found
                changed = True
        return changed

    @property
    def heard_from(self) -> int:
        return len(self._by_collector)

    def problems(self, levels: Iterable[Level] = (Level.CRIT, Level.WARN, Level.UNKNOWN)) -> list[LiveProblem]:
        """Worst first, then by source and name: a stable order for a dialog."""
        wanted = set(levels)
        found = [p for found in self._by_collector.values() for p in found if p.level in wanted]
        return sorted(found, key=lambda p: (-p.level.severity_rank, p.source, p.name))

    def worst(self) -> tuple[Level, int] | None:
        """The worst level and how many checks are at it; None before any data arrived."""
        if not self._by_collector:
            return None
        found = self.problems()
        if not found:
            return Level.OK, 0
        level = found[0].level
        return level, sum(1 for p in found if p.level is level)

