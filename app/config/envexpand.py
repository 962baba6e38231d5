"""${VAR} and ${VAR:-default} expansion over parsed YAML values."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from app.errors import ConfigError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# ${A:-${B:-x}} is useful two or three levels deep; thousands of levels is an attack on the stack.
MAX_DEFAULT_NESTING = 8


def expand_string(text: str, where: str, env: Mapping[str, str], _level: int = 0) -> str:
    """Expand ${VAR}, ${VAR:-default} (defaults may nest: ${A:-${B:-x}}) and $$ -> $."""
    if _level > MAX_DEFAULT_NESTING:
        raise ConfigError(f"{where}: ${{...:-default}} nested more than {MAX_DEFAULT_NESTING} deep; refused")
    out: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("$$", i):
            out.append("$")
            i += 2
        elif text.startswith("${", i):
            end, depth, j = -1, 0, i + 2
            while j < len(text):
                if text.startswith("${", j):
                    depth, j = depth + 1, j + 2
                    continue
                if text[j] == "}":
                    if depth == 0:
                        end = j
                        break
                    depth -= 1
                j += 1
            if end < 0:
                raise ConfigError(f"{where}: unclosed ${{ in {text!r}")
            body = text[i + 2 : end]
            name, sep, default = body.partition(":-")
            if not _NAME.fullmatch(name):
                raise ConfigError(f"{where}: invalid variable name {name!r} in ${{...}}")
            value = env.get(name)
            if value is None or (value == "" and sep):
                if not sep:
                    raise ConfigError(
                        f"{where}: environment variable ${{{name}}} is not set "
                        f"(set it, or write ${{{name}:-default}})"
                    )
                value = expand_string(default, where, env, _level + 1)
            out.append(value)
            i = end + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


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
