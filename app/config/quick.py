"""The two settings `warroom log` needs, read without building the pydantic models.

`warroom log` is called from deploy scripts and bots many times; full validation costs
~0.3 s of model building, so this path reads only `incident.store` and `operator` (with
${ENV} expansion). `warroom check-config` and every other command validate everything.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from app.config.envexpand import expand
from app.config.paths import find_config, read_yaml
from app.errors import ConfigError


@dataclass(frozen=True)
class QuickSettings:
    store: str | None
    operator: str
    id_format: str


def _string(value: object, where: str, source: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{source}: {where}: must be a non-empty string")
    return value


def quick_settings(explicit: str | os.PathLike[str] | None = None) -> QuickSettings:
    path = find_config(explicit)
    data = read_yaml(path) if path else {}
    source = str(path) if path else "<defaults>"
    incident = data.get("incident") or {}
    if not isinstance(incident, dict):
        raise ConfigError(f"{source}: incident: must be a mapping")
    try:
        store = expand(incident.get("store"), "incident.store")
        operator = expand(data.get("operator"), "operator")
        id_format = expand(incident.get("id_format"), "incident.id_format")
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    store = _string(store, "incident.store", source)
    if store is not None:
        from app.config.urls import parse_store_url

        try:
            parse_store_url(store)
        except ValueError as exc:
            raise ConfigError(f"{source}: incident.store: {exc}") from None
    operator = _string(operator, "operator", source)
    if operator is None:
        try:
            operator = getpass.getuser()
        except (KeyError, OSError):
            operator = "unknown"
    return QuickSettings(store, operator, _string(id_format, "incident.id_format", source) or "INC-{year}-{seq:03d}")
