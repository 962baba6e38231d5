"""The drill's Kubernetes: deployments as the scenario describes them, turned into the pods,
deployment status and Warning events a real cluster would show, on the simulated API server.

A deployment at `version` has `updated` pods of that version in `state` and the rest still
on `previous` (a rollout under way, or stuck). Pods of a new version get new names, as a
new ReplicaSet's do. Pods that crash-loop or fail readiness restart as time goes on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from app.drill.kube_api import SimulatedCluster
from app.drill.kube_objects import deployment, pod, running, warning, waiting

PodState = Literal["healthy", "crashloop", "not-ready", "restarting"]
RESTART_EVERY = 40.0  # scenario seconds between restarts of a failing pod (kubelet back-off, roughly)
NAMESPACE = "shop"


@dataclass(frozen=True)
class DeploymentState:
    replicas: int = 2
    version: str = "1.0.0"
    state: PodState = "healthy"
    updated: int | None = None
    """Pods at `version`; the rest run `previous`. Default: all of them."""
    previous: str | None = None


def _hash(text: str, n: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


@dataclass
class _Tracked:
    state: DeploymentState
    since: float  # scenario seconds when its current state began
    rolled_at: datetime  # wall clock, for "rolled out 3m ago"
    restarts_shown: int = -1


class Cluster:
    def __init__(self, api: SimulatedCluster, deployments: dict[str, DeploymentState], now: float = 0.0) -> None:
        self.api = api
        self._tracked: dict[str, _Tracked] = {}
        self._pods: dict[str, set[str]] = {}
        self._revisions: dict[str, dict[str, int]] = {}  # deployment -> version -> its ReplicaSet's revision
        self._states: dict[str, dict[str, PodState]] = {}  # deployment -> version -> how its pods behave
        self._published: dict[str, tuple[str, int]] = {}  # deployment -> (image, replicas) as last put
        self.rolled_back: list[str] = []
        """Rollbacks made from outside (the dashboard's rollout undo), e.g. "payments to 2.3.1"."""
        for name, state in deployments.items():
            self.set(name, state, now, rolled_ago=timedelta(days=2))

    def set(self, name: str, state: DeploymentState, now: float, *, rolled_ago: timedelta = timedelta(0)) -> None:
        old = self._tracked.get(name)
        rolled_at = datetime.now(UTC) - rolled_ago
        if old is not None and old.state.version == state.version:  # the same rollout, going on
            rolled_at = old.rolled_at
        self._tracked[name] = _Tracked(state, now if old is None or old.state != state else old.since, rolled_at)
        revisions = self._revisions.setdefault(name, {})
        if old is None or old.state.version != state.version or state.version not in revisions:
            # As the deployment controller: the version rolled to gets the next revision.
            revisions[state.version] = max(revisions.values(), default=0) + 1
        self._states.setdefault(name, {})[state.version] = state.state
        self._publish(name, now)

    def patch(self, name: str, now: float, **changes: Any) -> None:
        current = self._tracked[name].state
        if "version" in changes and changes["version"] != current.version and "previous" not in changes:
            changes["previous"] = current.version
        self.set(name, replace(current, **changes), now)

    def tick(self, now: float) -> None:
        """Failing pods restart as scenario time passes; a deployment changed through the API
        (rollout undo or scale from the dashboard) is carried out as the controller would."""
        for name in list(self._tracked):
            self._follow_api(name, now)
        for name, tracked in self._tracked.items():
            if tracked.state.state in ("crashloop", "restarting") and self._restarts(tracked, now) != tracked.restarts_shown:
                self._publish(name, now)

    @staticmethod
    def _restarts(tracked: _Tracked, now: float) -> int:
        return 1 + int(max(0.0, now - tracked.since) / RESTART_EVERY)

    def _put_history(self, obj: dict[str, Any], name: str, labels: dict[str, str]) -> None:
        """The deployment's selector and revision, and a ReplicaSet per revision (what `h` lists and `u` goes back to)."""
        revisions = self._revisions.get(name, {})
        current = self._tracked[name].state.version
        obj["metadata"]["annotations"] = {"deployment.kubernetes.io/revision": str(revisions.get(current, 1))}
        obj["spec"]["selector"] = {"matchLabels": dict(labels)}
        for version, number in revisions.items():
            pod_hash = _hash(name + version, 10)
            annotations = {"deployment.kubernetes.io/revision": str(number), "kubernetes.io/change-cause": f"deploy {name} {version}"}
            rs: dict[str, Any] = {"metadata": {"name": f"{name}-{pod_hash}", "namespace": NAMESPACE, "uid": f"rs-{name}-{pod_hash}",
                               "labels": {**labels, "pod-template-hash": pod_hash},
                               "annotations": annotations,
                               "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name,
                                                    "uid": obj["metadata"]["uid"], "controller": True}]},
                  "spec": {"selector": {"matchLabels": {**labels, "pod-template-hash": pod_hash}},
                           "template": {"metadata": {"labels": {**labels, "pod-template-hash": pod_hash}},
                                        "spec": {"containers": [{"name": "app", "image": f"registry.local/{name}:{version}"}]}}}}
            stored = self.api.objects["replicasets"].get((NAMESPACE, f"{name}-{pod_hash}")) or {}
            if (stored.get("metadata") or {}).get("annotations") != annotations:  # put only what changed
                self.api.put("replicasets", rs)

    def _follow_api(self, name: str, now: float) -> None:
        obj = self.api.objects["deployments"].get((NAMESPACE, name))
        if obj is None or name not in self._published:
            return
        containers = ((obj.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or [{}]
        image, replicas = str(containers[0].get("image") or ""), int((obj.get("spec") or {}).get("replicas") or 0)
        if (image, replicas) == self._published[name]:
            return
        current = self._tracked[name].state
        version = image.rpartition(":")[2] or current.version
        if version != current.version:
            self.rolled_back.append(f"{name} to {version}")
            state = self._states.get(name, {}).get(version, "healthy")
            self.patch(name, now, version=version, replicas=replicas, updated=replicas, state=state)
        else:
            self.patch(name, now, replicas=replicas)

    def _write_logs(self, pod_name: str, name: str, version: str, crashing: bool) -> None:
        """What `l` shows in the demo: a start-up, and for a crash-looping pod its last words."""
        if (NAMESPACE, pod_name, "app", False) in self.api.logs:
            return
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        start = [f"{stamp}Z INFO  {name} {version} starting (pid 1)", f"{stamp}Z INFO  config loaded from /etc/{name}/app.yaml",
                 f"{stamp}Z INFO  connecting to postgres://{name}@db:5432/shop"]
        if not crashing:
            self.api.write_log(NAMESPACE, pod_name, "app", *start, f"{stamp}Z INFO  listening on :8080", f"{stamp}Z INFO  ready")
            return
        last_words = [*start, f"{stamp}Z WARN  settlement provider: schema v3 expected, got v2",
                      f"{stamp}Z ERROR migration 0042_settlement_currency failed: column \"currency\" does not exist",
                      f"{stamp}Z FATAL cannot start without migration 0042; exiting with code 1"]
        self.api.write_log(NAMESPACE, pod_name, "app", *last_words)
        self.api.write_log(NAMESPACE, pod_name, "app", *last_words, previous=True)

    def _publish(self, name: str, now: float) -> None:
        tracked = self._tracked[name]
        s = tracked.state
        wall = datetime.now(UTC)
        updated = s.replicas if s.updated is None else min(s.updated, s.replicas)
        restarts = self._restarts(tracked, now)
        tracked.restarts_shown = restarts if s.state in ("crashloop", "restarting") else -1
        labels = {"app": name}
        pods: dict[str, dict[str, Any]] = {}
        events: list[dict[str, Any]] = []
        # (version, pod positions, state): pods keep their names while their version does
        groups = [(s.version, range(updated), s.state), (s.previous or s.version, range(updated, s.replicas), "healthy")]
        for version, positions, state in groups:
            template = f"{name}-{_hash(name + version, 10)}"
            image = f"registry.local/{name}:{version}"
            for i in positions:
                pod_name = f"{template}-{_hash(template + str(i), 5)}"
                last_exit = timedelta(seconds=min(RESTART_EVERY, 12.0))
                if state == "crashloop":
                    status = waiting("CrashLoopBackOff", restarts=restarts, last_exit_ago=last_exit, image=image,
                                     message=f"back-off 40s restarting failed container=app pod={pod_name}")
                    events.append(warning(f"{pod_name}.backoff", obj=pod_name, namespace=NAMESPACE, count=restarts * 3,
                                          message="Back-off restarting failed container app in pod " + pod_name,
                                          ago=timedelta(seconds=5), first_ago=wall - tracked.rolled_at))
                elif state in ("not-ready", "restarting"):
                    status = running(ready=False, restarts=restarts if state == "restarting" else 0, image=image,
                                     last_exit_ago=last_exit if state == "restarting" else None)
                    events.append(warning(f"{pod_name}.unhealthy", obj=pod_name, namespace=NAMESPACE, reason="Unhealthy",
                                          message="Readiness probe failed: HTTP probe failed with statuscode: 503",
                                          count=restarts * 3, ago=timedelta(seconds=5)))
                else:
                    status = running(image=image, started_ago=wall - tracked.rolled_at + timedelta(seconds=30))
                age = (wall - tracked.rolled_at) if version == s.version else timedelta(days=2)
                pods[pod_name] = pod(pod_name, containers=[status], labels=labels, namespace=NAMESPACE,
                                     age=max(age, timedelta(seconds=1)), node=f"node-{1 + int(_hash(pod_name, 2), 16) % 3}")
        for gone in self._pods.get(name, set()) - set(pods):
            self.api.delete("pods", NAMESPACE, gone)
        for pod_name, obj in pods.items():
            self.api.put("pods", obj)
            self._write_logs(pod_name, name, obj["status"]["containerStatuses"][0]["image"].rpartition(":")[2],
                             "waiting" in obj["status"]["containerStatuses"][0]["state"])
        self._pods[name] = set(pods)
        ready = sum(1 for p in pods.values() if p["status"]["containerStatuses"][0]["ready"])
        # Pods failing on the version already rolled out are not a rollout: the deployment
        # is complete, with fewer available.
        same_version = (s.previous or s.version) == s.version
        complete = same_version or (updated == s.replicas and s.state == "healthy")
        obj = deployment(
            name, namespace=NAMESPACE, desired=s.replicas, updated=s.replicas if same_version else updated,
            ready=ready, available=ready,
            total=len(pods), labels=labels, rolled_ago=wall - tracked.rolled_at,
            reason="NewReplicaSetAvailable" if complete else "ReplicaSetUpdated")
        image = f"registry.local/{name}:{s.version}"
        self._put_history(obj, name, labels)
        obj["spec"]["template"] = {"metadata": {"labels": dict(labels)}, "spec": {"containers": [{"name": "app", "image": image}]}}
        self._published[name] = (image, s.replicas)
        self.api.put("deployments", obj)
        for event in events:
            self.api.put("events", event)
