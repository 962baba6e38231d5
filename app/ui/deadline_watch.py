"""What the dashboard does when a countdown goes overdue: ring the bell once, and have one
terminal log an escalation step that just fell due (the core dedups by key)."""

from __future__ import annotations

from collections.abc import Callable

from app.config import Config
from app.domain.incident import IncidentState
from app.domain.timers import Countdown, TimerState
from app.incident import logs_shared_observations

Seen = set[tuple[str, str, object]]


class DeadlineWatch:
    def __init__(self, config: Config, bell: Callable[[], None], log_escalations: Callable[[str], None]) -> None:
        self.config = config
        self.bell = bell
        self.log_escalations = log_escalations
        self.rung: Seen = set()  # countdowns the bell already rang for
        self.escalations_seen: Seen = set()
        self.seeded = False

    def reset(self) -> None:
        """Another incident is shown: what is overdue in it already is not news."""
        self.seeded = False

    def tick(self, state: IncidentState | None, items: list[Countdown]) -> None:
        self._escalations(state, items)
        overdue = {(state.id, c.key, c.due_at) for c in items if c.state is TimerState.OVERDUE} if state else set()
        fresh = overdue - self.rung
        self.rung |= fresh
        # Already overdue when an incident is (re)loaded is not news; going overdue is.
        if fresh and self.seeded:
            self.bell()
        self.seeded = state is not None

    def _escalations(self, state: IncidentState | None, items: list[Countdown]) -> None:
        if state is None or not state.is_open:
            return
        due = {(state.id, c.key, c.due_at) for c in items if c.key.startswith("escalation") and c.state is TimerState.OVERDUE}
        fresh = due - self.escalations_seen
        if fresh:
            self.escalations_seen |= fresh
            if logs_shared_observations(state, self.config.operator, self.config.commander_role):
                self.log_escalations(state.id)
