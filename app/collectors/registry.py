"""Build the configured collectors. Each source module exposes `build(config) -> list[Collector]`.

Imports are lazy so `warroom status --only health` never loads the kubernetes client.
"""

from __future__ import annotations

import importlib

from app.collectors.base import Collector
from app.config import Config

# source name (as in --only and the JSON "source") -> (config section, module with build())
SOURCES: dict[str, tuple[str, str]] = {
    "health": ("health", "app.collectors.health"),
    "errors": ("error_rates", "app.collectors.error_rates"),
    "postgres": ("postgres", "app.collectors.postgres"),
    "kubernetes": ("kubernetes", "app.collectors.kubernetes"),
}


def configured_sources(config: Config) -> list[str]:
    return [source for source, (section, _) in SOURCES.items() if getattr(config, section)]


def build_collectors(config: Config, only: list[str] | None = None) -> list[Collector]:
    collectors: list[Collector] = []
    for source in configured_sources(config):
        if only and source not in only:
            continue
        module = importlib.import_module(SOURCES[source][1])
        collectors.extend(module.build(config))
    return collectors
