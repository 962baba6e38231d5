"""${VAR} and ${VAR:-default} expansion over parsed YAML values."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from app.errors import ConfigError

_PATTERN = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-(.*?))?\}")


def expand_string(text: str, where: str, env: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, default = match.group(1), match.group(2)
        value = env.get(name)
        if value is None or (value == "" and default is not None):
            if default is None:
                raise ConfigError(
                    f"{where}: environment variable ${{{name}}} is not set "
                    f"(set it, or write ${{{name}:-default}})"
                )
            return default
        return value

    return _PATTERN.sub(replace, text)


def expand(value: Any, path: str = "", env: Mapping[str, str] | None = None) -> Any:
    """Return a copy of value with every string expanded; `path` names the key in errors."""
    env = os.environ if env is None else env
    if isinstance(value, str):
        return expand_string(value, path or "<root>", env)
    if isinstance(value, list):
        return [expand(item, f"{path}[{i}]", env) for i, item in enumerate(value)]
    if isinstance(value, dict):
        return {
            key: expand(item, f"{path}.{key}" if path else str(key), env)
            for key, item in value.items()
        }
    return value
