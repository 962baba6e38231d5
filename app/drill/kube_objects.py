"""v1 Pod, Deployment and Event JSON for the simulated API server, timed from now (or a
given `now`), so AGE, "rolled out 3m ago" and "(40s ago)" read as they would on a cluster."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

M = timedelta(minutes=1)


def stamp(ago: timedelta = timedelta(0), now: datetime | None = None) -> str:
    return ((now or datetime.now(UTC)) - ago).strftime("%Y-%m-%dT%H:%M:%SZ")


def container(state: dict[str, Any], *, ready: bool, restarts: int = 0, last_exit_ago: timedelta | None = None,
              last_reason: str = "Error", exit_code: int = 1, image: str = "app:1", now: datetime | None = None) -> dict[str, Any]:
    """A v1 ContainerStatus; `last_exit_ago` fills lastState as kubectl's "(5m ago)" needs."""
    status: dict[str, Any] = {"name": "app", "ready": ready, "restartCount": restarts, "started": "running" in state,
                              "image": image, "imageID": "", "state": state, "lastState": {}}
    if last_exit_ago is not None:
        status["lastState"] = {"terminated": {"exitCode": exit_code, "reason": last_reason,
                                              "startedAt": stamp(last_exit_ago + M, now), "finishedAt": stamp(last_exit_ago, now)}}
    return status


def running(*, ready: bool = True, restarts: int = 0, last_exit_ago: timedelta | None = None, image: str = "app:1",
            started_ago: timedelta = M, now: datetime | None = None) -> dict[str, Any]:
    return container({"running": {"startedAt": stamp(started_ago, now)}}, ready=ready, restarts=restarts,
                     last_exit_ago=last_exit_ago, image=image, now=now)


def waiting(reason: str, *, restarts: int, last_exit_ago: timedelta | None, message: str = "", image: str = "app:1",
            now: datetime | None = None) -> dict[str, Any]:
    return container({"waiting": {"reason": reason, "message": message}}, ready=False, restarts=restarts,
                     last_exit_ago=last_exit_ago, image=image, now=now)


def pod(name: str, *, containers: list[dict[str, Any]], labels: dict[str, str], age: timedelta = 2 * 60 * M,
        phase: str = "Running", namespace: str = "default", node: str = "node-1", now: datetime | None = None) -> dict[str, Any]:
    ready = all(c.get("ready") for c in containers) and phase == "Running"
    return {
        "metadata": {"name": name, "namespace": namespace, "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{namespace}/{name}")),
                     "creationTimestamp": stamp(age, now), "labels": labels},
        "spec": {"containers": [{"name": "app", "image": containers[0]["image"] if containers else "app:1"}], "nodeName": node},
        "status": {"phase": phase, "containerStatuses": containers,
                   "conditions": [{"type": "Initialized", "status": "True"},
                                  {"type": "Ready", "status": "True" if ready else "False"},
                                  {"type": "PodScheduled", "status": "True"}]},
    }


def deployment(name: str, *, namespace: str = "default", desired: int = 3, updated: int = 3, ready: int = 3,
               available: int = 3, total: int | None = None, generation: int = 1, observed: int = 1,
               rolled_ago: timedelta = timedelta(minutes=12), reason: str = "NewReplicaSetAvailable",
               labels: dict[str, str] | None = None, now: datetime | None = None) -> dict[str, Any]:
    progressing = "False" if reason == "ProgressDeadlineExceeded" else "True"
    return {
        "metadata": {"name": name, "namespace": namespace, "uid": f"dep-{namespace}-{name}", "generation": generation,
                     "creationTimestamp": stamp(timedelta(days=30), now), "labels": labels or {"app": "api"}},
        "spec": {"replicas": desired},
        "status": {"observedGeneration": observed, "replicas": updated if total is None else total, "updatedReplicas": updated,
                   "readyReplicas": ready, "availableReplicas": available,
                   "conditions": [{"type": "Progressing", "status": progressing, "reason": reason,
                                   "lastUpdateTime": stamp(rolled_ago, now), "lastTransitionTime": stamp(rolled_ago, now)}]},
    }


def warning(name: str, *, obj: str, kind: str = "Pod", namespace: str = "default", reason: str = "BackOff",
            message: str = "Back-off restarting failed container", count: int = 1, ago: timedelta = timedelta(minutes=1),
            first_ago: timedelta | None = None, now: datetime | None = None) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": namespace, "uid": f"ev-{name}", "creationTimestamp": stamp(ago, now)},
        "involvedObject": {"kind": kind, "name": obj, "namespace": namespace},
        "reason": reason, "message": message, "type": "Warning", "count": count,
        "firstTimestamp": stamp(first_ago if first_ago is not None else ago + timedelta(minutes=5), now),
        "lastTimestamp": stamp(ago, now),
    }


def terminated(reason: str, exit_code: int, *, restarts: int = 0, finished_ago: timedelta = 3 * M,
               now: datetime | None = None) -> dict[str, Any]:
    state = {"terminated": {"exitCode": exit_code, "reason": reason, "startedAt": stamp(finished_ago + M, now),
                            "finishedAt": stamp(finished_ago, now)}}
    return container(state, ready=False, restarts=restarts, now=now)
