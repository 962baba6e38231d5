"""v1 Deployment and Event JSON for the fake API server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def stamp(ago: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) - ago).strftime("%Y-%m-%dT%H:%M:%SZ")


def deployment(name: str, *, namespace: str = "default", desired: int = 3, updated: int = 3, ready: int = 3,
               available: int = 3, total: int | None = None, generation: int = 1, observed: int = 1,
               rolled_ago: timedelta = timedelta(minutes=12), reason: str = "NewReplicaSetAvailable",
               labels: dict | None = None) -> dict:
    return {
        "metadata": {"name": name, "namespace": namespace, "uid": f"dep-{namespace}-{name}", "generation": generation,
                     "creationTimestamp": stamp(timedelta(days=30)), "labels": labels or {"app": "api"}},
        "spec": {"replicas": desired},
        "status": {"observedGeneration": observed, "replicas": updated if total is None else total, "updatedReplicas": updated,
                   "readyReplicas": ready, "availableReplicas": available,
                   "conditions": [{"type": "Progressing", "status": "False" if reason == "ProgressDeadlineExceeded" else "True",
                                   "reason": reason, "lastUpdateTime": stamp(rolled_ago), "lastTransitionTime": stamp(rolled_ago)}]},
    }


def warning(name: str, *, obj: str, kind: str = "Pod", namespace: str = "default", reason: str = "BackOff",
            message: str = "Back-off restarting failed container", count: int = 1, ago: timedelta = timedelta(minutes=1)) -> dict:
    return {
        "metadata": {"name": name, "namespace": namespace, "uid": f"ev-{name}", "creationTimestamp": stamp(ago)},
        "involvedObject": {"kind": kind, "name": obj, "namespace": namespace},
        "reason": reason, "message": message, "type": "Warning", "count": count,
        "firstTimestamp": stamp(ago + timedelta(minutes=5)), "lastTimestamp": stamp(ago),
    }
