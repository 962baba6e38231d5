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


def open_store(url: str) -> IncidentStore:
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        # sqlite:////abs and sqlite:///abs both mean an absolute path here
        path = "/" + path.lstrip("/") if url.startswith("sqlite:////") or path.startswith("/") else path
        from app.store.sqlite import SQLiteStore

        return SQLiteStore(Path(path))
    if url.startswith(("postgresql://", "postgres://")):
        raise StoreError("a PostgreSQL incident store is not available yet; use sqlite:///path/to/file.db")
    if "://" not in url:
        from app.store.sqlite import SQLiteStore

        return SQLiteStore(Path(url))
    raise StoreError(f"unsupported store URL {url.split('://')[0]}://... (use sqlite:///path/to/file.db)")


__all__ = ["IncidentStore", "IncidentSummary", "open_store", "resolve_store_url", "default_store_url"]
