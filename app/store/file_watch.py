"""Sleeping until a file in a folder is written, instead of waking up to look.

A dashboard left open follows other terminals' commits to its SQLite file
(app/incident/sync.py). Looking every 0.4 s costs a thread wake-up each time, most of an
idle dashboard's CPU beyond drawing its clock; Linux can say when the folder's files are
written (inotify), so the follower sleeps until then. Where that is not available (another
OS, no libc symbol, the watch limit reached) `watch_folder` returns None and the follower
looks on a timer as before. Network file systems may not report other machines' writes: the
follower still looks on its own now and then.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import select
from pathlib import Path

_IN_MODIFY = 0x002
_IN_MOVED_TO = 0x080
_IN_CREATE = 0x100
_IN_DELETE = 0x200
_MASK = _IN_MODIFY | _IN_MOVED_TO | _IN_CREATE | _IN_DELETE


class FolderWatch:
    """An inotify descriptor on one folder; `wait` is safe from one thread at a time."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def wait(self, timeout: float) -> bool:
        """Block up to `timeout` s; True when something in the folder was written (not
        necessarily the file one cares about, and a commit may still be under way)."""
        if self._fd < 0:
            return False
        try:
            ready, _, _ = select.select([self._fd], [], [], timeout)
        except (OSError, ValueError):  # closed under us: we are quitting
            return False
        if not ready:
            return False
        try:
            while os.read(self._fd, 65536):  # drain: one wake-up for a burst of writes
                pass
        except (BlockingIOError, OSError):
            pass
        return True

    def close(self) -> None:
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)


def watch_folder(folder: Path) -> FolderWatch | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        init, add = libc.inotify_init1, libc.inotify_add_watch
    except (OSError, AttributeError):
        return None
    fd = init(os.O_NONBLOCK | os.O_CLOEXEC)
    if fd < 0:
        return None
    if add(fd, os.fsencode(folder), _MASK) < 0:
        os.close(fd)
        return None
    return FolderWatch(fd)
