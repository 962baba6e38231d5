"""Find, read, expand and validate the config file; every failure is one line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
import yaml
from pydantic import ValidationError

from app.config.envexpand import expand
from app.config.model import Config
from app.errors import ConfigError

ENV_VAR = "WARROOM_CONFIG"


def user_config_path() -> Path:
    return platformdirs.user_config_path("warroom") / "config.yaml"


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """--config, then $WARROOM_CONFIG, then ./warroom.yaml, then the XDG config dir."""
    for label, candidate in (("--config", explicit), (f"${ENV_VAR}", os.environ.get(ENV_VAR))):
        if candidate:
            path = Path(candidate).expanduser()
            if not path.is_file():
                raise ConfigError(f"{path}: config file not found (from {label})")
            return path
    for path in (Path("warroom.yaml"), user_config_path()):
        if path.is_file():
            return path
    return None


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
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = f" line {mark.line + 1}:" if mark else ""
        raise ConfigError(f"{name}:{line} not valid YAML: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: the top level must be a mapping of sections (incident:, severities:, ...)")
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
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: config is not UTF-8 text") from None
    return parse_config(text, path.resolve())
