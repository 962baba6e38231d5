"""What the live sources write to the incident timeline by themselves, decided next to the data.

An observer sees every snapshot of one source, in the poll path, and returns it with the
lines worth an observation attached (`Snapshot.observations`). Panes only pass those on;
so the rules (a new level counts after `consecutive` results, reports are rate-limited, the
first settled level is a baseline) live in one place and are tested without a screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from app.collectors.base import Level, Snapshot
from app.collectors.transitions import Transition, TransitionTracker, describe_transition, format_age
from app.domain.text import one_line
from app.config.timeline import AutoTimelineSettings

if TYPE_CHECKING:
    from app.collectors.error_rates.model import ErrorRateData
    from app.collectors.health import HealthResult
    from app.collectors.locktree import Backend, LockNode
    from app.collectors.postgres import PostgresStatus

T = TypeVar("T")


class Observer(Protocol):
    def observe(self, snapshot: Snapshot[Any]) -> Snapshot[Any]: ...


class NoObservations:
    def observe(self, snapshot: Snapshot[T]) -> Snapshot[T]:
        return snapshot


class Observers:
    """Several observers of one source, each adding its lines in turn."""

    def __init__(self, *observers: Observer) -> None:
        self.observers = observers

    def observe(self, snapshot: Snapshot[T]) -> Snapshot[T]:
        for observer in self.observers:
            snapshot = observer.observe(snapshot)
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


def _sessions(n: int) -> str:
    return f"{n} session" if n == 1 else f"{n} sessions"


@dataclass
class _Root:
    """What was last seen of one root blocker, for the lines written about it."""

    database: str
    backend: Backend
    waiters: int
    blocking_since: datetime
    target: str = ""
    gone_as: str | None = None
    """How it left the tree, judged on the first refresh without it (the only one that asks
    the server about it): 'ended', 'released its locks', or '' for not known."""

    def seen(self, node: LockNode, nodes: list[LockNode], at: datetime) -> None:
        below = [n.backend for n in nodes if n.root_pid == node.backend.pid and not n.is_root]
        # Its oldest waiter tells how long it has blocked, also for a chain older than warroom.
        longest = max((b.wait_s for b in below), default=0.0)
        self.blocking_since = min(self.blocking_since, at - timedelta(seconds=longest))
        self.backend, self.waiters, self.gone_as = node.backend, node.waiters_below, None
        targets = {b.lock_target for b in below if b.blocked_by and b.blocked_by[0] == node.backend.pid}
        self.target = targets.pop() if len(targets) == 1 else ""

    def left(self, status: PostgresStatus) -> None:
        if self.gone_as is not None:
            return
        b = self.backend
        still = status.backends.get(b.pid)
        if still is not None and still.backend_start == b.backend_start or status.roots_connected.get(b.pid) == b.backend_start:
            self.gone_as = "released its locks"
        else:  # the collector asked about it (a root of its last refresh): the server has it no more
            self.gone_as = "ended" if b.pid and b.backend_start else ""

    def formed(self) -> str:
        b = self.backend
        age = format_age(timedelta(seconds=b.duration_s)) if b.duration_s else ""
        what = ", ".join(filter(None, [b.application or b.user, f"{b.activity} {age}".strip()]))
        on = f" on {self.target}" if self.target and self.target != "?" else ""
        return f"PostgreSQL {self.database}: pid {b.pid} ({what}) blocks {_sessions(self.waiters)}{on}"

    def cleared(self, since: datetime) -> str:
        how = f"pid {self.backend.pid} {self.gone_as}" if self.gone_as else f"pid {self.backend.pid} no longer blocks"
        lasted = format_age(since - self.blocking_since)
        return f"PostgreSQL {self.database}: lock chain cleared ({how}; was blocking {self.waiters} for {lasted})"


class LockChainChanges:
    """Root blockers coming and going, under the auto_timeline rules of every observation.

    'PostgreSQL main: pid 123 (app, idle in transaction 2m) blocks 3 sessions on orders' once
    a root blocker is in `consecutive` refreshes in a row; 'PostgreSQL main: lock chain cleared
    (pid 123 ended; was blocking 3 for 4m)' once it has been gone as long. Chains already there
    when warroom starts are the baseline (their end is news, their start was not seen); reports
    are rate-limited per root and overall. A root is one backend: pid and backend_start, so a
    reused pid is a new root. Growth of a chain (3 -> 30 waiters) is the pane's, not news here.
    """

    def __init__(self, settings: AutoTimelineSettings, tz: tzinfo | None = None) -> None:
        self.settings, self.tz = settings, tz
        self.tracker = tracker_for(settings)
        self._roots: dict[str, _Root] = {}
        self._databases: set[str] = set()  # sources with a good refresh already: roots after it are new

    def observe(self, snapshot: Snapshot[T]) -> Snapshot[T]:
        status: PostgresStatus | None = snapshot.data  # type: ignore[assignment]
        if not self.settings.enabled or snapshot.error is not None or status is None:
            return snapshot  # a failed refresh says nothing about locks; ConnectionChanges speaks
        name, at = snapshot.name, snapshot.fetched_at
        nodes = status.lock_tree.nodes
        present = {f"{name}\x1f{n.backend.pid}\x1f{n.backend.backend_start}": n for n in nodes if n.is_root}
        lines = []
        for key, node in present.items():
            root = self._roots.get(key)
            if root is None:
                root = self._roots[key] = _Root(name, node.backend, node.waiters_below, at)
                if name in self._databases:
                    self.tracker.seed(key, Level.OK, at)
            root.seen(node, nodes, at)
            if self.tracker.observe(key, Level.WARN, at) is not None:
                lines.append(root.formed())
        for key in [k for k, r in self._roots.items() if r.database == name and k not in present]:
            root = self._roots[key]
            root.left(status)
            transition = self.tracker.observe(key, Level.OK, at)
            if transition is not None:
                lines.append(root.cleared(transition.since))
            if self.tracker.settled(key):
                self.tracker.forget(key)
                del self._roots[key]
        self._databases.add(name)
        return _said(snapshot, lines)


class AlertGroupChanges:
    """'Alertmanager prod: HighErrorRate firing (3 alerts, CRIT): <summary> (since 14:02:11)'
    when a group starts firing, '… resolved (was CRIT for 12m)' when it is gone, and its level
    changing in between, all under the auto_timeline rules. Groups firing when warroom starts
    are the baseline; a failed refresh says nothing (Reachability speaks)."""

    def __init__(self, settings: AutoTimelineSettings, tz: tzinfo | None = None) -> None:
        self.settings, self.tz = settings, tz
        self.tracker = tracker_for(settings)
        self._seen: dict[str, str] = {}  # key -> alertname, for groups the tracker follows
        self._began: dict[str, datetime] = {}  # key -> when Alertmanager says the group began firing
        self._sources: set[str] = set()

    def observe(self, snapshot: Snapshot[T]) -> Snapshot[T]:
        from app.collectors.alertmanager.model import AlertsData
        from app.collectors.http_client import clean

        data: AlertsData | None = snapshot.data  # type: ignore[assignment]
        if not self.settings.enabled or snapshot.error is not None or data is None:
            return snapshot
        name, at = snapshot.name, snapshot.fetched_at
        firing = {f"{name}\x1f{g.alertname}": g for g in data.groups if not g.suppressed}
        lines = []
        for key, group in firing.items():
            if key not in self._seen and name in self._sources:
                self.tracker.seed(key, Level.OK, at)
            self._seen[key] = group.alertname
            if group.since is not None:
                self._began[key] = group.since
            count = len(group.firing)
            reason = f"{count} alert{'s' if count != 1 else ''}" + (f": {clean(group.summary, 160)}" if group.summary else "")
            transition = self.tracker.observe(key, group.level, at, reason)
            if transition is not None:
                lines.append(self._line(name, group.alertname, transition, began=self._began.get(key)))
        for key in [k for k, n in self._seen.items() if k.startswith(f"{name}\x1f") and k not in firing]:
            transition = self.tracker.observe(key, Level.OK, at)
            if transition is not None:
                quiet = any(g.alertname == self._seen[key] for g in data.groups) or self._seen[key] in data.quiet
                lines.append(self._line(name, self._seen[key], transition, quiet, self._began.get(key)))
            if self.tracker.settled(key):
                self.tracker.forget(key)
                del self._seen[key]
                self._began.pop(key, None)
        self._sources.add(name)
        return _said(snapshot, lines)

    def _line(self, source: str, alertname: str, transition: Transition, quiet: bool = False,
              began: datetime | None = None) -> str:
        since = transition.since.astimezone(self.tz).strftime("%H:%M:%S")
        what = f"Alertmanager {source}: {one_line(alertname) or '(no alertname)'}"
        if transition.level is Level.OK:
            lasted = format_age(transition.since - min(began or transition.previous_since, transition.previous_since))
            # Silenced or inhibited is not resolved: the alert still fires, nobody is told.
            verb = "silenced or inhibited" if quiet else "resolved"
            return f"{what} {verb} (since {since}; was {transition.previous.word} for {lasted})"
        verb = "firing" if transition.previous is Level.OK else f"now {transition.level.word} (was {transition.previous.word})"
        if transition.previous is Level.OK:
            verb += f" {transition.level.word}"
        if transition.previous is Level.OK and began is not None:
            since = began.astimezone(self.tz).strftime("%H:%M:%S")  # Alertmanager's start, not our first sight
        return f"{what} {verb}: {transition.reason} (since {since})"
