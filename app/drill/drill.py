"""A drill from start to finish: one at a time (the lock), the environment, the runner, and
everything stopped again however the drill ends (quit, Ctrl+C, SIGTERM, SIGHUP).

The front end (`warroom demo` in app/cli) opens the ordinary dashboard on `config_path`
and `store_url` between `start()` and `stop()`; nothing here knows about the screen.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import platformdirs

from app.drill.environment import DrillEnvironment
from app.drill.lock import DrillLock, clean_leftover
from app.drill.runner import DrillRunner, ScenarioClock
from app.drill.scenario import Scenario, Step

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def drill_store_url() -> str:
    """Drills never mix with real incidents: a store of their own in the user's data dir."""
    return f"sqlite:///{platformdirs.user_data_path('warroom') / 'drills.db'}"


def lock_path() -> Path:
    return platformdirs.user_state_path("warroom") / "demo.lock"


class Drill:
    def __init__(self, scenario: Scenario, *, speed: float = 1.0, store_url: str | None = None, keep: bool = False,
                 on_step: Callable[[Step, str], None] | None = None, dsn: str | None = None,
                 signals: bool = True) -> None:
        """`dsn` and `signals=False` are for tests: a shared PostgreSQL, and pytest's own
        signal handling left alone."""
        self.scenario, self.speed, self.keep = scenario, speed, keep
        self.store_url = store_url or drill_store_url()
        self.on_step = on_step
        self.workdir = Path(tempfile.mkdtemp(prefix="warroom-drill-"))
        self.lock = DrillLock(lock_path())
        self.env = DrillEnvironment(scenario, self.workdir, speed=speed, dsn=dsn)
        self._signals = signals
        self.runner: DrillRunner | None = None
        self.clock = ScenarioClock(speed)
        self._interrupt: Callable[[], None] | None = None
        self._previous: dict[int, Any] = {}
        self._stopped = False

    @property
    def config_path(self) -> Path:
        return self.env.config_path

    def start(self) -> Path:
        """Lock, start everything, start the scenario; returns the config's path."""
        try:
            leftover = self.lock.acquire(self.workdir, keep=self.keep)
        except BaseException:
            self.workdir.rmdir()
            raise
        self._catch_signals()
        # A drill polls every second or faster for ten minutes: request lines would bury
        # the log file's errors.
        for noisy in ("httpx", "pgserver"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        try:
            if leftover:
                clean_leftover(leftover)
            if self.store_url.startswith("sqlite:///"):
                Path(self.store_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            config = self.env.start()
            assert self.env.services is not None and self.env.cluster is not None
            from app.store import open_store

            self.clock = ScenarioClock(self.speed)  # scenario time starts with the runner
            self.runner = DrillRunner(self.scenario, clock=self.clock, services=self.env.services,
                                      cluster=self.env.cluster, workload=self.env.workload,
                                      open_store=lambda: open_store(self.store_url), on_step=self.on_step).start()
            return config
        except BaseException:
            self.stop()
            raise

    # --- signals ------------------------------------------------------------------------------
    def interrupt_with(self, handler: Callable[[], None] | None) -> None:
        """What a stop signal does once the dashboard runs (ask it to quit); before and after
        that, a signal unwinds the drill as Ctrl+C would (KeyboardInterrupt)."""
        self._interrupt = handler

    def _catch_signals(self) -> None:
        if not self._signals or threading.current_thread() is not threading.main_thread():
            return  # only the main thread may

        def on_signal(signum: int, frame: FrameType | None) -> None:
            if self._interrupt is None:
                raise KeyboardInterrupt
            # Not from inside the handler: it interrupts the event loop mid-step.
            threading.Thread(target=self._interrupt, name="drill-signal", daemon=True).start()

        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.signal(signum, on_signal)

    def _restore_signals(self) -> None:
        for signum, previous in self._previous.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(signum, previous)
        self._previous.clear()

    # --- the end --------------------------------------------------------------------------------
    def stop(self) -> None:
        """Everything started is stopped and (without keep) removed. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        # A second Ctrl+C while cleaning up must not leave a server behind.
        for signum in STOP_SIGNALS if self._previous else ():
            with contextlib.suppress(ValueError):
                signal.signal(signum, signal.SIG_IGN)
        try:
            if self.runner is not None:
                self.runner.stop()
            self.env.stop(keep=self.keep)
        finally:
            self.lock.release()
            self._restore_signals()

    def wall_time(self, scenario_seconds: float) -> datetime:
        """When a moment of scenario time happened (a drill run from the CLI is never paused)."""
        started = self.runner.started_wall if self.runner else datetime.now(UTC)
        return started + timedelta(seconds=scenario_seconds / self.speed)

    def channel_messages(self) -> list[str]:
        """What the drill's status-update channel received, as text."""
        log = self.workdir / "channel.jsonl"
        received = list(self.env.channel.received) if self.env.channel else []
        if not received and log.exists():
            received = [json.loads(line)["message"] for line in log.read_text("utf-8").splitlines() if line.strip()]
        return [m.get("text", json.dumps(m)) if isinstance(m, dict) else str(m) for m in received]

    def __enter__(self) -> Drill:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
