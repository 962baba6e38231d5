"""The drill's director: plays a scenario's steps on the scenario clock, watches what the
commander does (timeline decisions, the lock root terminated) and starts the recovery.

It writes to the incident like any other terminal or bot would (`warroom log`): through
the incident core, on a store connection of its own, so the dashboard shows its entries
within a second. It writes once per incident: that the incident is a drill and which
scenario ran, so an export says so.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from app.domain.events import EventType
from app.drill.cluster import Cluster
from app.drill.scenario import Scenario, Step
from app.drill.services import Services
from app.drill.workload import DatabaseState, Workload
from app.incident import IncidentCore, LogEntry
from app.store import IncidentStore

log = logging.getLogger(__name__)
ACTOR = "drill"
TICK = 0.2  # wall seconds between looks at the clock
STORE_EVERY = 0.5  # wall seconds between looks at the incident store


class ScenarioClock:
    """Seconds of scenario time: wall time since start times `speed`, minus pauses."""

    def __init__(self, speed: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.speed = speed
        self._monotonic = monotonic
        self._started = monotonic()
        self._paused_at: float | None = None
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            wall = (self._paused_at if self._paused_at is not None else self._monotonic()) - self._started
        return wall * self.speed

    def pause(self) -> None:
        with self._lock:
            if self._paused_at is None:
                self._paused_at = self._monotonic()

    def resume(self) -> None:
        with self._lock:
            if self._paused_at is not None:
                self._started += self._monotonic() - self._paused_at
                self._paused_at = None


@dataclass
class Progress:
    """Where the drill is; read by the CLI's closing summary and by tests."""

    step: Step | None = None
    phase: str = "starting"  # starting | incident | recovery | over | failed
    ended_by: str | None = None
    ended_at: float | None = None  # scenario seconds
    played: list[tuple[float, Step]] = field(default_factory=list)
    error: str | None = None


class DrillRunner:
    def __init__(self, scenario: Scenario, *, clock: ScenarioClock, services: Services, cluster: Cluster,
                 workload: Callable[[], Workload | None], open_store: Callable[[], IncidentStore],
                 on_step: Callable[[Step, str], None] | None = None, started_wall: datetime | None = None) -> None:
        self.scenario = scenario
        self.clock = clock
        self.services, self.cluster = services, cluster
        self._workload = workload  # the database comes up on its own time: None until then
        self._open_store = open_store
        self.on_step = on_step
        self.started_wall = started_wall or datetime.now(UTC)
        self.progress = Progress()
        self._pattern = re.compile(scenario.ends.decision, re.IGNORECASE) if scenario.ends.decision else None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="drill-runner", daemon=True)
        self._noted: set[str] = set()
        self._seen: dict[str, int] = {}
        self._db_state = DatabaseState(pool=dict(scenario.database.pool or {}),
                                       idle_in_transaction=scenario.database.idle_in_transaction or 0,
                                       lock_queue=scenario.database.lock_queue)
        self._db_applied: DatabaseState | None = None

    @property
    def incidents(self) -> list[str]:
        """Incidents opened in the drill's store while it ran (each noted as a drill)."""
        return sorted(self._noted)

    def start(self) -> DrillRunner:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)

    # --- the loop -----------------------------------------------------------------------
    def _run(self) -> None:
        store: IncidentStore | None = None
        try:
            store = self._open_store()
            core = IncidentCore(store, None, actor=ACTOR)
            pending = list(self.scenario.steps)
            self.progress.phase = "incident"
            next_store = 0.0
            while not self._stop.wait(TICK):
                now = self.clock.now()
                while pending and self._due(pending[0], now):
                    self._play(pending.pop(0), now)
                self._sync_database()
                self.cluster.tick(now)
                if self.progress.phase == "incident":
                    ended_by = self._ended(now)
                    if time.monotonic() >= next_store:
                        next_store = time.monotonic() + STORE_EVERY
                        ended_by = self._watch_store(core) or ended_by
                    if ended_by:
                        self._end(ended_by, now)
                        pending = list(self.scenario.ends.recovery)
        except Exception as exc:  # noqa: BLE001 - the dashboard keeps running; the log has the trace
            log.exception("drill runner failed")
            self.progress.phase, self.progress.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            if store is not None:
                store.close()

    def _due(self, step: Step, now: float) -> bool:
        if self.progress.phase == "recovery":
            assert self.progress.ended_at is not None
            return now >= self.progress.ended_at + step.at.total_seconds()
        return now >= step.at.total_seconds()

    def _play(self, step: Step, now: float) -> None:
        for name, patch in step.services.items():
            changes: dict[str, object] = {"health": patch.health, "rps": patch.rps, "error_ratio": patch.errors,
                                          "latency_ms": int(patch.latency.total_seconds() * 1000) if patch.latency else None}
            self.services.patch(name, **{k: v for k, v in changes.items() if v is not None})
        for name, deployment in step.deployments.items():
            self.cluster.patch(name, now, **{k: getattr(deployment, k) for k in deployment.model_fields_set})
        if step.database is not None:
            db = step.database
            set_ = {k: getattr(db, k) for k in db.model_fields_set}
            if "pool" in set_:
                set_["pool"] = {**self._db_state.pool, **(db.pool or {})}
            self._db_state = replace(self._db_state, **set_)
        self.progress.step = step
        self.progress.played.append((now, step))
        if self.on_step is not None:
            self.on_step(step, self.progress.phase)

    def _sync_database(self) -> None:
        workload = self._workload()
        if workload is not None and self._db_applied != self._db_state:
            workload.apply(self._db_state)
            self._db_applied = self._db_state

    # --- how the incident ends ------------------------------------------------------------
    def _ended(self, now: float) -> str | None:
        ends = self.scenario.ends
        workload = self._workload()
        if ends.root_terminated and workload is not None and workload.root_terminated():
            return "the migration's backend was terminated"
        if self.cluster.rolled_back and self._pattern is not None and self._pattern.search("roll back"):
            return f"{self.cluster.rolled_back[-1]} rolled back from the dashboard"
        if now >= ends.after.total_seconds():
            return f"timeout ({ends.after.total_seconds() / 60:g} min of scenario time)"
        return None

    def _end(self, reason: str, now: float) -> None:
        self.progress.phase, self.progress.ended_by, self.progress.ended_at = "recovery", reason, now
        log.info("drill %s: ended by %s at %.0fs", self.scenario.name, reason, now)

    def _watch_store(self, core: IncidentCore) -> str | None:
        if not core.store.changed() and self._seen:
            return None
        found = None
        for incident in core.store.open_incidents():
            if incident.id not in self._noted:
                self._note(core, incident.id)
            events = core.store.events(incident.id, self._seen.get(incident.id, 0))
            for event in events:
                self._seen[incident.id] = event.seq
                if event.type is not EventType.ENTRY_ADDED or event.actor == ACTOR:
                    continue
                text = str(event.data.get("text", ""))
                if event.data.get("kind") == "decision" and self._pattern is not None and self._pattern.search(text):
                    found = f"decision #{event.seq} by {event.actor}: {text[:80]}"
        return found

    def _note(self, core: IncidentCore, incident_id: str) -> None:
        self._noted.add(incident_id)
        if any(e.actor == ACTOR for e in core.store.events(incident_id)):
            return  # noted before (the dashboard was restarted on the same drill store)
        s = self.scenario
        started = self.started_wall.strftime("%Y-%m-%d %H:%M:%S UTC")
        text = (f"DRILL — scenario {s.name} ({s.title}); scenario clock started {started} at speed "
                f"{self.clock.speed:g}x. This is an exercise, not a real incident.")
        extra = {"drill": {"scenario": s.name, "speed": self.clock.speed, "started_at": self.started_wall.isoformat()}}
        core.execute(incident_id, LogEntry(text, "note", extra))
