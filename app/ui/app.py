"""The warroom App: live panes on the left, the incident panel on the right."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Static

from app.config import Config
from app.domain.clock import Clock, SystemClock
from app.store import IncidentStore
from app.ui.live import LiveArea
from app.ui.styles import css_paths


class WarroomApp(App[None]):
    TITLE = "warroom"
    CSS_PATH = css_paths()
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="quit", priority=True)]

    def __init__(self, config: Config, store: IncidentStore, clock: Clock | None = None) -> None:
        super().__init__()
        self.config = config
        self.store = store
        self.clock = clock or SystemClock()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        with Horizontal(id="main"):
            yield LiveArea(self.config, id="live")
            with Vertical(id="incident"):
                yield Static("No incident open.", markup=False)
        yield Footer()
