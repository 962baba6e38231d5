"""The collector contract every live pane follows.

collect() -> Snapshot, once per interval, from one worker per collector. A collector
never raises for a misbehaving target: it returns a Snapshot with `error` set.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any, ClassVar, Generic, TypeVar

from app.domain.text import one_line


class Level(IntEnum):
    """Ordered by badness for sorting; UNKNOWN maps to Nagios exit code 3."""

    OK = 0
    WARN = 1
    CRIT = 2
    UNKNOWN = 3

    @property
    def word(self) -> str:
        return {0: "OK", 1: "WARN", 2: "CRIT", 3: "UNKNOWN"}[self.value]

    @property
    def symbol(self) -> str:
        return {0: "✔", 1: "▲", 2: "✖", 3: "?"}[self.value]

    @property
    def css_class(self) -> str:
        return {0: "-ok", 1: "-warn", 2: "-crit", 3: "-unknown"}[self.value]

    @property
    def json_name(self) -> str:
        return self.word.lower()

    @property
    def severity_rank(self) -> int:
        """For 'worst of': CRIT > WARN > UNKNOWN > OK."""
        return {0: 0, 3: 1, 1: 2, 2: 3}[self.value]


def worst(levels: list[Level]) -> Level:
    return max(levels, key=lambda lv: lv.severity_rank, default=Level.OK)


T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot(Generic[T]):
    """One run of a collector. `data` is what the source found (each source its own type),
    kept when `error` says the collector itself failed, where the source can."""

    source: str
    name: str
    fetched_at: datetime
    level: Level
    error: str | None = None
    data: T | None = None
    observations: tuple[str, ...] = ()
    """Automatic timeline entries decided in the poll path (a confirmed level change, a lost
    or recovered connection): the pane asks the app to log them and decides nothing."""

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Check:
    """One line of `warroom status`: source, name, level, summary, detail."""

    source: str
    name: str
    level: Level
    summary: str
    detail: dict[str, Any] = field(default_factory=dict)
    listed: bool = True
    """Shown in the text table; healthy members of big groups (pods) are JSON-only."""

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "name": self.name,
            "level": self.level.json_name,
            "summary": self.summary,
            "detail": self.detail,
        }


class Collector(ABC, Generic[T]):
    source: ClassVar[str]
    name: str
    interval: float = 10.0
    timeout: float = 5.0
    retries_itself: ClassVar[bool] = False
    """collect() only reads a cache that the collector's own background tasks keep, and
    those back off on their own: the pane then polls at the interval, with no backoff of
    its own, so recovery shows as soon as the cache has it."""

    @abstractmethod
    async def collect(self) -> Snapshot[T]: ...

    @abstractmethod
    def checks(self, snapshot: Snapshot[T]) -> list[Check]:
        """The snapshot as lines for `warroom status`."""

    async def aclose(self) -> None:
        """Release connections; called once at shutdown."""

    def once(self) -> None:
        """It will be collected once and closed (`warroom status`): a collector may trade
        what a long-running dashboard needs for the speed of that one run."""


class Backoff:
    """Exponential backoff for repeated failures: 1 s, 2 s, 4 s ... capped."""

    def __init__(self, initial: float = 1.0, maximum: float = 30.0) -> None:
        self.initial, self.maximum = initial, maximum
        self.failures = 0

    def success(self) -> None:
        self.failures = 0

    def failure(self) -> float:
        self.failures += 1
        return min(self.maximum, self.initial * 2 ** (self.failures - 1))

    def delay(self, interval: float) -> float:
        if not self.failures:
            return interval
        return max(interval, min(self.maximum, self.initial * 2 ** (self.failures - 1)))


def now_utc() -> datetime:
    return datetime.now(UTC)


async def collect_safely(collector: Collector[T]) -> Snapshot[T]:
    """Run collect() and turn any escape (a bug or a target's surprise) into an error snapshot."""
    try:
        return safe_error(await collector.collect())
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - a target must never take the app down
        return Snapshot(collector.source, collector.name, now_utc(), Level.UNKNOWN, one_line(f"{type(exc).__name__}: {exc}"))


def safe_error(snapshot: Snapshot[T]) -> Snapshot[T]:
    """An error's text often quotes the target (a reason phrase, a server message): it is
    shown on one line with its control characters visible, wherever it goes next."""
    if snapshot.error is None:
        return snapshot
    cleaned = one_line(snapshot.error)
    return snapshot if cleaned == snapshot.error else replace(snapshot, error=cleaned)
