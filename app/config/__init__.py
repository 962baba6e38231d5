"""Configuration: YAML -> validated pydantic models, with ${ENV} expansion and durations.

Attributes are imported lazily: `warroom log` must not pay for building the models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.errors import ConfigError

if TYPE_CHECKING:
    from app.config.loader import load_config, parse_config
    from app.config.model import Config
    from app.config.paths import find_config, user_config_path

_LAZY = {
    "Config": "app.config.model",
    "load_config": "app.config.loader",
    "parse_config": "app.config.loader",
    "find_config": "app.config.paths",
    "user_config_path": "app.config.paths",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)


__all__ = ["Config", "ConfigError", "find_config", "load_config", "parse_config", "user_config_path"]
