"""One line that never leaves the screen: which incident, how bad, how long, the next
deadline and what the live panes say is worst. At 80 columns the incident half shows
nothing of what is broken and the live half nothing of the clock; this line shows both.

Pieces give way by priority when the line is too narrow (the deadline and the worst live
level go last); every state is a symbol or word as well as a colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.events import Resize

from app.collectors.base import Level
from app.domain.incident import IncidentState
from app.domain.timers import Countdown, TimerState, format_remaining
from app.ui.incident.header import format_elapsed
from app.ui.widgets.one_line import OneLine

GAP = "  "
_LEVEL_CLASS = {Level.OK: "ok", Level.WARN: "warn", Level.CRIT: "crit", Level.UNKNOWN: "unknown"}


def next_deadline(items: list[Countdown]) -> Countdown | None:
    """The soonest countdown still running (an overdue one is the soonest of all)."""
    running = [c for c in items if c.state is not TimerState.MET]
    return min(running, key=lambda c: c.due_at, default=None)


def deadline_name(c: Countdown) -> str:
    if c.key == "update":
        return "update"
    if c.key == "ack":
        return "ack"
    if c.key == "respond":
        return "first response"
    if c.key == "monitoring":
        return "watch ends"
    return c.label[:1].lower() + c.label[1:]  # "escalate to Engineering Manager"


@dataclass(frozen=True)
class Piece:
    text: str
    style: str = ""
    """A component class (ok, warn, crit, unknown, severity, muted), or none."""
    priority: int = 0
    """Higher stays longer when the line is too narrow."""
    crop: bool = False
    """May be cut short with … (the title) instead of dropped."""


def deadline_piece(c: Countdown) -> Piece:
    name = deadline_name(c)
    if c.state is TimerState.OVERDUE:
        return Piece(f"▲ {name} OVERDUE {format_remaining(-c.remaining)}", "crit", 9)
    if c.state is TimerState.DUE_SOON:
        return Piece(f"▲ {name} in {format_remaining(c.remaining)}", "warn", 9)
    return Piece(f"⏰ {name} in {format_remaining(c.remaining)}", "", 9)


def live_piece(worst: tuple[Level, int] | None) -> Piece | None:
    if worst is None:
        return None  # no pane has reported yet (or none is configured): nothing to claim
    level, count = worst
    if level is Level.OK:
        return Piece("✔ live OK", "ok", 8)
    return Piece(f"{level.symbol} {count} {level.word}", _LEVEL_CLASS[level], 8)


def strip_pieces(
    state: IncidentState | None, now: datetime, items: list[Countdown], worst: tuple[Level, int] | None, store: str | None = None,
    unfilled: list[str] | None = None,
) -> list[Piece]:
    """`unfilled`: roles the severity requires that nobody holds (the roles list is not on
    screen at every size; this line is)."""
    live = live_piece(worst)
    # An outage of the shared store is the last thing to drop: what is typed is not shared.
    outage = [Piece(store, "warn", 10)] if store else []
    if state is None or state.opened_at is None:
        pieces = [Piece("No incident open: o opens one, i picks one", "muted", 7)]
        return outage + pieces + ([live] if live else [])
    pieces = [
        Piece(state.id, "id", 7),
        Piece(f" {state.severity} ", "severity", 6),
        Piece(str(state.status) if state.is_open else f"✔ {state.status}", "", 5),
        Piece(f"T+{format_elapsed(state.elapsed(now))}", "", 4),
    ]
    deadline = next_deadline(items) if state.is_open else None
    if deadline is not None:
        pieces.append(deadline_piece(deadline))
    if live is not None:
        pieces.append(live)
    if unfilled and state.is_open:
        more = f" (+{len(unfilled) - 1})" if len(unfilled) > 1 else ""
        # Something to do now outlasts the elapsed time (listed earlier, it goes first at 80 columns).
        pieces.append(Piece(f"⚠ no {unfilled[0]}{more}", "warn", 4))
    pieces.append(Piece(state.title, "muted", 1, crop=True))
    return outage + pieces


CROPPED_MIN = 12  # cells a croppable piece needs to be worth showing


def _cells(pieces: list[Piece]) -> int:
    lengths = [cell_len(p.text) for p in pieces]
    return sum(min(n, CROPPED_MIN) if p.crop else n for p, n in zip(pieces, lengths)) + len(GAP) * (len(pieces) - 1)


def fit(pieces: list[Piece], width: int) -> list[Piece]:
    """Drop the least important pieces until the rest fit; order is kept."""
    kept = list(pieces)
    while len(kept) > 1 and _cells(kept) > width:
        kept.remove(min(kept, key=lambda p: p.priority))
    return kept


class StatusStrip(OneLine):
    """Refreshed by the app each second and when a snapshot arrives; repainted only when
    its text changes, so an idle dashboard does not redraw it."""

    COMPONENT_CLASSES = {
        "status-strip--id",
        "status-strip--severity",
        "status-strip--ok",
        "status-strip--warn",
        "status-strip--crit",
        "status-strip--unknown",
        "status-strip--muted",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._incident: tuple[IncidentState | None, datetime | None, list[Countdown]] = (None, None, [])
        self._worst: tuple[Level, int] | None = None
        self.store_note: str | None = None
        self.unfilled: list[str] = []
        self._key: tuple[int, tuple[tuple[str, str], ...]] | None = None  # what the line was made from
        self._styles: dict[str, Style] = {}
        self._width: int | None = None  # known since the last resize

    def show(self, state: IncidentState | None, now: datetime, items: list[Countdown]) -> None:
        """The incident part, each second."""
        self._incident = (state, now, items)
        self._paint()

    def show_unfilled(self, roles: list[str]) -> None:
        """Required roles nobody holds, when the roles or the severity changed."""
        if roles != self.unfilled:
            self.unfilled = list(roles)
            self._paint()

    def show_live(self, worst: tuple[Level, int] | None) -> None:
        """The live part, when a snapshot changed what is worst."""
        self._worst = worst
        self._paint()

    def show_store(self, note: str | None) -> None:
        """The shared store is out of reach ("⚠ store offline since …"), or None: it is back."""
        self.store_note = note
        self._paint()

    def on_mount(self) -> None:
        # The comparison key holds no colours: a new theme must still repaint the line.
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._repaint())

    def on_resize(self, _event: Resize) -> None:
        self._width = None
        self._paint()

    def _repaint(self) -> None:
        self._key = None
        self._styles.clear()
        self._paint()

    def _paint(self) -> None:
        state, now, items = self._incident
        if now is None:
            return
        width = self._width
        if width is None:  # not laid out yet, or resized: ask (the costly part of a second)
            if not self.is_attached:
                return
            width = self.content_region.width or self.app.size.width
            self._width = width if self.content_region.width else None
        pieces = fit(strip_pieces(state, now, items, self._worst, self.store_note, self.unfilled), width)
        # Compared before any styling: most seconds nothing changed, and then this is all.
        key = (width, tuple((p.text, p.style) for p in pieces))
        if key == self._key or not self.is_attached:  # (detached: the app is shutting down)
            return
        self._key = key
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        for i, piece in enumerate(pieces):
            if i:
                line.append(GAP)
            # Titles and ids are people's text: appended as plain text, never parsed.
            line.append(piece.text, style=self._style(piece.style))
        self.set_line(line)

    def _style(self, name: str) -> Style | str:
        if not name:
            return ""
        # Resolved once per theme (the rules depend on nothing else): a repaint a second.
        if name not in self._styles:
            self._styles[name] = self.get_component_rich_style(f"status-strip--{name}", partial=True)
        return self._styles[name]
