"""Where the config file is looked up. Kept free of pydantic so quick commands start fast."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

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


def read_yaml(path: Path) -> dict:
    """Read and parse the file; every failure is a one-line ConfigError naming the file."""
    import yaml

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: config is not UTF-8 text") from None
    return parse_yaml(text, str(path))


def parse_yaml(text: str, name: str) -> dict:
    import yaml

    try:
        data = yaml.safe_load(text)
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
