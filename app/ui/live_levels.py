"""What the live panes say is wrong, in one place: the status strip's "✖ 2 CRIT" and the
resolve dialog's list of checks still failing.

Worked out per collector when its snapshot arrives (not each second), from the same
checks `warroom status` prints, so both front ends name a failing check alike.
"""

from __future__ import annotations

from collections.abc import Iterable
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

    def __init__(self) -> None:
        self._by_collector: dict[tuple[str, str], list[LiveProblem]] = {}

    def observe(self, collectors: Iterable[Collector[Any]], snapshot: Snapshot[Any]) -> bool:
        """Take in a snapshot of one of `collectors`; True when its problems changed."""
        collector = find_collector(collectors, snapshot)
        if collector is None:
            return False
        key = (snapshot.source, snapshot.name)
        found = problems_of(collector, snapshot)
        if key in self._by_collector and self._by_collector[key] == found:
            return False
        self._by_collector[key] = found
        return True

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


def find_collector(collectors: Iterable[Collector[Any]], snapshot: Snapshot[Any]) -> Collector[Any] | None:
    return next((c for c in collectors if c.source == snapshot.source and c.name == snapshot.name), None)
