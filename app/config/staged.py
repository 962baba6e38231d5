"""The config read in two steps, for `warroom status`: each live source's section alone
first, so its checks can start, then the whole config while they run.

Validating the whole builds every model (incident, severities, roles, checklists, notify
...): ~60-90 ms that `warroom status` spent before its first request. A source's entries
are checked by their own model, in the same validation context; nothing elsewhere in the
config changes how a source entry validates, so entries valid alone are valid in the
whole, which takes them as they are (pydantic does not validate a model instance again)
and still runs its checks across sections (duplicate names). A section that is not valid
alone is left to the whole, whose error is `load_config`'s, word for word.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.config.envexpand import expand
from app.config.paths import find_config, read_yaml, validation_context
from app.errors import ConfigError

if TYPE_CHECKING:
    from app.config.model import Config

SOURCE_SECTIONS: dict[str, tuple[str, str]] = {
    "health": ("app.config.health", "HealthCheck"),
    "error_rates": ("app.config.error_rates", "ErrorRate"),
    "postgres": ("app.config.postgres", "PostgresTarget"),
    "kubernetes": ("app.config.kubernetes", "KubernetesTarget"),
    "alertmanager": ("app.config.alertmanager", "AlertmanagerTarget"),
}
"""The sections read first, and the model of one entry of each (Config's fields are lists of these)."""


class StagedConfig:
    """The config file found, read and ${VAR}-expanded (errors as load_config's), not yet validated."""

    def __init__(self, explicit: str | os.PathLike[str] | None = None) -> None:
        path = find_config(explicit)
        self.source: Path | None = path.resolve() if path else None
        self._data: dict[str, Any] = {}
        if path is not None:
            raw = read_yaml(path)  # its errors name the file
            try:
                self._data = expand(raw)
            except ConfigError as exc:
                raise ConfigError(f"{self.source}: {exc}") from None
        self._validated: dict[str, list[Any]] = {}

    def section(self, name: str) -> list[Any] | None:
        """The section's entries, validated alone ([] when absent); None when they are not
        valid alone (the whole config's validation says what is wrong)."""
        from pydantic import ValidationError

        entries = self._data.get(name, [])
        if not isinstance(entries, list):
            return None
        if not entries:  # nothing to check: not even the model's module is needed
            return []
        module, model_name = SOURCE_SECTIONS[name]
        model = getattr(importlib.import_module(module), model_name)
        context = validation_context(self.source)
        try:
            validated = [model.model_validate(entry, context=context) for entry in entries]
        except (ValidationError, ValueError, TypeError):
            return None
        self._validated[name] = validated
        return validated

    def whole(self) -> Config:
        """What load_config returns for the same file (the validated sections are reused)."""
        from app.config.loader import validate_expanded
        from app.config.model import Config

        if self.source is None:
            return Config()
        return validate_expanded({**self._data, **self._validated}, self.source)
