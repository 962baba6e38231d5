"""Real v1 Pod JSON in every shape kubectl's printer distinguishes, with what kubectl prints.

Times are relative to NOW so AGE and "(5m ago)" are predictable.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

NOW = datetime(2025, 1, 10, 12, 0, 0, tzinfo=UTC)


def ts(ago: timedelta, now: datetime = NOW) -> str:
    return (now - ago).strftime("%Y-%m-%dT%H:%M:%SZ")


def running(ready: bool = True, restarts: int = 0, last_exit_ago: timedelta | None = None, last_reason: str = "Error", exit_code: int = 1, name: str = "app") -> dict:
    status = {"name": name, "ready": ready, "restartCount": restarts, "started": True, "image": "app:1", "imageID": "",
              "state": {"running": {"startedAt": ts(timedelta(minutes=1))}}, "lastState": {}}
    if last_exit_ago is not None:
        status["lastState"] = {"terminated": {"exitCode": exit_code, "reason": last_reason, "startedAt": ts(last_exit_ago + timedelta(minutes=1)), "finishedAt": ts(last_exit_ago)}}
    return status


def waiting(reason: str, restarts: int = 0, last_exit_ago: timedelta | None = None, last_reason: str = "Error", exit_code: int = 1, name: str = "app", message: str = "") -> dict:
    status = running(False, restarts, last_exit_ago, last_reason, exit_code, name)
    status["state"] = {"waiting": {"reason": reason, "message": message}}
    status["started"] = False
    return status


def terminated(reason: str = "", exit_code: int = 0, signal: int = 0, restarts: int = 0, name: str = "app", finished_ago: timedelta = timedelta(minutes=3)) -> dict:
    term = {"exitCode": exit_code, "startedAt": ts(finished_ago + timedelta(minutes=1)), "finishedAt": ts(finished_ago)}
    if reason:
        term["reason"] = reason
    if signal:
        term["signal"] = signal
    status = running(False, restarts, name=name)
    status["state"] = {"terminated": term}
    status["started"] = False
    return status


def pod(name: str, *, phase: str = "Running", containers: list[dict] | None = None, init: list[dict] | None = None,
        sidecars: set[str] = frozenset(), age: timedelta = timedelta(hours=2), namespace: str = "default",
        node: str = "node-1", reason: str | None = None, deleting: bool = False, conditions: list[dict] | None = None,
        labels: dict | None = None, spec_containers: int | None = None, now: datetime = NOW) -> dict:
    containers = containers if containers is not None else [running()]
    init = init or []
    n_spec = spec_containers if spec_containers is not None else max(1, len(containers))
    names = [c["name"] for c in containers] or ["app"]
    spec_c = [{"name": names[i] if i < len(names) else f"c{i}", "image": "app:1"} for i in range(n_spec)]
    spec_init = [{"name": c["name"], "image": "init:1", **({"restartPolicy": "Always"} if c["name"] in sidecars else {})} for c in init]
    ready = all(c.get("ready") for c in containers) and phase == "Running"
    conds = conditions if conditions is not None else [
        {"type": "Initialized", "status": "True"},
        {"type": "Ready", "status": "True" if ready else "False"},
        {"type": "PodScheduled", "status": "True"},
    ]
    obj = {
        "metadata": {"name": name, "namespace": namespace, "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{namespace}/{name}")),
                     "creationTimestamp": ts(age, now), "labels": labels or {"app": "api"}},
        "spec": {"containers": spec_c, "initContainers": spec_init, "nodeName": node} if spec_init else {"containers": spec_c, "nodeName": node},
        "status": {"phase": phase, "conditions": conds, "containerStatuses": containers},
    }
    if not node:
        del obj["spec"]["nodeName"]
    if init:
        obj["status"]["initContainerStatuses"] = init
    if reason:
        obj["status"]["reason"] = reason
    if deleting:
        obj["metadata"]["deletionTimestamp"] = ts(timedelta(seconds=30))
    return obj


NOT_INITIALIZED = [{"type": "Initialized", "status": "False"}, {"type": "Ready", "status": "False"}, {"type": "PodScheduled", "status": "True"}]
M, H, D = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)

# (pod, READY, STATUS, RESTARTS) as kubectl prints them at NOW.
SHAPES: list[tuple[dict, str, str, str]] = [
    (pod("running"), "1/1", "Running", "0"),
    (pod("running-not-ready", containers=[running(ready=False)]), "0/1", "Running", "0"),
    (pod("two-containers", containers=[running(name="a"), running(name="b", ready=False)]), "1/2", "Running", "0"),
    (pod("restarted", containers=[running(restarts=3, last_exit_ago=5 * M)]), "1/1", "Running", "3 (5m ago)"),
    (pod("restarted-long-ago", containers=[running(restarts=1, last_exit_ago=3 * D + 4 * H)]), "1/1", "Running", "1 (3d4h ago)"),
    (pod("restarts-no-last-state", containers=[running(restarts=2)]), "1/1", "Running", "2"),
    (pod("crashloop", containers=[waiting("CrashLoopBackOff", restarts=7, last_exit_ago=90 * timedelta(seconds=1))]), "0/1", "CrashLoopBackOff", "7 (90s ago)"),
    (pod("image-pull-backoff", phase="Pending", containers=[waiting("ImagePullBackOff")]), "0/1", "ImagePullBackOff", "0"),
    (pod("err-image-pull", phase="Pending", containers=[waiting("ErrImagePull")]), "0/1", "ErrImagePull", "0"),
    (pod("container-creating", phase="Pending", containers=[waiting("ContainerCreating")]), "0/1", "ContainerCreating", "0"),
    (pod("create-config-error", phase="Pending", containers=[waiting("CreateContainerConfigError")]), "0/1", "CreateContainerConfigError", "0"),
    (pod("pending-unscheduled", phase="Pending", containers=[], node="", spec_containers=1,
         conditions=[{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]), "0/1", "Pending", "0"),
    (pod("scheduling-gated", phase="Pending", containers=[], node="", spec_containers=1,
         conditions=[{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]), "0/1", "SchedulingGated", "0"),
    (pod("completed", phase="Succeeded", containers=[terminated("Completed", 0)]), "0/1", "Completed", "0"),
    (pod("error", phase="Failed", containers=[terminated("Error", 1)]), "0/1", "Error", "0"),
    (pod("oomkilled", phase="Running", containers=[terminated("OOMKilled", 137, restarts=2)]), "0/1", "OOMKilled", "2"),
    (pod("oom-then-crashloop", containers=[waiting("CrashLoopBackOff", restarts=4, last_exit_ago=2 * M, last_reason="OOMKilled", exit_code=137)]), "0/1", "CrashLoopBackOff", "4 (2m ago)"),
    (pod("exit-code", phase="Failed", containers=[terminated("", 3)]), "0/1", "ExitCode:3", "0"),
    (pod("signal", phase="Failed", containers=[terminated("", 137, signal=9)]), "0/1", "Signal:9", "0"),
    (pod("evicted", phase="Failed", containers=[], reason="Evicted", spec_containers=1), "0/1", "Evicted", "0"),
    (pod("node-lost", phase="Running", reason="NodeLost"), "1/1", "NodeLost", "0"),
    (pod("node-lost-deleting", phase="Running", reason="NodeLost", deleting=True), "1/1", "Unknown", "0"),
    (pod("terminating", deleting=True), "1/1", "Terminating", "0"),
    (pod("terminating-succeeded", phase="Succeeded", deleting=True, containers=[terminated("Completed", 0)]), "0/1", "Completed", "0"),
    (pod("unknown-phase", phase="Unknown", containers=[]), "0/1", "Unknown", "0"),
    (pod("init-waiting", phase="Pending", conditions=NOT_INITIALIZED,
         init=[running(ready=False, name="init-a")], containers=[waiting("PodInitializing")]), "0/1", "Init:0/1", "0"),
    (pod("init-second-of-two", phase="Pending", conditions=NOT_INITIALIZED,
         init=[terminated("Completed", 0, name="init-a"), running(ready=False, name="init-b")], containers=[waiting("PodInitializing")]), "0/1", "Init:1/2", "0"),
    (pod("init-crashloop", phase="Pending", conditions=NOT_INITIALIZED,
         init=[waiting("CrashLoopBackOff", restarts=5, last_exit_ago=1 * M, name="init-a")], containers=[waiting("PodInitializing")]), "0/1", "Init:CrashLoopBackOff", "5 (60s ago)"),
    (pod("init-error", phase="Pending", conditions=NOT_INITIALIZED,
         init=[terminated("Error", 2, name="init-a")], containers=[waiting("PodInitializing")]), "0/1", "Init:Error", "0"),
    (pod("init-exit-code", phase="Pending", conditions=NOT_INITIALIZED,
         init=[terminated("", 4, name="init-a")], containers=[waiting("PodInitializing")]), "0/1", "Init:ExitCode:4", "0"),
    (pod("init-signal", phase="Pending", conditions=NOT_INITIALIZED,
         init=[terminated("", 143, signal=15, name="init-a")], containers=[waiting("PodInitializing")]), "0/1", "Init:Signal:15", "0"),
    (pod("init-image-pull", phase="Pending", conditions=NOT_INITIALIZED,
         init=[waiting("ImagePullBackOff", name="init-a")], containers=[waiting("PodInitializing")]), "0/1", "Init:ImagePullBackOff", "0"),
    (pod("pod-initializing", phase="Pending",
         init=[terminated("Completed", 0, name="init-a")], containers=[waiting("PodInitializing")]), "0/1", "PodInitializing", "0"),
    (pod("sidecar-running", init=[running(name="proxy")], sidecars={"proxy"}), "2/2", "Running", "0"),
    (pod("sidecar-not-ready", init=[running(ready=False, name="proxy")], sidecars={"proxy"}), "1/2", "Running", "0"),
    (pod("sidecar-restarts", init=[running(name="proxy", restarts=2, last_exit_ago=4 * M)], sidecars={"proxy"},
         containers=[running(restarts=1, last_exit_ago=20 * M)]), "2/2", "Running", "3 (4m ago)"),
    (pod("sidecar-not-started", phase="Pending", conditions=NOT_INITIALIZED, sidecars={"proxy"},
         init=[waiting("ContainerCreating", name="proxy")], containers=[waiting("PodInitializing")]), "0/2", "Init:ContainerCreating", "0"),
    (pod("job-sidecar-completed-main", phase="Running", init=[running(name="proxy")], sidecars={"proxy"},
         containers=[terminated("Completed", 0)],
         conditions=[{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "False"}]), "1/2", "Completed", "0"),
    (pod("completed-with-running-ready", containers=[terminated("Completed", 0, name="a"), running(name="b")],
         conditions=[{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}]), "1/2", "Running", "0"),
    (pod("completed-with-running-notready", containers=[terminated("Completed", 0, name="a"), running(name="b")],
         conditions=[{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "False"}]), "1/2", "NotReady", "0"),
    # Kubernetes 1.35 (PR #124766): a pod whose first container Completed but another failed
    # prints the failure (before: "Completed"); a running+Ready container still wins.
    (pod("failed-completed-then-error", phase="Failed", containers=[terminated("Completed", 0, name="a"), terminated("Error", 1, name="b")]),
     "0/2", "Error", "0"),
    (pod("failed-completed-then-exit-code", phase="Failed", containers=[terminated("Completed", 0, name="a"), terminated("", 3, name="b")]),
     "0/2", "ExitCode:3", "0"),
    (pod("completed-error-running-notready", containers=[terminated("Completed", 0, name="a"), terminated("OOMKilled", 137, name="b"), running(name="c")],
         conditions=[{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "False"}]), "1/3", "OOMKilled", "0"),
    (pod("completed-error-running-ready", containers=[terminated("Completed", 0, name="a"), terminated("Error", 1, name="b"), running(name="c")],
         conditions=[{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}]), "1/3", "Running", "0"),
    (pod("waiting-no-reason", phase="Pending", containers=[waiting("")]), "0/1", "Pending", "0"),
    (pod("run-container-error", containers=[waiting("RunContainerError", restarts=1, last_exit_ago=30 * timedelta(seconds=1))]), "0/1", "RunContainerError", "1 (30s ago)"),
    # Several containers: printPod walks them last to first, so the first container's reason wins.
    (pod("first-container-wins", containers=[waiting("CrashLoopBackOff", restarts=2, last_exit_ago=3 * M, name="a"),
                                              waiting("ImagePullBackOff", name="b")]), "0/2", "CrashLoopBackOff", "2 (3m ago)"),
    (pod("crashloop-beside-running", containers=[running(name="a"), waiting("CrashLoopBackOff", restarts=6, last_exit_ago=8 * M, name="b")]),
     "1/2", "CrashLoopBackOff", "6 (8m ago)"),
    (pod("container-status-unknown", containers=[terminated("ContainerStatusUnknown", 137, restarts=1)]), "0/1", "ContainerStatusUnknown", "1"),
    (pod("start-error", containers=[terminated("StartError", 128, restarts=3)]), "0/1", "StartError", "3"),
    (pod("completed-after-restart", phase="Succeeded",
         containers=[terminated("Completed", 0, restarts=1) | {"lastState": running(restarts=1, last_exit_ago=5 * M)["lastState"]}]),
     "0/1", "Completed", "1 (5m ago)"),
    # Pod-level reasons, and a container state that overrides them.
    (pod("out-of-cpu", phase="Failed", containers=[], reason="OutOfcpu", spec_containers=1, node="node-2"), "0/1", "OutOfcpu", "0"),
    (pod("node-shutdown", phase="Failed", containers=[], reason="Terminated", spec_containers=1), "0/1", "Terminated", "0"),
    (pod("evicted-container-unknown", phase="Failed", reason="Evicted", containers=[terminated("ContainerStatusUnknown", 137)]),
     "0/1", "ContainerStatusUnknown", "0"),
    (pod("node-lost-unknown-phase-deleting", phase="Unknown", reason="NodeLost", deleting=True, containers=[]), "0/1", "Unknown", "0"),
    # Terminating is shown for any pod being deleted that has not finished, whatever it was doing.
    (pod("terminating-pending", phase="Pending", deleting=True, containers=[waiting("ContainerCreating")]), "0/1", "Terminating", "0"),
    (pod("terminating-crashloop", deleting=True, containers=[waiting("CrashLoopBackOff", restarts=4, last_exit_ago=2 * M)]),
     "0/1", "Terminating", "4 (2m ago)"),
    (pod("terminating-gated", phase="Pending", deleting=True, containers=[], node="", spec_containers=1,
         conditions=[{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]), "0/1", "Terminating", "0"),
    (pod("failed-deleting", phase="Failed", deleting=True, containers=[terminated("Error", 1)]), "0/1", "Error", "0"),
    # Init containers.
    (pod("init-oomkilled", phase="Pending", conditions=NOT_INITIALIZED,
         init=[terminated("OOMKilled", 137, name="init-a")], containers=[waiting("PodInitializing")]), "0/1", "Init:OOMKilled", "0"),
    (pod("init-waiting-pod-initializing", phase="Pending", conditions=NOT_INITIALIZED,
         init=[waiting("PodInitializing", name="init-a")], containers=[waiting("PodInitializing")]), "0/1", "Init:0/1", "0"),
    (pod("init-restarts-forgotten-once-initialized",
         init=[terminated("Completed", 0, restarts=2, name="init-a") | {"lastState": running(restarts=2, last_exit_ago=10 * timedelta(seconds=1))["lastState"]}],
         containers=[running(restarts=4, last_exit_ago=20 * timedelta(seconds=1))]), "1/1", "Running", "4 (20s ago)"),
    # Restartable init containers (sidecars).
    (pod("sidecar-crashloop-before-start", phase="Pending", conditions=NOT_INITIALIZED, sidecars={"proxy"},
         init=[waiting("CrashLoopBackOff", restarts=3, last_exit_ago=1 * M, name="proxy")], containers=[waiting("PodInitializing")]),
     "0/2", "Init:CrashLoopBackOff", "3 (60s ago)"),
    (pod("sidecar-started-then-init", phase="Pending", conditions=NOT_INITIALIZED, sidecars={"proxy"},
         init=[running(name="proxy"), running(ready=False, name="init-b")], containers=[waiting("PodInitializing")]),
     "1/2", "Init:1/2", "0"),
    (pod("sidecar-failed", phase="Pending", conditions=NOT_INITIALIZED, sidecars={"proxy"},
         init=[terminated("Error", 1, name="proxy")], containers=[waiting("PodInitializing")]), "0/2", "Init:Error", "0"),
]
