"""Unexpected errors go to a log file, never to the screen as a traceback."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

import platformdirs


def log_path() -> Path:
    path = platformdirs.user_log_path("warroom") / "warroom.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def configure_logging() -> Path:
    path = log_path()
    logging.basicConfig(
        filename=path, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return path


def log_exception(exc: BaseException) -> Path:
    path = log_path()
    with path.open("a", encoding="utf-8") as fh:
        fh.write("".join(traceback.format_exception(exc)))
    return path
