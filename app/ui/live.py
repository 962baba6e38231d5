"""The left half: one pane per configured source, or a one-line hint how to configure it."""

from __future__ import annotations

import importlib

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from app.collectors.registry import SOURCES, build_collectors
from app.config import Config

# source -> (pane class path, title, how to configure it)
PANES: dict[str, tuple[str, str, str]] = {
    "health": ("app.ui.panes.health:HealthPane", "Health", "add a `health:` list of URLs to the config"),
    "errors": ("app.ui.panes.error_rates:ErrorRatesPane", "Error rates", "add `error_rates:` (Prometheus query or /metrics URL)"),
    "postgres": ("app.ui.panes.postgres:PostgresPane", "PostgreSQL", "add `postgres:` with a name and dsn"),
    "kubernetes": ("app.ui.panes.kubernetes:PodsPane", "Kubernetes pods", "add `kubernetes:` with a name (and kubeconfig/context)"),
}


def _load(path: str):
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


class LiveArea(VerticalScroll):
    """Holds the live panes; panes fill as data arrives and never block start-up."""

    def __init__(self, config: Config, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.config = config

    def compose(self) -> ComposeResult:
        for source, (pane_path, title, hint) in PANES.items():
            section = SOURCES[source][0]
            if not getattr(self.config, section):
                yield Static(f"{title}: not configured — {hint}", classes="pane-hint", markup=False)
                continue
            collectors = build_collectors(self.config, only=[source])
            try:
                pane_cls = _load(pane_path)
            except (ImportError, AttributeError):
                yield Static(f"{title}: this pane is not available in this build", classes="pane-hint", markup=False)
                continue
            yield pane_cls(collectors, title=title, tz=self.config.tzinfo(), id=f"pane-{source}")
