"""The live sources, one typed entry each: name, config section, how to build its collectors
and how to decide what it writes to the timeline.

Builders import their module only when called, so `warroom status --only health` never
loads the kubernetes client.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from app.collectors.base import Collector
from app.collectors.observations import (
    AlertGroupChanges,
    ConnectionChanges,
    LevelChanges,
    LockChainChanges,
    Observer,
    Observers,
    Reachability,
    error_rate_readings,
    health_readings,
)
from app.config import Config
from app.config.timeline import AutoTimelineSettings


@dataclass(frozen=True)
class Source:
    name: str
    """As in `--only` and the JSON "source"."""
    section: str
    """The config attribute that configures it."""
    build: Callable[[Config], list[Collector[Any]]]
    observer: Callable[[AutoTimelineSettings, tzinfo | None], Observer]

    def configured(self, config: Config) -> bool:
        return bool(getattr(config, self.section))


def _health(config: Config) -> list[Collector[Any]]:
    from app.collectors import health

    return health.build(config)


def _errors(config: Config) -> list[Collector[Any]]:
    from app.collectors import error_rates

    return error_rates.build(config)


def _postgres(config: Config) -> list[Collector[Any]]:
    from app.collectors import postgres

    return postgres.build(config)


def _kubernetes(config: Config) -> list[Collector[Any]]:
    from app.collectors import kubernetes

    return kubernetes.build(config)


HEALTH = Source("health", "health", _health, lambda s, tz: LevelChanges(s, tz, health_readings))
ERRORS = Source("errors", "error_rates", _errors, lambda s, tz: LevelChanges(s, tz, error_rate_readings))
POSTGRES = Source("postgres", "postgres", _postgres,
                  lambda s, tz: Observers(ConnectionChanges("PostgreSQL"), LockChainChanges(s, tz)))
KUBERNETES = Source("kubernetes", "kubernetes", _kubernetes, lambda s, tz: Reachability("Kubernetes", s, tz))


def _alerts(config: Config) -> list[Collector[Any]]:
    from app.collectors import alertmanager

    return alertmanager.build(config)


ALERTS = Source("alerts", "alertmanager", _alerts,
                lambda s, tz: Observers(Reachability("Alertmanager", s, tz), AlertGroupChanges(s, tz)))

SOURCES: dict[str, Source] = {source.name: source for source in (HEALTH, ERRORS, POSTGRES, KUBERNETES, ALERTS)}


def configured_sources(config: Config) -> list[Source]:
    return [source for source in SOURCES.values() if source.configured(config)]


def build_collectors(config: Config, only: list[str] | None = None) -> list[Collector[Any]]:
    return [c for source in configured_sources(config) if not only or source.name in only for c in source.build(config)]


def observer_for(source: Source, config: Config) -> Observer:
    return source.observer(config.auto_timeline, config.tzinfo())
