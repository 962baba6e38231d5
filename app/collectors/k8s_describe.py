"""`kubectl describe` and `kubectl logs` as text: pure functions from v1 JSON to lines.

Every string from the API server is untrusted: names, reasons, messages and log lines pass
through app.domain.text (controls shown, never sent) before they become a line here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.collectors.kubectl_printer import parse_time, pod_columns, since
from app.domain.text import from_bytes, one_line

LINE_LIMIT = 2000  # characters of one log line kept; the rest is said, not shown
METRICS_MISSING = "metrics API not available (metrics.k8s.io is not served by this cluster)"


def _s(value: object) -> str:
    return one_line(str(value)) if value not in (None, "") else ""


def _when(value: object, now: datetime) -> str:
    moment = parse_time(value) if isinstance(value, str) else None
    return f"{moment:%Y-%m-%d %H:%M:%SZ} ({since(moment, now)} ago)" if moment else "?"


# --- logs --------------------------------------------------------------------------------
def log_lines(data: bytes) -> list[str]:
    """Log bytes as lines safe to show: invalid UTF-8 as U+FFFD, controls as their pictures,
    a line longer than LINE_LIMIT cut with the count of what was left out."""
    text = from_bytes(data)
    if text.endswith("\n"):
        text = text[:-1]
    if not text:
        return []
    return [clean_log_line(line) for line in text.split("\n")]


def clean_log_line(line: str) -> str:
    line = line.removesuffix("\r")
    if len(line) > LINE_LIMIT:
        line = f"{line[:LINE_LIMIT]} … (+{len(line) - LINE_LIMIT} chars)"
    return one_line(line)


def containers_of(pod: dict) -> list[str]:
    return [_s(c.get("name")) for c in (pod.get("spec") or {}).get("containers") or [] if isinstance(c, dict)]


def default_container(pod: dict) -> str | None:
    """The container whose logs explain the pod: crash-looping first, then not ready, then
    the one kubectl picks (its default-container annotation, else the first)."""
    names = containers_of(pod)
    statuses = [s for s in (pod.get("status") or {}).get("containerStatuses") or [] if isinstance(s, dict)]
    for wanted in (lambda s: ((s.get("state") or {}).get("waiting") or {}).get("reason") == "CrashLoopBackOff",
                   lambda s: "terminated" in (s.get("state") or {}),
                   lambda s: not s.get("ready")):
        for status in statuses:
            if wanted(status) and _s(status.get("name")) in names:
                return _s(status.get("name"))
    annotated = _s(((pod.get("metadata") or {}).get("annotations") or {}).get("kubectl.kubernetes.io/default-container"))
    if annotated in names:
        return annotated
    return names[0] if names else None


def has_previous(pod: dict, container: str) -> bool:
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        if isinstance(status, dict) and _s(status.get("name")) == container:
            return bool((status.get("lastState") or {}).get("terminated"))
    return False


# --- describe ----------------------------------------------------------------------------
def _state(state: dict, now: datetime) -> str:
    if not state:
        return "?"
    if "running" in state:
        return f"Running since {_when((state['running'] or {}).get('startedAt'), now)}"
    if "waiting" in state:
        waiting = state["waiting"] or {}
        message = f": {_s(waiting.get('message'))}" if waiting.get("message") else ""
        return f"Waiting ({_s(waiting.get('reason')) or '?'}{message})"
    if "terminated" in state:
        t = state["terminated"] or {}
        signal = f", signal {_s(t.get('signal'))}" if t.get("signal") else ""
        message = f": {_s(t.get('message'))}" if t.get("message") else ""
        return (f"Terminated: {_s(t.get('reason')) or '?'}, exit code {_s(t.get('exitCode'))}{signal}, "
                f"finished {_when(t.get('finishedAt'), now)}{message}")
    return "?"


def _resources(resources: dict) -> list[str]:
    lines = []
    for kind in ("requests", "limits"):
        values = resources.get(kind) or {}
        shown = ", ".join(f"{_s(k)} {_s(v)}" for k, v in sorted(values.items()))
        lines.append(f"    {kind.capitalize() + ':':<12} {shown or '<none>'}")
    return lines


def _usage(metrics: dict | None, name: str) -> str:
    for entry in (metrics or {}).get("containers") or []:
        if isinstance(entry, dict) and _s(entry.get("name")) == name:
            usage = entry.get("usage") or {}
            return f"cpu {_s(usage.get('cpu')) or '?'}, memory {_s(usage.get('memory')) or '?'}"
    return "?"


def _conditions(conditions: list[Any], now: datetime) -> list[str]:
    lines = ["Conditions:"]
    for c in conditions or []:
        if not isinstance(c, dict):
            continue
        why = ", ".join(x for x in (_s(c.get("reason")), _s(c.get("message"))) if x)
        lines.append(f"  {_s(c.get('type')):<26} {_s(c.get('status')):<6}" + (f" {why}" if why else ""))
    if len(lines) == 1:
        lines.append("  <none>")
    return lines


def event_lines(events: list[dict], now: datetime) -> list[str]:
    """Newest last, as kubectl describe: TYPE REASON AGE FROM MESSAGE."""
    def last_seen(e: dict) -> datetime:
        when = (parse_time((e.get("series") or {}).get("lastObservedTime")) or parse_time(e.get("lastTimestamp"))
                or parse_time(e.get("eventTime")) or parse_time((e.get("metadata") or {}).get("creationTimestamp")))
        return when or datetime.min.replace(tzinfo=now.tzinfo)

    lines = ["Events:"]
    for e in sorted(events, key=last_seen):
        count = int((e.get("series") or {}).get("count") or e.get("count") or 1)
        ago = since(last_seen(e), now) if last_seen(e).year > 1 else "?"
        times = f" (x{count} over {since(parse_time(e.get('firstTimestamp')), now)})" if count > 1 and e.get("firstTimestamp") else ""
        source = _s((e.get("source") or {}).get("component") or e.get("reportingComponent")) or "-"
        lines.append(f"  {_s(e.get('type')) or '?':<8} {_s(e.get('reason')) or '?':<20} {ago + times:<10} {source:<18} "
                     f"{_s(e.get('message') or e.get('note'))}")
    if len(lines) == 1:
        lines.append("  <none>")
    return lines


def describe_pod(pod: dict, events: list[dict], metrics: dict | None, now: datetime) -> list[str]:
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    columns = pod_columns(pod)
    owners = ", ".join(f"{_s(o.get('kind'))}/{_s(o.get('name'))}" for o in meta.get("ownerReferences") or [] if isinstance(o, dict))
    lines = [
        f"Name:           {_s(meta.get('name'))}",
        f"Namespace:      {_s(meta.get('namespace'))}",
        f"Node:           {_s(spec.get('nodeName')) or '<none>'}",
        f"Status:         {one_line(columns.status)} (phase {_s(status.get('phase')) or '?'}), ready {one_line(columns.ready)}"
        + (f", {_s(status.get('reason'))}: {_s(status.get('message'))}" if status.get("reason") else ""),
        f"Created:        {_when(meta.get('creationTimestamp'), now)}",
        f"IP:             {_s(status.get('podIP')) or '<none>'}",
        f"Controlled By:  {owners or '<none>'}",
        f"QoS Class:      {_s(status.get('qosClass')) or '?'}",
    ]
    if meta.get("deletionTimestamp"):
        lines.append(f"Terminating:    since {_when(meta.get('deletionTimestamp'), now)}")
    lines.append("Top:            " + ("" if metrics is not None else METRICS_MISSING))
    if metrics is not None:
        lines[-1] += f"as of {_when(metrics.get('timestamp'), now)}, window {_s(metrics.get('window')) or '?'}"
    lines += _conditions(status.get("conditions") or [], now)
    statuses = {_s(s.get("name")): s for s in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or [])
                if isinstance(s, dict)}
    for heading, key in (("Init Containers:", "initContainers"), ("Containers:", "containers")):
        containers = [c for c in spec.get(key) or [] if isinstance(c, dict)]
        if not containers:
            continue
        lines.append(heading)
        for c in containers:
            name = _s(c.get("name"))
            s = statuses.get(name) or {}
            lines.append(f"  {name}:")
            lines.append(f"    Image:       {_s(s.get('image') or c.get('image'))}")
            lines.append(f"    State:       {_state(s.get('state') or {}, now)}")
            last = s.get("lastState") or {}
            lines.append(f"    Last State:  {_state(last, now) if last else '<none>'}")
            lines.append(f"    Ready:       {_s(s.get('ready')) or 'False'}")
            lines.append(f"    Restarts:    {_s(s.get('restartCount')) or '0'}")
            lines += _resources(c.get("resources") or {})
            if metrics is not None:
                lines.append(f"    Usage (top): {_usage(metrics, name)}")
    return lines + event_lines(events, now)


def describe_deployment(dep: dict, revisions: list[str], events: list[dict], now: datetime) -> list[str]:
    meta, spec, status = dep.get("metadata") or {}, dep.get("spec") or {}, dep.get("status") or {}
    strategy = spec.get("strategy") or {}
    selector = ",".join(f"{_s(k)}={_s(v)}" for k, v in ((spec.get("selector") or {}).get("matchLabels") or {}).items())
    annotations = meta.get("annotations") or {}
    lines = [
        f"Name:           {_s(meta.get('name'))}",
        f"Namespace:      {_s(meta.get('namespace'))}",
        f"Created:        {_when(meta.get('creationTimestamp'), now)}",
        f"Revision:       {_s(annotations.get('deployment.kubernetes.io/revision')) or '?'}",
        f"Selector:       {selector or '<none>'}",
        f"Replicas:       {_s(spec.get('replicas', 1))} desired | {int(status.get('updatedReplicas') or 0)} updated | "
        f"{int(status.get('replicas') or 0)} total | {int(status.get('availableReplicas') or 0)} available | "
        f"{int(status.get('unavailableReplicas') or 0)} unavailable",
        f"Strategy:       {_s(strategy.get('type')) or 'RollingUpdate'}",
        f"Generation:     {_s(meta.get('generation'))} (observed {_s(status.get('observedGeneration'))})",
    ]
    template = spec.get("template") or {}
    restarted = ((template.get("metadata") or {}).get("annotations") or {}).get("kubectl.kubernetes.io/restartedAt")
    if restarted:
        lines.append(f"Restarted at:   {_s(restarted)}")
    lines.append("Pod Template:")
    for c in (template.get("spec") or {}).get("containers") or []:
        if isinstance(c, dict):
            lines.append(f"  {_s(c.get('name'))}:")
            lines.append(f"    Image:       {_s(c.get('image'))}")
            lines += _resources(c.get("resources") or {})
    lines += _conditions(status.get("conditions") or [], now)
    lines.append("Rollout history:")
    lines += [f"  {r}" for r in revisions] or ["  <none>"]
    return lines + event_lines(events, now)
