"""Header: the title, and milestone times as they are marked.

Id, severity, status and elapsed time are on the status strip (app/ui/status_strip.py),
which spans the screen at every size: repeating them here cost a row at 80x24.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text
from textual.widgets import Static

from app.domain.events import Milestone
from app.domain.incident import IncidentState
from app.domain.metrics import incident_metrics

NO_INCIDENT = "No incident open. Press o to open one, i to pick one."


def format_elapsed(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def header_text(state: IncidentState | None, now: datetime, tz, presence: str = "") -> Text:
    if state is None or state.opened_at is None:
        return Text(NO_INCIDENT)
    # Title comes from a person: appended as plain text, never parsed as markup.
    line = Text()
    line.append(state.title, style="bold")
    marks = [
        f"{m.value} {state.milestones[m].astimezone(tz).strftime('%H:%M')}"
        for m in Milestone
        if m in state.milestones
    ]
    # Reached metrics only: a running one is the elapsed time again, and the line must fit 80 columns.
    reached = [f"{m.short} {m.display}" for m in incident_metrics(state, now) if m.value is not None and not m.running]
    if presence:
        # Operator names are people's text: plain, never markup.
        line.append("\n")
        line.append(presence)
    if marks or reached:
        line.append("\n")
        line.append(" · ".join([*marks, *reached]), style="dim")
    return line


class IncidentHeader(Static):
    """Re-rendered by the app each second (running metrics) and on every applied event."""

    _shown: tuple[str, int] | None = None
    _presence = ""
    _last: tuple[IncidentState | None, datetime, object] | None = None
    _made_from: tuple[object, ...] | None = None

    @property
    def text(self) -> str:
        return self._shown[0] if self._shown else ""

    def show_presence(self, line: str) -> None:
        """Who is on the incident now (empty: nothing to say); shown from the next paint."""
        self._presence = line
        if self._last is not None:
            self.show(*self._last)

    def show(self, state: IncidentState | None, now: datetime, tz) -> None:
        self._last = (state, now, tz)
        # Asked each second, but it shows only reached milestones, which do not move with the
        # clock: the same fold (every event bumps last_seq), zone and presence, the same text.
        made_from = (state, state.last_seq if state else 0, tz, self._presence)
        if self._made_from is not None and all(a is b or a == b for a, b in zip(made_from, self._made_from)):
            return
        self._made_from = made_from
        self.set_class(state is None, "-none")
        text = header_text(state, now, tz, self._presence)
        # Each second this is asked again: repaint only on a change, and lay out only when
        # the number of lines changed (an update that keeps the size needs no layout pass).
        lines = text.plain.count("\n") + 1
        if self._shown is not None and self._shown[0] == text.plain:
            return
        self.update(text, layout=self._shown is None or self._shown[1] != lines)
        self._shown = (text.plain, lines)
