"""Incident persistence: open a store from a URL."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from app.errors import StoreError
from app.store.base import IncidentStore, IncidentSummary

ENV_VAR = "WARROOM_STORE"


def default_store_url() -> str:
    return f"sqlite:///{platformdirs.user_data_path('warroom') / 'warroom.db'}"


def resolve_store_url(cli_value: str | None, config_value: str | None) -> str:
    """--store, then $WARROOM_STORE, then the config's incident.store, then the data dir."""
    return cli_value or os.environ.get(ENV_VAR) or config_value or default_store_url()


def open_store(url: str, *, read_only: bool = False, wait_for_server: bool = False) -> IncidentStore:
    """read_only=True: for commands that only read (list, export). Creates nothing, works on
    read-only and full disks and on damaged files, and its write methods raise StoreError.
    wait_for_server=True: for the dashboard, which starts during an outage of a shared store
    and says so; calls raise StoreUnreachable until the server answers."""
    from app.config.urls import parse_store_url

    try:
        kind, target = parse_store_url(url)
    except ValueError as exc:
        message = str(exc)
        raise StoreError(message if message.startswith(("unsupported", "a SQLite")) else f"store URL {message}") from None
    if kind == "postgresql":
        # Imported here: `warroom log` on a SQLite store never loads psycopg.
        from app.store.postgres import PostgresStore

        return PostgresStore(target, read_only=read_only, wait_for_server=wait_for_server)
    from app.store.sqlite import SQLiteStore

    return SQLiteStore(Path(target), read_only=read_only)


__all__ = ["IncidentStore", "IncidentSummary", "open_store", "resolve_store_url", "default_store_url"]
