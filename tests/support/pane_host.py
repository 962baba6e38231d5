"""One host for every live pane: a minimal App with the real stylesheets, the pane built as
the dashboard builds it (app.ui.live.build_pane) from a real Config, and a record of what
the pane posts upward."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Footer

from app.collectors.base import Collector, Snapshot
from app.config import Config
from app.ui.live import PANES, build_pane
from app.ui.messages import TimelineRequest
from app.ui.panes.base import LivePane
from app.ui.styles import css_paths


class PaneHost(App[None]):
    CSS_PATH = css_paths()

    def __init__(self, source: str, config: Config | dict[str, Any], collectors: list[Collector[Any]] | None = None) -> None:
        super().__init__()
        # Not `self.config`: a pane must get what it needs when built, never from the app.
        self.source_config = config if isinstance(config, Config) else Config.model_validate(config)
        self.entry = next(entry for entry in PANES if entry.source.name == source)
        self.collectors = collectors
        self.timeline: list[TimelineRequest] = []
        self.snapshots: list[Snapshot[Any]] = []

    def compose(self) -> ComposeResult:
        yield build_pane(self.entry, self.source_config, self.collectors)
        yield Footer()

    @property
    def pane(self) -> LivePane[Any]:
        return self.query_one(LivePane)

    @property
    def texts(self) -> list[str]:
        return [request.text for request in self.timeline]

    @property
    def automatic(self) -> list[str]:
        return [request.text for request in self.timeline if request.automatic]

    def on_timeline_request(self, message: TimelineRequest) -> None:
        self.timeline.append(message)

    def on_snapshot_arrived(self, message: Any) -> None:
        self.snapshots.append(message.snapshot)

    def on_health_pane_snapshots_arrived(self, message: Any) -> None:
        self.snapshots.extend(message.snapshots)  # the health pane draws results in batches
