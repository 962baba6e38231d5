"""A tiny host App wired the way the wiring note tells WarroomApp to do it."""

from __future__ import annotations

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from app.config import Config
from app.domain.clock import Clock
from app.domain.incident import fold
from app.notify import post_update
from app.store.base import IncidentStore
from app.ui.screens_update import ComposedUpdate, UpdateComposer


class ComposerHost(App[None]):
    BINDINGS = [Binding("u", "compose_update", "Update", id="incident.update")]

    def __init__(self, config: Config, store: IncidentStore, incident_id: str, clock: Clock) -> None:
        super().__init__()
        self.config, self.store, self.incident_id, self.clock = config, store, incident_id, clock
        self.results: list[ComposedUpdate | None] = []
        self.delivery_lines: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("host", id="status", markup=False)
        yield Footer()

    def action_compose_update(self) -> None:
        state = fold(self.incident_id, self.store.events(self.incident_id))
        self.push_screen(UpdateComposer.for_incident(state, self.config, self.clock.now()), self._update_composed)

    def _update_composed(self, result: ComposedUpdate | None) -> None:
        self.results.append(result)
        if result is not None:
            self.post_it(result)

    @work(group="status-update", exit_on_error=False)
    async def post_it(self, result: ComposedUpdate) -> None:
        posted = await post_update(
            self.store, self.incident_id, result.text, config=self.config, clock=self.clock,
            actor=self.config.operator, template=result.template, backoff_base=0.01,
        )
        self.delivery_lines = [r.summary() for r in posted.results]
        self.notify("\n".join(self.delivery_lines) or "Update recorded.", severity="information" if posted.all_ok else "error")
