"""Where the config file is looked up. Kept free of pydantic so quick commands start fast."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from app.errors import ConfigError

ENV_VAR = "WARROOM_CONFIG"


def user_config_path() -> Path:
    return platformdirs.user_config_path("warroom") / "config.yaml"


def _regular_or_error(path: Path, label: str) -> Path:
    """A directory, FIFO, device or symlink loop is named as such: 'not found' would mislead."""
    from app.config.files import UnreadableFile, check_regular

    try:
        check_regular(path)
    except UnreadableFile as exc:
        where = f" (from {label})" if label else ""
        problem = "config file not found" if str(exc) == "not found" else str(exc).replace("not a file", "not a config file")
        raise ConfigError(f"{path}: {problem}{where}") from None
    return path


def validation_context(source: Path | None) -> dict[str, object]:
    """What the models read besides the data: where a file's relative paths start, and that
    durations in a file need units. A fresh dict each time: validation writes to it."""
    return {"base_dir": source.parent if source else Path.cwd(), "units_required": True}


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """--config, then $WARROOM_CONFIG, then ./warroom.yaml, then the XDG config dir."""
    for label, candidate in (("--config", explicit), (f"${ENV_VAR}", os.environ.get(ENV_VAR))):
        if candidate:
            return _regular_or_error(Path(candidate).expanduser(), label)
    for path in (Path("warroom.yaml"), user_config_path()):
        if os.path.lexists(path):
            return _regular_or_error(path, "")
    return None


def read_yaml(path: Path) -> dict:
    """Read and parse the file; every failure is a one-line ConfigError naming the file."""
    from app.config.files import MAX_CONFIG_BYTES, UnreadableFile, read_regular

    try:
        raw = read_regular(path, MAX_CONFIG_BYTES)
    except UnreadableFile as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: config is not UTF-8 text") from None
    return parse_yaml(text, str(path))


def parse_yaml(text: str, name: str) -> dict:
    from app.config import safe_yaml
    from app.config.safe_yaml import YamlLimit, yaml

    try:
        data = safe_yaml.load(text)
    except YamlLimit as exc:
        line = f" line {exc.line}:" if exc.line else ""
        where = f" {exc.path}:" if exc.path else ""
        raise ConfigError(f"{name}:{line}{where} {exc}") from None
    except (ValueError, RecursionError) as exc:
        # int('9' * 5000) and similar refusals happen while constructing values
        raise ConfigError(f"{name}: not valid YAML: {type(exc).__name__}: {str(exc)[:120]}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = f" line {mark.line + 1}:" if mark else ""
        raise ConfigError(f"{name}:{line} not valid YAML: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: the top level must be a mapping of sections (incident:, severities:, ...)")
    return data
