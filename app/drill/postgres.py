"""A PostgreSQL of our own: a pgserver cluster whose life the caller controls.

pgserver ships PostgreSQL in a wheel and starts it on a Unix socket in the data directory
(no TCP port). Its own clean-up runs at interpreter exit and counts handles across
processes; a drill or a test that is stopped by a signal must not depend on that, so the
caller stops the server itself (`stop()`: pg_ctl, then the postmaster's pid if need be).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import warnings
from pathlib import Path
from typing import Any

PGSERVER_USER = "pgserver"  # pgserver runs postgres as this OS user when we are root


def _pg_ctl(args: list[str], pgdata: Path, timeout: float) -> None:
    _pgserver()
    from pgserver import _commands

    user = PGSERVER_USER if os.geteuid() == 0 else None
    pg_ctl = getattr(_commands, "pg_ctl")  # made at import time: invisible to mypy
    pg_ctl(args, pgdata=pgdata, user=user, timeout=timeout)


def _pgserver() -> Any:
    with warnings.catch_warnings():
        # platformdirs warns on import when XDG_RUNTIME_DIR is unset: not ours to report.
        warnings.simplefilter("ignore")
        import pgserver
        from pgserver import postgres_server
    return pgserver, postgres_server


def available() -> str | None:
    """None when a drill can run its own PostgreSQL, else why not (one line)."""
    import importlib.util

    # Found, not imported: importing it costs start-up time the database thread pays anyway.
    if importlib.util.find_spec("pgserver") is None:
        return ("the drill's PostgreSQL needs the pgserver wheel (CPython 3.11-3.12 on Linux or macOS): "
                "the PostgreSQL pane stays empty in this drill")
    return None


def predicted_dsn(pgdata: Path) -> str | None:
    """The DSN the server at `pgdata` will have, known before it starts (the dashboard is
    up before the database), or None where pgserver would put the socket elsewhere."""
    pgdata = pgdata.resolve()
    # A Unix socket's path is at most 104 bytes (macOS; Linux allows 108): pgserver then
    # uses a directory of its own.
    if len(os.fsencode(pgdata / ".s.PGSQL.5432")) > 100:
        return None
    return f"postgresql://postgres:@/postgres?host={pgdata}"


class LocalPostgres:
    """Start a cluster in `pgdata` (created if need be); `settings` go into its config
    before the first start, so a drill's max_connections costs no restart."""

    def __init__(self, pgdata: Path, *, settings: dict[str, str] | None = None, cleanup_mode: str | None = "stop") -> None:
        _, postgres_server = _pgserver()
        self.pgdata = Path(pgdata).resolve()
        self.pgdata.mkdir(exist_ok=True)
        base = postgres_server.PostgresServer
        chosen = dict(settings or {})

        class Configured(base):  # type: ignore[misc, valid-type]
            def ensure_postgres_running(self) -> None:
                # initdb has run (the constructor's first step); the server has not started.
                auto = self.pgdata / "postgresql.auto.conf"
                if chosen and auto.exists() and not (self.pgdata / "postmaster.pid").exists():
                    with auto.open("a", encoding="utf-8") as conf:
                        conf.writelines(f"{key} = '{value}'\n" for key, value in chosen.items())
                super().ensure_postgres_running()

        self.server = Configured(self.pgdata, cleanup_mode=cleanup_mode)
        self.dsn: str = self.server.get_uri()
        self.socket_dir = self.server.get_postmaster_info().socket_dir
        self.postmaster_pid: int | None = self.server.get_pid()

    def _pg_ctl(self, args: list[str], timeout: float = 30) -> None:
        _pg_ctl(args, self.pgdata, timeout)

    def stop(self, mode: str = "immediate") -> None:
        self._pg_ctl(["-w", "-m", mode, "stop"])

    def start(self) -> None:
        self._pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log"), "start"])

    def restart(self) -> None:
        self._pg_ctl(["-w", "-m", "fast", "restart"])

    def shut_down(self, *, remove: bool) -> None:
        """Stop for good, whatever state it is in, and (remove=True) delete the data directory.
        Never raises: it runs on the way out."""
        with contextlib.suppress(Exception):
            self._pg_ctl(["-w", "-m", "fast", "stop"], timeout=10)
        if self.postmaster_pid is not None:
            # pg_ctl failed or timed out: the postmaster goes the hard way (its backends
            # notice a dead postmaster and exit by themselves).
            with contextlib.suppress(OSError):
                os.kill(self.postmaster_pid, signal.SIGKILL)
        # pgserver's own exit hook would look for its handle list in the removed directory.
        atexit.unregister(self.server._cleanup)
        if remove:
            shutil.rmtree(self.pgdata, ignore_errors=True)


def stop_leftover(pgdata: Path) -> None:
    """A drill killed outright (SIGKILL) leaves its server running: stop it before its data
    directory goes. Never raises."""
    with contextlib.suppress(Exception):
        if (pgdata / "postmaster.pid").exists():
            _pg_ctl(["-w", "-m", "immediate", "stop"], pgdata, 10)
