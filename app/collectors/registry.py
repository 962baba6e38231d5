"""The live sources, one typed entry each: name, config section, how to build its collectors
and how to decide what it writes to the timeline.

Builders and observers import their modules only when called: `warroom status --only health`
never loads the kubernetes client, and `warroom status` never loads the timeline observers
(nor the config models they name) that only the dashboard uses.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.collectors.base import Collector
    from app.collectors.observations import Observer
    from app.config import Config
    from app.config.timeline import AutoTimelineSettings


@dataclass(frozen=True)
class Source:
    name: str
    """As in `--only` and the JSON "source"."""
    section: str
    """The config attribute that configures it."""
    build_for: Callable[[list[Any]], list[Collector[Any]]]
    """Its collectors from the section's entries (a builder reads nothing else of the config)."""
    observer: Callable[[AutoTimelineSettings, tzinfo | None], Observer]
    preload: Callable[[], Future[Any]] | None = None
    """Begins, in a thread, imports its collectors would otherwise make on the event loop
    as they start, heavy enough that other work should wait for them rather than compete
    (`warroom status`); returns their future."""

    def configured(self, config: Config) -> bool:
        return bool(getattr(config, self.section))

    def build(self, config: Config) -> list[Collector[Any]]:
        return self.build_for(getattr(config, self.section))


def _health(entries: list[Any]) -> list[Collector[Any]]:
    from app.collectors import health

    return health.build_for(entries)


def _errors(entries: list[Any]) -> list[Collector[Any]]:
    from app.collectors import error_rates

    return error_rates.build_for(entries)


def _postgres(entries: list[Any]) -> list[Collector[Any]]:
    from app.collectors import postgres

    return postgres.build_for(entries)


def _kubernetes(entries: list[Any]) -> list[Collector[Any]]:
    from app.collectors import kubernetes

    return kubernetes.build_for(entries)


def _health_observer(settings: AutoTimelineSettings, tz: tzinfo | None) -> Observer:
    from app.collectors.observations import LevelChanges, health_readings

    return LevelChanges(settings, tz, health_readings)


def _errors_observer(settings: AutoTimelineSettings, tz: tzinfo | None) -> Observer:
    from app.collectors.observations import LevelChanges, error_rate_readings

    return LevelChanges(settings, tz, error_rate_readings)


def _postgres_observer(settings: AutoTimelineSettings, tz: tzinfo | None) -> Observer:
    from app.collectors.observations import ConnectionChanges, LockChainChanges, Observers

    return Observers(ConnectionChanges("PostgreSQL"), LockChainChanges(settings, tz))


def _kubernetes_client() -> Future[Any]:
    from app.collectors.k8s_client import official_client_soon

    return official_client_soon()


def _kubernetes_observer(settings: AutoTimelineSettings, tz: tzinfo | None) -> Observer:
    from app.collectors.observations import Reachability

    return Reachability("Kubernetes", settings, tz)


def _alerts(entries: list[Any]) -> list[Collector[Any]]:
    from app.collectors import alertmanager

    return alertmanager.build_for(entries)


def _alerts_observer(settings: AutoTimelineSettings, tz: tzinfo | None) -> Observer:
    from app.collectors.observations import AlertGroupChanges, Observers, Reachability

    return Observers(Reachability("Alertmanager", settings, tz), AlertGroupChanges(settings, tz))


HEALTH = Source("health", "health", _health, _health_observer)
ERRORS = Source("errors", "error_rates", _errors, _errors_observer)
POSTGRES = Source("postgres", "postgres", _postgres, _postgres_observer)
KUBERNETES = Source("kubernetes", "kubernetes", _kubernetes, _kubernetes_observer, preload=_kubernetes_client)
ALERTS = Source("alerts", "alertmanager", _alerts, _alerts_observer)

SOURCES: dict[str, Source] = {source.name: source for source in (HEALTH, ERRORS, POSTGRES, KUBERNETES, ALERTS)}


def configured_sources(config: Config) -> list[Source]:
    return [source for source in SOURCES.values() if source.configured(config)]


def build_collectors(config: Config, only: list[str] | None = None) -> list[Collector[Any]]:
    return [c for source in configured_sources(config) if not only or source.name in only for c in source.build(config)]


def observer_for(source: Source, config: Config) -> Observer:
    return source.observer(config.auto_timeline, config.tzinfo())
