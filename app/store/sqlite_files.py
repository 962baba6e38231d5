"""Looking at a SQLite store file before trusting it, and opening it only to read.

Reading must work whenever the bytes are readable: on a read-only mount, a full disk, a
file marked read-only, or a damaged file someone wants to export from. A plain `mode=ro`
connection still creates -wal/-shm files beside a WAL database, which fails on such
disks and litters the directory, so readers open `immutable=1` unless a -wal file shows a
writer is (or was) active, and check afterwards that the file did not change under them.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from pathlib import Path
from urllib.parse import quote

from app.config.files import describe_os_error, kind_of
from app.errors import StoreError

SQLITE_MAGIC = b"SQLite format 3\x00"


def recovery_hint(path: Path) -> str:
    return (
        f"recover what is readable with: sqlite3 '{path}' .recover | sqlite3 '{path}.recovered.db' "
        "(or restore your backup), then point incident.store at the new file"
    )


def check_store_path(path: Path) -> os.stat_result | None:
    """The file's stat if it exists and is a regular file; None if it does not exist."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise StoreError(f"{path}: is a symlink to a missing file, not an incident store") from None
        return None
    except OSError as exc:
        raise StoreError(f"{path}: cannot use as incident store: {describe_os_error(exc, path)}") from None
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{path}: is {kind_of(info.st_mode)}, not an incident store; left untouched")
    return info


def read_header(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read incident store: {describe_os_error(exc, path)}") from None
    try:
        header = os.read(fd, 100)
    except OSError as exc:
        raise StoreError(f"{path}: cannot read incident store: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if header and not header.startswith(SQLITE_MAGIC):
        raise StoreError(f"{path}: not a SQLite database (corrupt or another kind of file); left untouched")
    return header


def _fingerprint(path: Path) -> tuple[int, int, int, bool]:
    try:
        info = os.stat(path)
    except OSError:
        return (0, 0, 0, True)
    return (info.st_ino, info.st_size, info.st_mtime_ns, os.path.exists(f"{path}-wal"))


def _uri(path: Path, option: str) -> str:
    return f"file:{quote(str(path.resolve()))}?{option}"


class ReadConnection:
    """A read-only connection that notices when a writer changed the file under it.

    With `immutable=1` SQLite takes no locks and caches pages, so a writer that starts
    meanwhile could leave it reading a mix of old and new pages; `changed_underneath()`
    compares the file (inode, size, mtime, -wal presence) with the moment of opening.
    """

    def __init__(self, path: Path, busy_timeout: float) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self.conn: sqlite3.Connection
        self.immutable = False
        self._opened_as: tuple[int, int, int, bool] = (0, 0, 0, False)
        self.open()

    def open(self) -> None:
        self._opened_as = _fingerprint(self.path)
        if self._opened_as[3]:
            # A -wal file: a writer is or was active and its last commits may live only there.
            conn = None
            try:
                conn = self._connect("mode=ro")
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                self.conn, self.immutable = conn, False
                return
            except sqlite3.Error:
                if conn is not None:
                    conn.close()  # e.g. -shm not writable here; fall back to the main file
        try:
            self.conn = self._connect("immutable=1")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot read incident store: {exc}") from None
        self.immutable = True

    def _connect(self, option: str) -> sqlite3.Connection:
        return sqlite3.connect(_uri(self.path, option), uri=True, timeout=self.busy_timeout, check_same_thread=False)

    def changed_underneath(self) -> bool:
        return self.immutable and _fingerprint(self.path) != self._opened_as

    def reopen(self) -> None:
        self.conn.close()
        self.open()

    def close(self) -> None:
        self.conn.close()


def no_space_left(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent if not path.is_dir() else path).free == 0
    except OSError:
        return False
