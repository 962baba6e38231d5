"""Countdowns: remaining time with symbol + word + colour class, one line each."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from app.domain.timers import SYMBOLS, Countdown, TimerState, format_remaining

STATE_CLASS = {
    TimerState.OK: "-ok",
    TimerState.DUE_SOON: "-warn",
    TimerState.OVERDUE: "-crit",
    TimerState.MET: "-ok",
}


def countdown_text(c: Countdown, tz) -> Text:
    word = str(c.state)
    if c.state is TimerState.MET:
        when = (c.met_at or c.due_at).astimezone(tz).strftime("%H:%M")
        detail = f"done {when}" if c.met_at else f"ended {c.due_at.astimezone(tz).strftime('%H:%M')}"
    elif c.state is TimerState.OVERDUE:
        detail = f"{format_remaining(-c.remaining)} late"
    else:
        detail = f"{format_remaining(c.remaining)} left"
    return Text(f"{SYMBOLS[c.state]} {word:<8} {detail:<10} {c.label}")


class CountdownsPanel(Vertical):
    """Lines keyed by countdown key, updated in place each second."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: dict[str, str] = {}  # countdown key -> the text on screen

    def compose(self) -> ComposeResult:
        self._empty = Static("No countdowns.", classes="countdown-empty", markup=False)
        yield self._empty

    def show(self, items: list[Countdown], tz) -> None:
        if not self.is_attached or not self.app.is_running:
            return  # the 1 s tick can fire while the app is shutting down
        if self._empty.display != (not items):
            self._empty.display = not items
        existing = {w.name: w for w in self.query(".countdown").results(Static)}
        wanted = {c.key for c in items}
        for name, gone in existing.items():
            if name not in wanted:
                gone.remove()
                self._shown.pop(name or "", None)
        for c in items:
            widget = existing.get(c.key)
            if widget is None:
                widget = Static("", classes="countdown", name=c.key, markup=False)
                self.mount(widget)
            text = countdown_text(c, tz)
            # Repaint only what changed, and never ask for layout: a line stays one line.
            # (Each second every countdown was re-laid out: most of an idle dashboard's CPU.)
            if self._shown.get(c.key) != text.plain:
                self._shown[c.key] = text.plain
                widget.update(text, layout=False)
            for cls in ("-ok", "-warn", "-crit"):
                widget.set_class(cls == STATE_CLASS[c.state], cls)
