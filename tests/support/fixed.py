"""Collectors that answer with a snapshot made by the test: panes drawn from fixed data,
at a fixed time, with no target anywhere (snapshot tests, layout checks)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from app.collectors.base import Check, Collector, Snapshot

T = TypeVar("T")


class FixedCollector(Collector[T], Generic[T]):
    interval = 3600.0  # one snapshot per test: nothing moves while the screen is compared

    def __init__(self, snapshot: Snapshot[T], target: Any = None) -> None:
        self.source = snapshot.source  # type: ignore[misc]  # a ClassVar elsewhere; one per instance here
        self.name = snapshot.name
        self.target = target
        self.answer = snapshot

    async def collect(self) -> Snapshot[T]:
        return self.answer

    def checks(self, snapshot: Snapshot[T]) -> list[Check]:
        return []
