"""Reading files named by a person (the config, runbooks) without hanging or ballooning.

A path can name a directory, a FIFO that blocks on open, /dev/zero, or a symlink loop; each
is refused by what it is, and a regular file is read only up to a limit, so a mistaken path
costs a line of output rather than a hung terminal or gigabytes of memory.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MiB = 1024 * 1024
MAX_CONFIG_BYTES = MiB
MAX_RUNBOOK_BYTES = MiB

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class UnreadableFile(ValueError):
    """The text says what is wrong with the path; callers add the file name and the key."""


def kind_of(mode: int) -> str:
    """'a directory', 'a FIFO (named pipe)', ... for anything that is not a regular file."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def describe_os_error(exc: OSError, path: Path | str) -> str:
    if exc.errno == errno.ENOENT:
        return "is a symlink to a missing file" if os.path.islink(path) else "not found"
    if exc.errno == errno.ELOOP:
        return "is a symlink loop"
    if exc.errno == errno.EACCES:
        return "permission denied"
    return exc.strerror or str(exc)


def size_text(limit: int) -> str:
    return f"{limit // MiB} MiB" if limit % MiB == 0 else f"{limit} bytes"


def check_regular(path: Path | str) -> os.stat_result:
    """stat() the path (following symlinks) and insist on a regular file."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise UnreadableFile(describe_os_error(exc, path)) from None
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile(f"is {kind_of(info.st_mode)}, not a file")
    return info


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else is UnreadableFile."""
    info = check_regular(path)
    if info.st_size > limit:
        raise UnreadableFile(f"is larger than {size_text(limit)} ({info.st_size} bytes)")
    # O_NONBLOCK: if the path was swapped for a FIFO after the stat, open must not wait for a writer.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UnreadableFile(describe_os_error(exc, path)) from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise UnreadableFile(f"is {kind_of(opened.st_mode)}, not a file")
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(64 * 1024, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise UnreadableFile(describe_os_error(exc, path)) from None
    finally:
        os.close(fd)
    if total > limit:
        raise UnreadableFile(f"is larger than {size_text(limit)}")
    return b"".join(chunks)
