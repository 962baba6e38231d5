"""The READY / STATUS / RESTARTS / AGE columns exactly as `kubectl get pods` prints them.

Our own Python following the rules of kubectl's pod printer (printPod in
kubernetes/pkg/printers/internalversion/printers.go, as of Kubernetes 1.35) and apimachinery's
duration.HumanDuration. Works on the raw v1 Pod JSON (a dict), because building the
client's models for thousands of pods costs far more than the few fields we read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

NODE_UNREACHABLE_REASON = "NodeLost"


def parse_time(value: str | None) -> datetime | None:
    """RFC 3339 as the API server writes it ('2024-05-01T12:00:00Z'); None when absent."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def human_duration(delta: timedelta) -> str:
    """apimachinery duration.HumanDuration: '45s', '3m20s', '12m', '5h3m', '3d4h', '400d', '2y30d'."""
    seconds = int(delta.total_seconds())
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        rest = seconds % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = seconds // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        years, days = hours // 24 // 365, (hours // 24) % 365
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // 24 // 365}y"


def since(moment: datetime | None, now: datetime) -> str:
    """kubectl's translateTimestampSince: '<unknown>' for a missing time."""
    if moment is None:
        return "<unknown>"
    return human_duration(now - moment)


@dataclass(frozen=True, slots=True)
class PodColumns:
    """What kubectl derives from a pod, minus the parts that depend on 'now'."""

    ready: str
    status: str
    restarts: int
    last_restart: datetime | None

    def restarts_text(self, now: datetime) -> str:
        if self.restarts and self.last_restart is not None:
            return f"{self.restarts} ({since(self.last_restart, now)} ago)"
        return str(self.restarts)


def _is_restartable_init(container: dict | None) -> bool:
    return container is not None and container.get("restartPolicy") == "Always"


def _finished_at(status: dict) -> datetime | None:
    terminated = (status.get("lastState") or {}).get("terminated")
    return parse_time(terminated.get("finishedAt")) if terminated else None


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _condition_true(conditions: list[dict], kind: str) -> bool:
    return any(c.get("type") == kind and c.get("status") == "True" for c in conditions)


def _terminated_reason(terminated: dict, prefix: str) -> str:
    reason = terminated.get("reason") or ""
    if reason:
        return prefix + reason
    if terminated.get("signal"):
        return f"{prefix}Signal:{terminated['signal']}"
    return f"{prefix}ExitCode:{terminated.get('exitCode', 0)}"


def pod_columns(pod: dict) -> PodColumns:
    """READY, STATUS and RESTARTS of one v1 Pod, by kubectl's printer rules."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    meta = pod.get("metadata") or {}
    conditions = status.get("conditions") or []
    init_specs = {c.get("name"): c for c in spec.get("initContainers") or []}

    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    if any(c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated" for c in conditions):
        reason = "SchedulingGated"

    total = len(spec.get("containers") or []) + sum(1 for c in init_specs.values() if _is_restartable_init(c))
    ready = 0
    restarts = sidecar_restarts = 0
    last_restart = sidecar_last_restart = None

    initializing = False
    init_statuses = status.get("initContainerStatuses") or []
    for index, container in enumerate(init_statuses):
        count = int(container.get("restartCount") or 0)
        restarts += count
        finished = _finished_at(container)
        last_restart = _later(last_restart, finished)
        sidecar = _is_restartable_init(init_specs.get(container.get("name")))
        if sidecar:
            sidecar_restarts += count
            sidecar_last_restart = _later(sidecar_last_restart, finished)
        state = container.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and int(terminated.get("exitCode") or 0) == 0:
            continue
        if sidecar and container.get("started"):
            if container.get("ready"):
                ready += 1
            continue
        if terminated is not None:
            reason = _terminated_reason(terminated, "Init:")
        elif waiting is not None and waiting.get("reason") and waiting.get("reason") != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or _condition_true(conditions, "Initialized"):
        restarts, last_restart = sidecar_restarts, sidecar_last_restart
        has_running = False
        # Since Kubernetes 1.35 (PR #124766) a failed container outranks a Completed one:
        # the first container that exited non-zero (the walk is last to first) is kept.
        failure = ""
        for container in reversed(status.get("containerStatuses") or []):
            restarts += int(container.get("restartCount") or 0)
            last_restart = _later(last_restart, _finished_at(container))
            state = container.get("state") or {}
            waiting, terminated = state.get("waiting"), state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None:
                reason = _terminated_reason(terminated, "")
                if int(terminated.get("exitCode") or 0) != 0:
                    failure = reason
            elif container.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed":
            if has_running and _condition_true(conditions, "Ready"):
                reason = "Running"
            elif failure:
                reason = failure
            elif has_running:
                reason = "NotReady"

    if meta.get("deletionTimestamp") and status.get("reason") == NODE_UNREACHABLE_REASON:
        reason = "Unknown"
    elif meta.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"

    return PodColumns(f"{ready}/{total}", reason, restarts, last_restart if restarts else None)


def last_termination(pod: dict) -> str:
    """The most recent container termination, for pinning: 'api: OOMKilled (exit 137) at 2024-05-01 12:03:04Z'."""
    status = pod.get("status") or {}
    found: list[tuple[float, str]] = []
    for container in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        for key in ("state", "lastState"):
            terminated = (container.get(key) or {}).get("terminated")
            if not terminated:
                continue
            when = parse_time(terminated.get("finishedAt"))
            text = f"{container.get('name')}: {terminated.get('reason') or 'Terminated'} (exit {terminated.get('exitCode', '?')})"
            if when is not None:
                text += " at " + when.strftime("%Y-%m-%d %H:%M:%SZ")
            found.append((when.timestamp() if when else 0.0, text))
    return max(found)[1] if found else "none"
