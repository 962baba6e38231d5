"""What the live sources write to the incident timeline by themselves, decided next to the data.

An observer sees every snapshot of one source, in the poll path, and returns it with the
lines worth an observation attached (`Snapshot.observations`). Panes only pass those on;
so the rules (a new level counts after `consecutive` results, reports are rate-limited, the
first settled level is a baseline) live in one place and are tested without a screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from app.collectors.base import Level, Snapshot
from app.collectors.transitions import TransitionTracker, describe_transition, format_age
from app.config.timeline import AutoTimelineSettings

if TYPE_CHECKING:
    from app.collectors.error_rates.model import ErrorRateData
    from app.collectors.health import HealthResult

T = TypeVar("T")


class Observer(Protocol):
    def observe(self, snapshot: Snapshot[Any]) -> Snapshot[Any]: ...


class NoObservations:
    def observe(self, snapshot: Snapshot[T]) -> Snapshot[T]:
        return snapshot


def _said(snapshot: Snapshot[T], lines: list[str]) -> Snapshot[T]:
    return replace(snapshot, observations=snapshot.observations + tuple(lines)) if lines else snapshot


def tracker_for(settings: AutoTimelineSettings) -> TransitionTracker:
    return TransitionTracker(consecutive=settings.consecutive, min_interval=settings.min_interval,
                             max_per_minute=settings.max_per_minute)


@dataclass(frozen=True)
class Reading:
    """One row's level in a snapshot: `key` is stable across snapshots, `label` is what the
    observation calls it, `reason` what it says about the level."""

    key: str
    label: str
    level: Level
    reason: str


class LevelChanges:
    """Rows of a source whose level changes (health checks, error-rate series)."""

    def __init__(self, settings: AutoTimelineSettings, tz: tzinfo | None,
                 readings: Callable[[Snapshot[Any]], Iterable[Reading]]) -> None:
        self.settings, self.tz, self.readings = settings, tz, readings
        self.tracker = tracker_for(settings)

    def observe(self, snapshot: Snapshot[T]) -> Snapshot[T]:
        if not self.settings.enabled:
            return snapshot
        lines = []
        for reading in self.readings(snapshot):
            transition = self.tracker.observe(reading.key, reading.level, snapshot.fetched_at, reading.reason)
            if transition is not None:
                lines.append(describe_transition(reading.label, transition, self.tz))
        return _said(snapshot, lines)


def health_readings(snapshot: Snapshot[HealthResult]) -> list[Reading]:
    """A check that answered; the collector failing itself is the pane's stale line, not news."""
    result = snapshot.data
    if snapshot.error is not None or result is None:
        return []
    return [Reading(snapshot.name, snapshot.name, result.level, result.error or result.summary)]


def error_rate_readings(snapshot: Snapshot[ErrorRateData]) -> list[Reading]:
    from app.collectors.error_rates.model import row_text

    data = snapshot.data
    if snapshot.error is not None or data is None:
        return []
    return [
        Reading(f"{snapshot.name}\x1f{row.key}", f"{snapshot.name} {row.labels}".strip(), row.level, row_text(row, data.unit))
        for row in data.rows
        if row.note != "collecting…"  # not a level yet, only the first of two scrapes
    ]


class ConnectionChanges:
    """'PostgreSQL main: connection lost: …' once, after having worked, then '… recovered'."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._worked: set[str] = set()
        self._lost: dict[str, str] = {}

    def observe(self, snapshot: Snapshot[T]) -> Snapshot[T]:
        name = snapshot.name
        if snapshot.error is None:
            self._worked.add(name)
            if self._lost.pop(name, None) is not None:
                return _said(snapshot, [f"{self.what} {name}: connection recovered"])
        elif name in self._worked and name not in self._lost:
            self._lost[name] = snapshot.error
            return _said(snapshot, [f"{self.what} {name}: connection lost: {snapshot.error}"])
        return snapshot


class Reachability:
    """'Kubernetes prod unreachable' / 'Kubernetes prod back', under the auto_timeline rules:
    confirmed by `consecutive` snapshots, rate-limited, and only once the target has been
    reached (starting against a dead cluster is the stale line's news, not the timeline's)."""

    def __init__(self, what: str, settings: AutoTimelineSettings, tz: tzinfo | None) -> None:
        self.what, self.settings, self.tz = what, settings, tz
        self.tracker = tracker_for(settings)
        self._reached: set[str] = set()

    def observe(self, snapshot: Snapshot[T]) -> Snapshot[T]:
        name = snapshot.name
        if snapshot.error is None:
            self._reached.add(name)
        if name not in self._reached or not self.settings.enabled:
            return snapshot
        level = Level.OK if snapshot.error is None else Level.CRIT
        transition = self.tracker.observe(name, level, snapshot.fetched_at, snapshot.error or "")
        if transition is None:
            return snapshot
        since = transition.since.astimezone(self.tz).strftime("%H:%M:%S")
        if transition.level is Level.CRIT:
            line = f"{self.what} {name} unreachable: {transition.reason} (since {since})"
        else:
            lasted = format_age(transition.since - transition.previous_since)
            line = f"{self.what} {name} back (since {since}; unreachable for {lasted})"
        return _said(snapshot, [line])
