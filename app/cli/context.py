"""What a subcommand needs, built lazily from the global options."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.config import Config
    from app.config.quick import QuickSettings
    from app.incident import IncidentCore
    from app.store import IncidentStore


class Context:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._config: Config | None = None
        self._store: IncidentStore | None = None
        self._core: IncidentCore | None = None
        self._quick: QuickSettings | None = None
        # `warroom log` is run from scripts many times: skip full config validation there.
        self.fast = args.command == "log"
        operator = getattr(args, "operator", None)
        if operator is not None and (not operator.strip() or any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in operator)):
            from app.errors import ConfigError

            raise ConfigError("--operator: must be a name on one line, without control characters")

    @property
    def config(self) -> Config:
        if self._config is None:
            from app.config import load_config

            config = load_config(self.args.config)
            if self.args.operator:
                config = config.model_copy(update={"operator": self.args.operator})
            self._config = config
        return self._config

    @property
    def quick(self) -> QuickSettings:
        """Store URL and operator without full validation (see app/config/quick.py)."""
        if self._quick is None:
            from app.config.quick import quick_settings

            self._quick = quick_settings(self.args.config)
        return self._quick

    @property
    def operator(self) -> str:
        if self.args.operator:
            return self.args.operator
        return self.config.operator if self._config is not None or not self.fast else self.quick.operator

    @property
    def store(self) -> IncidentStore:
        if self._store is None:
            from app.store import open_store, resolve_store_url

            configured = self.quick.store if self.fast and self._config is None else self.config.incident.store
            # list/export only read: they must work on read-only, full or damaged stores
            read_only = self.args.command == "export" or getattr(self.args, "incident_command", None) == "list"
            # The dashboard starts during an outage of a shared store (and says so); scripts fail.
            dashboard = self.args.command is None
            self._store = open_store(resolve_store_url(self.args.store, configured), read_only=read_only, wait_for_server=dashboard)
        return self._store

    @property
    def core(self) -> IncidentCore:
        """The incident commands; `warroom log` gets them without validating the whole config."""
        if self._core is None:
            from app.incident import IncidentCore

            # The fast path plans entries only, which need no config (and no pydantic).
            config = None if self.fast and self._config is None else self.config
            self._core = IncidentCore(self.store, config, actor=self.operator)
        return self._core

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
