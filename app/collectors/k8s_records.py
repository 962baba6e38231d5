"""Compact records the Kubernetes cache keeps per object, levels, and the rows a snapshot carries.

Only the fields we show are kept (never whole objects), so 5,000 pods cost a few MB.
Everything that depends on 'now' (AGE, "(5m ago)", pending too long) is computed when a
snapshot is taken, not when the object arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from app.collectors.base import Level
from app.collectors.kubectl_printer import PodColumns, last_termination, parse_time, pod_columns, since
from app.domain.text import one_line

CRASH_STATES = {"CrashLoopBackOff", "Init:CrashLoopBackOff"}
IMAGE_STATES = {"ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull",
                "Init:ImagePullBackOff", "Init:ErrImagePull", "Init:InvalidImageName"}
ERROR_WAITING = {"CreateContainerConfigError", "CreateContainerError", "RunContainerError", "PreStartHookError",
                 "PostStartHookError", "ContainerCannotRun"}
RECENT_RESTART = timedelta(minutes=10)
EVENT_WINDOW = timedelta(minutes=15)
MESSAGE_LIMIT = 300  # event messages can be long; the pane shows one line anyway
LABELS_KEPT = 32  # a pod's labels, for the pane's `label=value` filter: bounded like all we keep
LABEL_LIMIT = 128


@dataclass(frozen=True, slots=True)
class PodRecord:
    uid: str
    namespace: str
    name: str
    node: str
    created: datetime | None
    phase: str
    columns: PodColumns
    last_termination: str
    last_oom: datetime | None  # finishedAt of the newest OOMKilled termination
    labels: tuple[tuple[str, str], ...] = ()


def _newest_oom(pod: dict) -> datetime | None:
    status = pod.get("status") or {}
    found = None
    for container in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        for key in ("state", "lastState"):
            terminated = (container.get(key) or {}).get("terminated") or {}
            if terminated.get("reason") == "OOMKilled":
                when = parse_time(terminated.get("finishedAt"))
                if when and (found is None or when > found):
                    found = when
    return found


def _s(value: object) -> str:
    """A string from the API server, safe to show (names and reasons are not trusted)."""
    return one_line(value) if isinstance(value, str) else ""


def compact_labels(meta: dict) -> tuple[tuple[str, str], ...]:
    """The first LABELS_KEPT labels, each cut to LABEL_LIMIT: what the pods filter matches."""
    labels = meta.get("labels")
    if not isinstance(labels, dict):
        return ()
    kept = [(_s(k)[:LABEL_LIMIT], _s(v)[:LABEL_LIMIT]) for k, v in list(labels.items())[:LABELS_KEPT]]
    return tuple(sorted(kept))


def compact_pod(pod: dict) -> PodRecord:
    meta = pod.get("metadata") or {}
    columns = pod_columns(pod)
    ready, status = one_line(columns.ready), one_line(columns.status)
    if ready is not columns.ready or status is not columns.status:  # one_line returns safe text as is
        columns = replace(columns, ready=ready, status=status)
    return PodRecord(
        uid=_s(meta.get("uid")) or f"{_s(meta.get('namespace'))}/{_s(meta.get('name'))}",
        namespace=_s(meta.get("namespace")),
        name=_s(meta.get("name")),
        node=_s((pod.get("spec") or {}).get("nodeName")) or "<none>",
        created=parse_time(meta.get("creationTimestamp")),
        phase=_s((pod.get("status") or {}).get("phase")),
        columns=columns,
        last_termination=one_line(last_termination(pod)),
        last_oom=_newest_oom(pod),
        labels=compact_labels(meta),
    )


def pod_level(pod: PodRecord, now: datetime, pending_warn: timedelta) -> tuple[Level, str]:
    """CRIT: crash loops, image pulls, OOMKilled, failed. WARN: pending too long, not ready, recent restarts."""
    status, cols = pod.columns.status, pod.columns
    if pod.phase == "Succeeded" or status == "Completed":
        return Level.OK, "completed"
    if status in CRASH_STATES:
        return Level.CRIT, "crash loop"
    if status in IMAGE_STATES:
        return Level.CRIT, "image pull failing"
    if "OOMKilled" in status:
        return Level.CRIT, "out of memory"
    bare = status.removeprefix("Init:")
    if bare in ERROR_WAITING or bare == "Error" or bare.startswith(("ExitCode:", "Signal:")):
        return Level.CRIT, "container failing" if bare == status else "init container failing"
    if pod.phase == "Failed":
        return Level.CRIT, "failed"
    age = now - pod.created if pod.created else timedelta(0)
    if pod.phase == "Pending" and age > pending_warn:
        return Level.WARN, f"pending for {since(pod.created, now)}"
    if status in ("Unknown", "NodeLost", "NotReady"):
        return Level.WARN, "node or pod unknown" if status != "NotReady" else "not ready"
    if cols.last_restart is not None and now - cols.last_restart < RECENT_RESTART:
        return Level.WARN, "restarted in the last 10 min"
    ready, _, total = cols.ready.partition("/")
    if status == "Running" and ready != total:
        return Level.WARN, "not ready"
    return Level.OK, ""


@dataclass(frozen=True, slots=True)
class PodRow:
    """One table row, strings exactly as `kubectl get pods` prints them."""

    key: str
    cluster: str
    uid: str
    namespace: str
    name: str
    ready: str
    status: str
    restarts: str
    age: str
    node: str
    level: Level
    why: str
    last_termination: str
    labels: tuple[tuple[str, str], ...] = ()

    def detail(self) -> dict[str, str]:
        return {"namespace": self.namespace, "pod": self.name, "ready": self.ready, "status": self.status,
                "restarts": self.restarts, "age": self.age, "node": self.node}


def pod_row(cluster: str, pod: PodRecord, now: datetime, pending_warn: timedelta) -> PodRow:
    level, why = pod_level(pod, now, pending_warn)
    return PodRow(f"{cluster}/{pod.uid}", cluster, pod.uid, pod.namespace, pod.name, pod.columns.ready,
                  pod.columns.status, pod.columns.restarts_text(now), since(pod.created, now), pod.node, level, why,
                  pod.last_termination, pod.labels)


@dataclass(frozen=True, slots=True)
class DeploymentRecord:
    namespace: str
    name: str
    desired: int
    updated: int
    ready: int
    available: int
    rolling: bool
    stuck: bool
    last_rollout: datetime | None  # the Progressing condition's lastUpdateTime


def compact_deployment(obj: dict) -> DeploymentRecord:
    meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    desired = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
    updated = int(status.get("updatedReplicas") or 0)
    total = int(status.get("replicas") or 0)
    progressing: dict[str, Any] = next((c for c in status.get("conditions") or [] if c.get("type") == "Progressing"), {})
    rolling = (int(meta.get("generation") or 0) > int(status.get("observedGeneration") or 0)
               or updated < desired or total > updated)
    return DeploymentRecord(
        namespace=_s(meta.get("namespace")),
        name=_s(meta.get("name")),
        desired=desired,
        updated=updated,
        ready=int(status.get("readyReplicas") or 0),
        available=int(status.get("availableReplicas") or 0),
        rolling=rolling,
        stuck=progressing.get("reason") == "ProgressDeadlineExceeded",
        last_rollout=parse_time(progressing.get("lastUpdateTime")) or parse_time(meta.get("creationTimestamp")),
    )


@dataclass(frozen=True, slots=True)
class DeploymentRow:
    cluster: str
    namespace: str
    name: str
    desired: int
    updated: int
    ready: int
    available: int
    rollout: str
    level: Level

    def summary(self) -> str:
        return (f"{self.ready}/{self.desired} ready, {self.updated} updated, {self.available} available, {self.rollout}")


def deployment_row(cluster: str, dep: DeploymentRecord, now: datetime) -> DeploymentRow:
    if dep.stuck or (dep.desired > 0 and dep.available == 0):
        level = Level.CRIT
    elif dep.rolling or dep.available < dep.desired:
        level = Level.WARN
    else:
        level = Level.OK
    when = since(dep.last_rollout, now)
    if dep.stuck:
        rollout = f"rollout stuck (progress deadline exceeded, {when} ago)"
    elif dep.rolling:
        rollout = f"rolling out (since {when})"
    else:
        rollout = f"rolled out {when} ago"
    return DeploymentRow(cluster, dep.namespace, dep.name, dep.desired, dep.updated, dep.ready, dep.available, rollout, level)


@dataclass(frozen=True, slots=True)
class EventRecord:
    namespace: str
    kind: str
    name: str
    reason: str
    message: str
    count: int
    last_seen: datetime


def compact_event(obj: dict) -> EventRecord | None:
    """Warning events for pods, deployments and their ReplicaSets; older ones are not kept."""
    if obj.get("type") != "Warning":
        return None
    involved = obj.get("involvedObject") or obj.get("regarding") or {}
    if involved.get("kind") not in ("Pod", "Deployment", "ReplicaSet"):
        return None
    series = obj.get("series") or {}
    last = (parse_time(series.get("lastObservedTime")) or parse_time(obj.get("lastTimestamp"))
            or parse_time(obj.get("eventTime")) or parse_time((obj.get("metadata") or {}).get("creationTimestamp")))
    if last is None:
        return None
    return EventRecord(
        namespace=_s(involved.get("namespace")) or _s((obj.get("metadata") or {}).get("namespace")),
        kind=_s(involved.get("kind")),
        name=_s(involved.get("name")),
        reason=_s(obj.get("reason")),
        message=_s(" ".join(str(obj.get("message") or obj.get("note") or "").split())[:MESSAGE_LIMIT]),
        count=int(series.get("count") or obj.get("count") or 1),
        last_seen=last,
    )


@dataclass(frozen=True, slots=True)
class EventRow:
    cluster: str
    namespace: str
    kind: str
    name: str
    reason: str
    message: str
    count: int
    ago: str


def dedupe_events(cluster: str, events: list[EventRecord], now: datetime, limit: int = 200) -> list[EventRow]:
    """Warning events in the last 15 min, one row per (object, reason, message) with the counts summed."""
    merged: dict[tuple, tuple[int, datetime, EventRecord]] = {}
    for event in events:
        if now - event.last_seen > EVENT_WINDOW:
            continue
        key = (event.namespace, event.kind, event.name, event.reason, event.message)
        count, last, _ = merged.get(key, (0, event.last_seen, event))
        merged[key] = (count + event.count, max(last, event.last_seen), event)
    rows = [EventRow(cluster, e.namespace, e.kind, e.name, e.reason, e.message, count, since(last, now))
            for count, last, e in sorted(merged.values(), key=lambda item: item[1], reverse=True)]
    return rows[:limit]
