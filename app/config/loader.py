"""Find, read, expand and validate the config file; every failure is one line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.config.envexpand import expand
from app.config.model import Config
from app.config.paths import find_config, parse_yaml, read_yaml
from app.errors import ConfigError

def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-", "tagged-union", "union")):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "<top level>"


def describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = _loc(first["loc"])
    kind = first["type"]
    msg = first["msg"]
    if kind == "extra_forbidden":
        return f"{where}: unknown key"
    if kind == "missing":
        return f"{where}: required key is missing"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if msg.startswith("Assertion failed, "):
        msg = msg[len("Assertion failed, ") :]
    got = first.get("input")
    if kind in ("int_parsing", "float_parsing", "bool_parsing", "string_type", "list_type", "dict_type", "model_type", "literal_error"):
        msg = f"{msg} (got {got!r})" if not isinstance(got, (dict, list)) else f"{msg} (got a {type(got).__name__})"
    return f"{where}: {msg}"


def parse_config(text: str, source: Path | None = None, env: dict[str, str] | None = None) -> Config:
    name = str(source) if source else "<config>"
    return _validate(parse_yaml(text, name), source, env)


def _validate(data: dict, source: Path | None, env: dict[str, str] | None = None) -> Config:
    name = str(source) if source else "<config>"
    try:
        data = expand(data, env=env)
    except ConfigError as exc:
        raise ConfigError(f"{name}: {exc}") from None
    base_dir = source.parent if source else Path.cwd()
    try:
        config = Config.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise ConfigError(f"{name}: {describe(exc)}") from None
    config.source = source
    return config


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    path = find_config(explicit)
    if path is None:
        return Config()
    return _validate(read_yaml(path), path.resolve())
