"""What a person is told when warroom itself fails: one line, the trace in the log file."""

from __future__ import annotations

import logging
from typing import Any

from textual.app import App
from textual.worker import Worker

from app.logfile import log_exception

log = logging.getLogger(__name__)


def _logged(error: BaseException) -> str | None:
    """The log file's path once the trace is in it; None when it could not be written."""
    try:
        return str(log_exception(error))
    except OSError:
        log.error("unexpected error", exc_info=error)
        return None


def report_failed_worker(app: App[Any], worker: Worker[Any]) -> None:
    error = worker.error
    assert error is not None
    where = _logged(error) or "the log file"
    app.notify(f"{worker.name or worker.group} stopped: {type(error).__name__}: {error} (details in {where})",
               title="Internal error", severity="error", timeout=15, markup=False)


def crash_line(error: BaseException) -> str:
    """What a crash prints on exit: no traceback (its locals can hold secrets)."""
    where = _logged(error)
    return f"warroom: unexpected error: {type(error).__name__}: {error}" + (f" (details in {where})" if where else "")
