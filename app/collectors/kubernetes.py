"""Kubernetes pods, deployments and Warning events, one collector per `kubernetes:` entry.

Background tasks list then watch (see k8s_watch.Reflector) and keep a compact cache;
collect() only turns the cache into a Snapshot, so it is cheap and never waits on the
network after the first list. When a watch is down the snapshot still carries the cached
data but has `error` set, so the pane marks it stale and keeps showing it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

from app.collectors.base import Check, Collector, Level, Snapshot, now_utc, worst
from app.collectors.k8s_calls import KubeCalls
from app.collectors.k8s_records import (
    CRASH_STATES,
    IMAGE_STATES,
    DeploymentRecord,
    DeploymentRow,
    EventRow,
    PodRecord,
    PodRow,
    compact_deployment,
    compact_event,
    compact_pod,
    dedupe_events,
    deployment_row,
    pod_row,
)
from app.collectors.k8s_client import make_api_client, official_client
from app.collectors.k8s_watch import Reflector, describe_error, probe_ready
from app.config.kubernetes import KubernetesTarget

if TYPE_CHECKING:
    from app.config import Config

PROBE_EVERY = 10.0  # seconds between /readyz probes (sooner with a short redraw interval)
OBSERVATION_REPEAT = timedelta(minutes=10)  # the same pod entering the same state is said once per 10 min
NAMES_IN_OBSERVATION = 5


@dataclass(frozen=True)
class KubeView:
    """Snapshot.data: one cluster's pods (problems first), deployments and warning events."""

    cluster: str
    pods: tuple[PodRow, ...]
    deployments: tuple[DeploymentRow, ...]
    events: tuple[EventRow, ...]
    counts: dict[Level, int]
    several_namespaces: bool
    scope: str = "all namespaces"

    def events_for(self, namespace: str, name: str) -> list[EventRow]:
        return [e for e in self.events if e.namespace == namespace and e.name == name]


async def cancel_tasks(tasks: list[asyncio.Task]) -> None:
    """Cancel and wait, reading `tasks` again each round (a task may add to it meanwhile).

    Cancel again if needed: on Python 3.11 a wait_for whose inner call finishes just as it
    is cancelled swallows the cancel, and the task would run (and hold exit) forever.
    """
    for _ in range(5):
        running = [task for task in tasks if not task.done()]
        if not running:
            break
        for task in running:
            task.cancel()
        await asyncio.wait(running, timeout=1.0)
    for task in tasks:
        if task.done() and not task.cancelled():
            task.exception()  # retrieved, so asyncio does not log it at exit


def _sort_key(row: PodRow) -> tuple:
    return (-row.level.severity_rank, row.namespace, row.name)


@dataclass
class _Observations:
    pending: list[tuple[str, str]] = field(default_factory=list)  # (what, "ns/name")
    said: dict[tuple[str, str], float] = field(default_factory=dict)

    def add(self, what: str, who: str) -> None:
        now = time.monotonic()
        if now - self.said.get((what, who), -1e9) < OBSERVATION_REPEAT.total_seconds():
            return
        self.said[(what, who)] = now
        self.pending.append((what, who))
        if len(self.said) > 5000:  # bounded: forget the oldest half
            for key, _ in sorted(self.said.items(), key=lambda kv: kv[1])[:2500]:
                del self.said[key]

    def drain(self, cluster: str) -> tuple[str, ...]:
        grouped: dict[str, list[str]] = {}
        for what, who in self.pending:
            grouped.setdefault(what, []).append(who)
        self.pending.clear()
        lines = []
        for what, names in grouped.items():
            shown = ", ".join(names[:NAMES_IN_OBSERVATION])
            more = f" (+{len(names) - NAMES_IN_OBSERVATION} more)" if len(names) > NAMES_IN_OBSERVATION else ""
            lines.append(f"[{cluster}] {what}: {shown}{more}")
        return tuple(lines)


class KubernetesCollector(Collector[KubeView]):
    source = "kubernetes"
    retries_itself = True  # collect() reads the watched cache; the watches back off themselves

    def __init__(self, target: KubernetesTarget) -> None:
        self.target = target
        self.name = target.name
        self.interval = target.interval.total_seconds()
        self.timeout = target.timeout.total_seconds()
        self.pending_warn = target.pending_warn
        self.pods: list[Reflector] = []
        self.deployments: list[Reflector] = []
        self.events: list[Reflector] = []
        self._tasks: list[asyncio.Task] = []
        self._watching: dict[int, asyncio.Task] = {}  # id(reflector) -> its task
        self._probe_error: str | None = None
        self._unreachable = False  # the last probe got no answer at all
        self.probe_every = min(PROBE_EVERY, max(1.0, 5 * self.interval))
        self._api_client = None
        self._start_error: str | None = None
        self._started = False
        self._observations = _Observations()
        self._rows: dict[str, PodRow] = {}
        self._lists_ahead = False

    def once(self) -> None:
        self._lists_ahead = True  # see Reflector.ahead

    # --- background ----------------------------------------------------------------
    async def _start(self) -> None:
        self._started = True
        try:
            self._api_client, configuration, loader = await asyncio.wait_for(make_api_client(self.target), self.timeout)
        except Exception as exc:  # noqa: BLE001 - bad kubeconfig is shown in the pane, not raised
            self._start_error = f"cannot load Kubernetes config: {exc}"
            self._started = False
            return
        selector = [("labelSelector", self.target.label_selector)] if self.target.label_selector else []
        warnings = [("fieldSelector", "type=Warning")]
        scopes = [(ns, f"/namespaces/{quote(ns, safe='')}") for ns in self.target.namespaces] or [("all", "")]
        for label, within in scopes:
            self.pods.append(Reflector(
                f"{self.name}/pods/{label}", self._api_client, f"/api/v1{within}/pods", selector,
                compact=compact_pod, on_change=self._pod_changed, request_timeout=self.timeout, on_relist=self._listed,
                ahead=self._lists_ahead))
            self.deployments.append(Reflector(
                f"{self.name}/deployments/{label}", self._api_client, f"/apis/apps/v1{within}/deployments", selector,
                compact=compact_deployment, on_change=self._deployment_changed, request_timeout=self.timeout,
                on_relist=self._listed))
            self.events.append(Reflector(
                f"{self.name}/events/{label}", self._api_client, f"/api/v1{within}/events", warnings,
                compact=compact_event, request_timeout=self.timeout, on_relist=self._listed))
        for reflector in self.reflectors:
            self._watch(reflector)
        self._tasks.append(asyncio.create_task(self._probe(), name=f"{self.name}/readyz"))
        if loader is not None:
            # Refreshes exec-plugin / gcp tokens before they expire; returns at once for static credentials.
            refresh = official_client().config.refresh_token
            self._tasks.append(asyncio.create_task(refresh(loader, configuration), name=f"{self.name}/token"))

    def _watch(self, reflector: Reflector) -> None:
        task = asyncio.create_task(reflector.run(), name=reflector.what)
        self._watching[id(reflector)] = task
        self._tasks[:] = [t for t in self._tasks if not t.done()] + [task]  # in place: aclose reads it

    def _listed(self) -> None:
        # A list that went through answers the probe's "unreachable" before its next round.
        if self._unreachable:
            self._unreachable, self._probe_error = False, None

    async def _probe(self) -> None:
        while True:
            await asyncio.sleep(self.probe_every)
            try:
                self._probe_error = await probe_ready(self._api_client, self.timeout)
                reached = True
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - no answer is exactly what we look for
                self._probe_error, reached = describe_error(exc), False
            if not reached and not self._unreachable:
                # Open watches may be dead without knowing it (a partition): start them over,
                # so they relist when the API server is back instead of minutes later.
                await cancel_tasks(list(self._watching.values()))
                for reflector in self.reflectors:
                    self._watch(reflector)
            self._unreachable = not reached

    @property
    def reflectors(self) -> list[Reflector]:
        return [*self.pods, *self.deployments, *self.events]

    def _pod_changed(self, key: str, old: PodRecord | None, new: PodRecord | None) -> None:
        if new is None:
            return
        who = f"{new.namespace}/{new.name}"
        status, before = new.columns.status, old.columns.status if old else ""
        for states, label in ((CRASH_STATES, "CrashLoopBackOff"), (IMAGE_STATES, "ImagePullBackOff")):
            if status in states and before not in states:
                self._observations.add(f"pod entered {label}", who)
        if new.last_oom and (old is None or old.last_oom != new.last_oom):
            self._observations.add("pod OOMKilled", who)

    def _deployment_changed(self, key: str, old: DeploymentRecord | None, new: DeploymentRecord | None) -> None:
        if new is None or old is None:
            return
        who = f"{new.namespace}/{new.name}"
        if new.rolling and not old.rolling:
            self._observations.add("rollout started", f"{who} ({new.updated}/{new.desired} updated)")
        elif old.rolling and not new.rolling:
            self._observations.add("rollout finished", f"{who} ({new.available}/{new.desired} available)")

    def calls(self) -> KubeCalls | None:
        """One-off calls (logs, describe, rollouts) with this cluster's client; None before it is loaded."""
        if self._api_client is None:
            return None
        return KubeCalls(self._api_client, self.timeout)

    # --- the collector contract ----------------------------------------------------------
    async def collect(self) -> Snapshot[KubeView]:
        if not self._started:
            await self._start()
        if self._start_error:
            error, self._start_error = self._start_error, None
            return Snapshot(self.source, self.name, now_utc(), Level.UNKNOWN, error)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(r.synced.wait() for r in self.reflectors)), self.timeout)
        # 5,000 rows take 30-50 ms: built in a thread, the UI keeps answering keys meanwhile.
        # It reads each cache with list(dict.values()), which the GIL makes atomic.
        return await asyncio.to_thread(self.snapshot, None, self._observations.drain(self.name))

    def snapshot(self, now: datetime | None = None, observations: tuple[str, ...] | None = None) -> Snapshot[KubeView]:
        now = now or now_utc()
        listed = [r for r in self.reflectors if r.lists]
        problems = [self._probe_error] + [r.error for r in self.reflectors]
        errors = list(dict.fromkeys(p for p in problems if p))  # one line per distinct problem
        if not listed:
            return Snapshot(self.source, self.name, now, Level.UNKNOWN, errors[0] if errors else "no answer from the API server yet")
        pods = sorted(self._pod_rows(now), key=_sort_key)
        deployments = sorted(
            (deployment_row(self.name, d, now) for r in self.deployments for d in list(r.items.values())),
            key=lambda d: (-d.level.severity_rank, d.rollout.startswith("rolled") , d.namespace, d.name),
        )
        events = [e for r in self.events for e in list(r.items.values())]
        if self.target.label_selector:  # events carry no labels: keep those about objects we show
            shown = {(p.namespace, p.name) for p in pods} | {(d.namespace, d.name) for d in deployments}
            events = [e for e in events if (e.namespace, e.name) in shown or any(
                e.kind == "ReplicaSet" and e.namespace == d.namespace and e.name.startswith(d.name + "-") for d in deployments)]
        counts = {level: 0 for level in (Level.CRIT, Level.WARN, Level.OK)}
        for row in pods:
            counts[row.level] = counts.get(row.level, 0) + 1
        view = KubeView(
            cluster=self.name,
            pods=tuple(pods),
            deployments=tuple(deployments),
            events=tuple(dedupe_events(self.name, events, now)),
            counts=counts,
            several_namespaces=len(self.target.namespaces) != 1,
            scope=", ".join(self.target.namespaces) or "all namespaces",
        )
        level = worst([r.level for r in pods] + [d.level for d in deployments])
        error = "; ".join(errors) if errors else None
        said = self._observations.drain(self.name) if observations is None else observations
        return Snapshot(self.source, self.name, now, level, error, view, said)

    def _pod_rows(self, now: datetime) -> list[PodRow]:
        # A row equal to the last one is reused: with 5,000 pods, fresh rows every snapshot
        # all outlived the young GC generations and brought a 120-160 ms full collection
        # (a frozen screen) every few seconds. A row built and dropped is freed at once.
        rows: dict[str, PodRow] = {}
        for reflector in self.pods:
            for record in list(reflector.items.values()):
                row = pod_row(self.name, record, now, self.pending_warn)
                old = self._rows.get(row.key)
                rows[row.key] = old if old == row else row
        self._rows = rows
        return list(rows.values())

    def checks(self, snapshot: Snapshot[KubeView]) -> list[Check]:
        view = snapshot.data
        if view is None:
            return [Check(self.source, self.name, Level.UNKNOWN, snapshot.error or "no data")]
        counts = ", ".join(f"{n} {lv.word}" for lv, n in view.counts.items() if n)
        summary = f"{len(view.pods)} pods ({counts or 'none'}), {len(view.deployments)} deployments in {view.scope}"
        if snapshot.error:
            summary += f"; stale: {snapshot.error}"
        checks = [Check(self.source, self.name, Level.UNKNOWN if snapshot.error else snapshot.level, summary,
                        {"cluster": self.name, "pods": len(view.pods), "deployments": len(view.deployments)})]
        for row in view.pods:
            text = f"{row.status}, ready {row.ready}, restarts {row.restarts}, age {row.age}" + (f" ({row.why})" if row.why else "")
            checks.append(Check(self.source, f"{self.name}/{row.namespace}/{row.name}", row.level, text,
                                {"cluster": self.name, "kind": "pod", **row.detail()}, listed=row.level is not Level.OK))
        for dep in view.deployments:
            checks.append(Check(self.source, f"{self.name}/{dep.namespace}/deployment/{dep.name}", dep.level, dep.summary(),
                                {"cluster": self.name, "kind": "deployment", "namespace": dep.namespace, "deployment": dep.name,
                                 "desired": dep.desired, "updated": dep.updated, "ready": dep.ready,
                                 "available": dep.available, "rollout": dep.rollout}, listed=dep.level is not Level.OK))
        return checks

    async def aclose(self) -> None:
        await cancel_tasks(self._tasks)
        self._tasks.clear()
        if self._api_client is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._api_client.close(), 2.0)
            self._api_client = None


def build(config: Config) -> list[Collector]:
    return build_for(config.kubernetes)


def build_for(targets: list[KubernetesTarget]) -> list[Collector]:
    return [KubernetesCollector(target) for target in targets]
