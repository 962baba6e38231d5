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


def configure_logging() -> Path | None:
    """Every command logs to the same file; a home we cannot write to costs the log, not the command."""
    try:
        path = log_path()
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h, logging.FileHandler) and getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return path


def log_exception(exc: BaseException) -> Path:
    path = log_path()
    with path.open("a", encoding="utf-8") as fh:
        fh.write("".join(traceback.format_exception(exc)))
    return path
