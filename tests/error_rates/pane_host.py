"""A tiny App hosting only ErrorRatesPane, with the real stylesheets, for Pilot tests."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer

from app.ui.messages import TimelineRequest
from app.ui.panes.error_rates import ErrorRatesPane
from app.ui.styles import css_paths


class ErrorRatesHost(App[None]):
    CSS_PATH = css_paths()

    def __init__(self, collectors) -> None:
        super().__init__()
        self.collectors = collectors
        self.timeline: list[TimelineRequest] = []
        self.snapshots = 0

    def compose(self) -> ComposeResult:
        yield ErrorRatesPane(self.collectors, title="Error rates", id="pane-errors")
        yield Footer()

    def on_snapshot_arrived(self, message) -> None:
        self.snapshots += 1

    def on_timeline_request(self, message: TimelineRequest) -> None:
        self.timeline.append(message)
