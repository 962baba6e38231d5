"""One drill at a time per user: a lock file in the user's state dir, held (flock) for the
drill's life. The kernel drops the lock when the process dies, however it dies; the file
keeps the last drill's directory so a drill killed outright (SIGKILL) is cleaned up by the
next one."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from pathlib import Path
from typing import IO

from app.errors import WarroomError


class DrillRunning(WarroomError):
    exit_code = 2


class DrillLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self, workdir: Path, *, keep: bool) -> dict[str, object] | None:
        """Take the lock or raise DrillRunning; returns the record of a previous drill that
        did not end cleanly (its directory is still there), for the caller to clean up."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the drill's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            other = _record(handle.read())
            handle.close()
            who = f" (pid {other.get('pid')}, started {other.get('started')})" if other else ""
            raise DrillRunning(f"a warroom demo is already running{who}; stop it first (ctrl+q in its dashboard)") from None
        handle.seek(0)
        previous = _record(handle.read())
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
                                 "workdir": str(workdir), "keep": keep}))
        handle.flush()
        self._file = handle
        stale = previous and not previous.get("done") and not previous.get("keep") and Path(str(previous.get("workdir"))).exists()
        return previous if stale else None

    def release(self) -> None:
        if self._file is None:
            return
        with contextlib.suppress(OSError):
            self._file.seek(0)
            record = _record(self._file.read())
            self._file.seek(0)
            self._file.truncate()
            self._file.write(json.dumps({**record, "done": True}))
            self._file.flush()
        self._file.close()
        self._file = None


def _record(text: str) -> dict[str, object]:
    with contextlib.suppress(ValueError):
        value = json.loads(text)
        if isinstance(value, dict):
            return value
    return {}


def clean_leftover(record: dict[str, object]) -> None:
    """A killed drill's server and directory (only a directory that is a drill's)."""
    from app.drill.postgres import stop_leftover

    workdir = Path(str(record.get("workdir")))
    if not workdir.name.startswith("warroom-drill-"):
        return
    stop_leftover(workdir / "pg")
    shutil.rmtree(workdir, ignore_errors=True)
