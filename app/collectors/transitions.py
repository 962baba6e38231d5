"""Decide when a check's level change becomes a timeline observation.

Pure logic, fed one result at a time with an explicit time, so every pane (health, error
rates, postgres, pods) can reuse it and tests need no clock. Three rules:

- a new level counts only after `consecutive` results in a row (one blip is not news);
- the first level a check settles on is the baseline and is not reported (starting
  warroom is not an event);
- reports are rate-limited per check and overall. A change held back by the limit is not
  lost: the tracker remembers the last level it *reported*, and reports the difference
  once allowed. If the check flapped back in the meantime there is nothing to report.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from app.collectors.base import Level


@dataclass(frozen=True)
class Transition:
    """A confirmed level change worth an observation."""

    key: str
    previous: Level
    level: Level
    since: datetime
    """When the first result at the new level arrived."""
    previous_since: datetime
    """When the previous level began (for 'was CRIT for 3m')."""
    reason: str


@dataclass
class _CheckState:
    confirmed: Level | None = None
    confirmed_since: datetime | None = None
    reported: Level | None = None
    reported_since: datetime | None = None
    candidate: Level | None = None
    candidate_since: datetime | None = None
    candidate_count: int = 0
    last_report_at: datetime | None = None
    reason: str = ""


@dataclass
class TransitionTracker:
    consecutive: int = 2
    min_interval: timedelta = timedelta(seconds=60)
    max_per_minute: int = 10
    _checks: dict[str, _CheckState] = field(default_factory=dict)
    _recent: deque[datetime] = field(default_factory=deque)

    def observe(self, key: str, level: Level, at: datetime, reason: str = "") -> Transition | None:
        """Feed one result; returns a Transition when one should be written now."""
        state = self._checks.setdefault(key, _CheckState())
        self._confirm(state, level, at)
        if state.confirmed == level:
            state.reason = reason
        if state.confirmed is None or state.confirmed == state.reported:
            return None
        if state.reported is None:  # the first settled level is the baseline
            state.reported, state.reported_since = state.confirmed, state.confirmed_since
            return None
        if not self._allowed(state, at):
            return None
        transition = Transition(
            key=key,
            previous=state.reported,
            level=state.confirmed,
            since=state.confirmed_since or at,
            previous_since=state.reported_since or at,
            reason=state.reason,
        )
        state.reported, state.reported_since = state.confirmed, state.confirmed_since
        state.last_report_at = at
        self._recent.append(at)
        return transition

    def confirmed(self, key: str) -> tuple[Level, datetime] | None:
        """The settled level of a check and since when, if it has settled."""
        state = self._checks.get(key)
        if state is None or state.confirmed is None or state.confirmed_since is None:
            return None
        return state.confirmed, state.confirmed_since

    def seed(self, key: str, level: Level, at: datetime) -> None:
        """Start `key` as settled and reported at `level`. For a row that appears after its
        source was first seen (a new root blocker): its first level is news, not a baseline."""
        self._checks[key] = _CheckState(confirmed=level, confirmed_since=at, reported=level, reported_since=at)

    def settled(self, key: str) -> bool:
        """Nothing pending for `key`: its settled level is the one reported, no change under way."""
        state = self._checks.get(key)
        return state is None or (state.confirmed is not None and state.confirmed == state.reported and state.candidate is None)

    def forget(self, key: str) -> None:
        self._checks.pop(key, None)

    def _confirm(self, state: _CheckState, level: Level, at: datetime) -> None:
        if level == state.confirmed:
            state.candidate, state.candidate_count = None, 0
            return
        if level != state.candidate:
            state.candidate, state.candidate_since, state.candidate_count = level, at, 0
        state.candidate_count += 1
        if state.candidate_count >= self.consecutive:
            state.confirmed, state.confirmed_since = level, state.candidate_since
            state.candidate, state.candidate_count = None, 0

    def _allowed(self, state: _CheckState, at: datetime) -> bool:
        if state.last_report_at is not None and at - state.last_report_at < self.min_interval:
            return False
        while self._recent and at - self._recent[0] >= timedelta(minutes=1):
            self._recent.popleft()
        return len(self._recent) < self.max_per_minute


def format_age(delta: timedelta) -> str:
    """Compact age for 'since 14:02:11 (3m)': 45s, 3m, 1h12m, 2d3h."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours}h" if hours else f"{days}d"


def describe_transition(name: str, transition: Transition, tz: tzinfo | None = None) -> str:
    """'api CRIT: 503 Service Unavailable (since 14:02:11)', or for a recovery
    'api OK: 200 OK in 12 ms (since 14:05:30; was CRIT for 3m)'."""
    since = transition.since.astimezone(tz).strftime("%H:%M:%S")
    text = f"{name} {transition.level.word}"
    if transition.reason:
        text += f": {transition.reason}"
    suffix = f"since {since}"
    if transition.level.severity_rank < transition.previous.severity_rank:
        lasted = format_age(transition.since - transition.previous_since)
        suffix += f"; was {transition.previous.word} for {lasted}"
    return f"{text} ({suffix})"
