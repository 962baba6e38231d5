"""Countdowns: remaining time with symbol + word + colour class, one line each."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from app.domain.timers import SYMBOLS, Countdown, TimerState, format_remaining
from app.ui.widgets.one_line import OneLine

STATE_CLASS = {
    TimerState.OK: "-ok",
    TimerState.DUE_SOON: "-warn",
    TimerState.OVERDUE: "-crit",
    TimerState.MET: "-ok",
}


def countdown_line(c: Countdown, tz) -> str:
    word = str(c.state)
    if c.state is TimerState.MET:
        when = (c.met_at or c.due_at).astimezone(tz).strftime("%H:%M")
        detail = f"done {when}" if c.met_at else f"ended {c.due_at.astimezone(tz).strftime('%H:%M')}"
    elif c.state is TimerState.OVERDUE:
        detail = f"{format_remaining(-c.remaining)} late"
    else:
        detail = f"{format_remaining(c.remaining)} left"
    return f"{SYMBOLS[c.state]} {word:<8} {detail:<10} {c.label}"


class CountdownsPanel(Vertical):
    """Lines keyed by countdown key, asked for each second; a line is repainted only when its
    text or state changed (a far deadline shows whole minutes: once a minute), and never
    laid out again. A second in which nothing changed costs no render at all."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: dict[str, OneLine] = {}  # countdown key -> its line
        self._shown: dict[str, tuple[str, TimerState]] = {}  # countdown key -> what is on screen
        self._last: list[tuple[str, str, TimerState]] | None = None  # every line, as last asked

    def compose(self) -> ComposeResult:
        self._empty = Static("No countdowns.", classes="countdown-empty", markup=False)
        yield self._empty

    def show(self, items: list[Countdown], tz) -> None:
        lines = [(c.key, countdown_line(c, tz), c.state) for c in items]
        if lines == self._last:
            return  # most seconds: nothing on these lines changed, and this is all it costs
        if not self.is_attached or not self.app.is_running:
            return  # the 1 s tick can fire while the app is shutting down
        self._last = lines
        if self._empty.display != (not items):
            self._empty.display = not items
        wanted = {c.key for c in items}
        for key in [k for k in self._lines if k not in wanted]:
            self._lines.pop(key).remove()
            self._shown.pop(key, None)
        for c in items:
            widget = self._lines.get(c.key)
            if widget is None:
                widget = self._lines[c.key] = OneLine(classes="countdown", name=c.key)
                self.mount(widget)
            line = next(text for key, text, _ in lines if key == c.key)
            if self._shown.get(c.key) == (line, c.state):
                continue
            self._shown[c.key] = (line, c.state)
            widget.set_line(Text(line))
            for cls in ("-ok", "-warn", "-crit"):
                widget.set_class(cls == STATE_CLASS[c.state], cls)
