"""Find, read, expand and validate the config file; every failure is one line."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.config.envexpand import expand
from app.config.model import Config
from app.config.paths import find_config, parse_yaml, read_yaml, validation_context
from app.errors import ConfigError

# The members of a union (`str | ChecklistItem`) appear in an error's location under their
# type names; a person wrote a key path, not a type, so those parts are dropped.
_UNION_MEMBER = re.compile(r"function-|tagged-union|union|(str|int|float|bool|none|list\[.*\]|dict\[.*\])$")
_CLASS_WORDING = re.compile(r"a valid dictionary or instance of \w+|a valid dictionary")


def _model_names() -> set[str]:
    from pydantic import BaseModel

    names: set[str] = set()
    stack = list(BaseModel.__subclasses__())
    while stack:
        cls = stack.pop()
        names.add(cls.__name__)
        stack.extend(cls.__subclasses__())
    return names


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _UNION_MEMBER.match(str(part)) or str(part) in _model_names():
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def _got(value: object) -> str:
    if isinstance(value, (dict, list)):
        return f"a {'mapping' if isinstance(value, dict) else 'list'}"
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def describe(error: ValidationError) -> str:
    """The first error as `key.path: problem`, in the words of the YAML file (no model class
    names, no '<top level>': a check across sections names its keys in its own message)."""
    errors = error.errors()
    first = errors[0]
    if first["type"] == "string_type" and isinstance(first.get("input"), dict):
        # `str | Model` given a mapping: the model's complaint is the one that helps
        deeper = [e for e in errors[1:] if e["loc"][: len(first["loc"]) - 1] == first["loc"][:-1]]
        first = deeper[0] if deeper else first
    where = _loc(first["loc"])
    kind = first["type"]
    msg = first["msg"]
    if kind == "extra_forbidden":
        return f"{where}: unknown key"
    if kind == "missing":
        return f"{where}: required key is missing"
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    got = first.get("input")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        msg = _CLASS_WORDING.sub("a mapping (key: value)", msg)
    if kind == "string_type" and any(e["type"] == "model_type" and e["loc"][:-1] == first["loc"][:-1] for e in errors[1:]):
        msg = "Input should be text or a mapping (key: value)"  # `str | Model`: say both
    if kind in ("int_parsing", "float_parsing", "bool_parsing", "bool_type", "string_type", "list_type", "dict_type", "model_type", "literal_error"):
        msg = f"{msg} (got {_got(got)})"
    return f"{where}: {msg}" if where else msg


def parse_config(text: str, source: Path | None = None, env: dict[str, str] | None = None) -> Config:
    name = str(source) if source else "<config>"
    return _validate(parse_yaml(text, name), source, env)


def _validate(data: dict, source: Path | None, env: dict[str, str] | None = None) -> Config:
    name = str(source) if source else "<config>"
    try:
        data = expand(data, env=env)
    except ConfigError as exc:
        raise ConfigError(f"{name}: {exc}") from None
    return validate_expanded(data, source)


def validate_expanded(data: dict, source: Path | None) -> Config:
    """The config from data whose ${VAR}s are already expanded; errors name `source`."""
    name = str(source) if source else "<config>"
    try:
        config = Config.model_validate(data, context=validation_context(source))
    except ValidationError as exc:
        raise ConfigError(f"{name}: {describe(exc)}") from None
    config.source = source
    return config


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    path = find_config(explicit)
    if path is None:
        return Config()
    return _validate(read_yaml(path), path.resolve())
