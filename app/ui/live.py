"""The left half: one pane per configured source, or a one-line hint how to configure it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from app.collectors.base import Collector
from app.collectors.registry import ALERTS, ERRORS, HEALTH, KUBERNETES, POSTGRES, Source, observer_for
from app.config import Config
from app.ui.panes.base import LivePane


def _health() -> type[LivePane[Any]]:
    from app.ui.panes.health import HealthPane

    return HealthPane


def _errors() -> type[LivePane[Any]]:
    from app.ui.panes.error_rates import ErrorRatesPane

    return ErrorRatesPane


def _postgres() -> type[LivePane[Any]]:
    from app.ui.panes.postgres import PostgresPane

    return PostgresPane


def _alerts() -> type[LivePane[Any]]:
    from app.ui.panes.alerts import AlertsPane

    return AlertsPane


def _kubernetes() -> type[LivePane[Any]]:
    from app.ui.panes.kubernetes import PodsPane

    return PodsPane


@dataclass(frozen=True)
class PaneSource:
    """A live source as the screen shows it."""

    source: Source
    pane: Callable[[], type[LivePane[Any]]]
    """The pane class, imported when first needed (the pods pane brings the kubernetes code)."""
    title: str
    hint: str
    """How to configure it, shown in its place while it is not."""
    number: int
    """Its key (1-4, 6), shown in its title: fixed per source so a commander's fingers learn them
    whatever else is configured. The pods pane's Warning events are WARNING_EVENTS_KEY (5)."""

    def settings(self, config: Config) -> dict[str, Any]:
        """What the pane is given from the config: it never reads the app's config itself."""
        settings: dict[str, Any] = {"tz": config.tzinfo(), "observer": observer_for(self.source, config)}
        if self.source in (POSTGRES, ALERTS, KUBERNETES):
            settings["operator"] = config.operator
        return settings


PANES: tuple[PaneSource, ...] = (
    PaneSource(HEALTH, _health, "Health", "add a `health:` list of URLs to the config", 1),
    PaneSource(ERRORS, _errors, "Error rates", "add `error_rates:` (Prometheus query or /metrics URL)", 2),
    PaneSource(POSTGRES, _postgres, "PostgreSQL", "add `postgres:` with a name and dsn", 3),
    PaneSource(KUBERNETES, _kubernetes, "Kubernetes pods", "add `kubernetes:` with a name (and kubeconfig/context)", 4),
    PaneSource(ALERTS, _alerts, "Alerts", "add `alertmanager:` with a name and url", 6),
)


def build_pane(entry: PaneSource, config: Config, collectors: list[Collector[Any]] | None = None) -> LivePane[Any]:
    """The pane of one source, its collectors built from `config` unless given."""
    pane_cls = entry.pane()
    if collectors is None:
        collectors = entry.source.build(config)
    pane = pane_cls(collectors, title=entry.title, id=f"pane-{entry.source.name}", **entry.settings(config))
    pane.number = entry.number
    return pane


class LiveArea(VerticalScroll, can_focus=False):
    """Holds the live panes; panes fill as data arrives and never block start-up.

    Not a Tab stop: a scroll container shows no focus, so Tab landed nowhere visible. Focusing
    a pane's table (Tab, or its number) scrolls it into view; the wheel still scrolls.
    """

    def __init__(self, config: Config, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.config = config

    def on_mount(self) -> None:
        # Panes grow and shrink as data arrives: the room under them is measured each time.
        self.watch(self, "virtual_size", self._schedule_fill)

    def on_resize(self) -> None:
        self._schedule_fill()

    def _schedule_fill(self) -> None:
        self.call_after_refresh(self._fill_height)

    def _fill_height(self) -> None:
        """The last pane reaches down to the footer when the panes are shorter than the
        screen (200x60 left rows blank under them); it never grows into a scroll."""
        shown = [child for child in self.children if child.display]
        if not shown or not isinstance(shown[-1], LivePane):
            return
        last = shown[-1]
        natural = last.styles.gutter.height + sum(
            child.outer_size.height + child.styles.margin.top + child.styles.margin.bottom
            for child in last.children if child.display
        )
        spare = self.scrollable_content_region.height - natural - sum(child.outer_size.height for child in shown[:-1])
        want = natural + spare if spare > 0 else None
        if (last.styles.min_height.cells if last.styles.min_height else None) != want:
            last.styles.min_height = want

    def compose(self) -> ComposeResult:
        for entry in PANES:
            if not entry.source.configured(self.config):
                yield Static(f"{entry.title}: not configured — {entry.hint}", classes="pane-hint", markup=False)
                continue
            try:
                entry.pane()
            except ImportError:
                yield Static(f"{entry.title}: this pane is not available in this build", classes="pane-hint", markup=False)
                continue
            yield build_pane(entry, self.config)
