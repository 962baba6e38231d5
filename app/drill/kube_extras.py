"""The simulated API server's single objects and subresources, as the real API serves them.

GET of one pod / deployment / replicaset; a pod's log (container, previous, tailLines,
limitBytes, follow=true as a chunked stream); metrics.k8s.io pod metrics (404 while the
cluster has no metrics API); PATCH of a deployment (JSON patch, merge patch, strategic
merge patch, which for the maps kubectl sends is a merge patch) and its scale subresource.
A read-only user (`cluster.read_only`) gets 403 for every PATCH, worded as the API does.
"""

from __future__ import annotations

import copy
import json
import re
import time
from typing import Any

_Handler = Any  # kube_api._Handler (kube_api imports this module, not the other way round)
FOLLOW_MAX = 300.0  # seconds a follow stream stays open at most (every request loop here is bounded)

OBJECT = re.compile(r"^(?P<gv>/api/v1|/apis/apps/v1)/namespaces/(?P<ns>[^/]+)/(?P<res>pods|deployments|replicasets)/"
                    r"(?P<name>[^/]+)(?:/(?P<sub>log|scale))?$")
METRICS = re.compile(r"^/apis/metrics\.k8s\.io/v1beta1/namespaces/(?P<ns>[^/]+)/pods/(?P<name>[^/]+)$")
GROUPS = {"pods": "", "deployments": "apps", "replicasets": "apps"}
SINGULAR = {"pods": "pods", "deployments": "deployments.apps", "replicasets": "replicasets.apps"}
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json")


def get(handler: _Handler, path: str, query: dict[str, str]) -> bool:
    """Serve `path` if it is one of ours; False leaves it to the list/watch handler."""
    metrics = METRICS.match(path)
    if metrics:
        _metrics(handler, metrics["ns"], metrics["name"])
        return True
    match = OBJECT.match(path)
    if not match:
        return False
    cluster = handler.server.cluster
    resource, ns, name, sub = match["res"], match["ns"], match["name"], match["sub"]
    with cluster.lock:
        obj = copy.deepcopy(cluster.objects[resource].get((ns, name)))
    verb_resource = f"{resource}/{sub}" if sub else resource
    if verb_resource in cluster.denied:
        handler._status(403, "Forbidden", f'{SINGULAR[resource]} "{name}" is forbidden: User "viewer" cannot get resource '
                                          f'"{verb_resource}" in API group "{GROUPS[resource]}" in the namespace "{ns}"')
    elif obj is None:
        handler._status(404, "NotFound", f'{SINGULAR[resource]} "{name}" not found')
    elif sub == "log" and resource == "pods":
        _log(handler, obj, query)
    elif sub == "scale" and resource == "deployments":
        handler._send(200, json.dumps(_scale(obj)).encode())
    elif sub is None:
        handler._send(200, json.dumps(obj).encode())
    else:
        handler._status(404, "NotFound", f"the server could not find the requested resource {path}")
    return True


def _metrics(handler: _Handler, ns: str, name: str) -> None:
    cluster = handler.server.cluster
    if cluster.metrics is None:
        return handler._status(404, "NotFound", "the server could not find the requested resource")
    usage = cluster.metrics.get((ns, name))
    if usage is None:
        return handler._status(404, "NotFound", f'podmetrics.metrics.k8s.io "{ns}/{name}" not found')
    body = {"kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
            "metadata": {"name": name, "namespace": ns, "creationTimestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "window": "15s",
            "containers": [{"name": c, "usage": u} for c, u in usage.items()]}
    handler._send(200, json.dumps(body).encode())


def _log(handler: _Handler, pod: dict, query: dict[str, str]) -> None:
    cluster = handler.server.cluster
    ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    names = [c["name"] for c in (pod.get("spec") or {}).get("containers") or []]
    container = query.get("container") or (names[0] if len(names) == 1 else "")
    if not container:
        return handler._status(400, "BadRequest", f"a container name must be specified for pod {name}, "
                                                  f"choose one of: [{' '.join(names)}]")
    if container not in names:
        return handler._status(400, "BadRequest", f"container {container} is not valid for pod {name}")
    previous = query.get("previous") in ("true", "1")
    key = (ns, name, container, previous)
    with cluster.lock:
        lines = list(cluster.logs.get(key, []))
    if previous and key not in cluster.logs:
        return handler._status(400, "BadRequest", f'previous terminated container "{container}" in pod "{name}" not found')
    status: dict = next((s for s in (pod.get("status") or {}).get("containerStatuses") or [] if s.get("name") == container), {})
    waiting = (status.get("state") or {}).get("waiting") or {}
    if not previous and key not in cluster.logs and waiting:
        return handler._status(400, "BadRequest", f'container "{container}" in pod "{name}" is waiting to start: '
                                                  f'{waiting.get("reason") or "ContainerCreating"}')
    if query.get("tailLines"):
        lines = lines[-int(query["tailLines"]):] if int(query["tailLines"]) else []
    limit = int(query.get("limitBytes") or 0) or None
    body = b"".join(lines)[:limit]
    cluster.requests.append(f"log {ns}/{name}/{container} previous={previous}")
    if query.get("follow") not in ("true", "1"):
        return handler._send(200, body, "text/plain")
    _follow(handler, key, len(cluster.logs.get(key, [])) + cluster.logs_dropped.get(key, 0), body)


def _follow(handler: _Handler, key: tuple[str, str, str, bool], sent: int, first: bytes) -> None:
    """follow=true: what there is, then each new line as it is written, until the pod goes."""
    cluster = handler.server.cluster
    chunk = handler.start_chunked("text/plain")

    deadline = time.monotonic() + FOLLOW_MAX
    try:
        if first:
            chunk(first)
        while time.monotonic() < deadline and not handler.server.stopping.is_set():
            with cluster.lock:
                if (key[0], key[1]) not in cluster.objects["pods"]:
                    return
                lines, dropped = cluster.logs.get(key, []), cluster.logs_dropped.get(key, 0)
                fresh = lines[max(0, sent - dropped):]  # `sent` counts every line ever written
                if not fresh:
                    cluster.lock.wait(0.2)
                    continue
                sent = dropped + len(lines)
            chunk(b"".join(fresh))
    except (BrokenPipeError, ConnectionResetError):
        return
    finally:
        try:
            handler.wfile.write(b"0\r\n\r\n")
            handler.wfile.flush()
        except OSError:
            pass
        handler.close_connection = True


def _scale(dep: dict) -> dict:
    meta = dep["metadata"]
    labels = ((dep.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in meta},
            "spec": {"replicas": (dep.get("spec") or {}).get("replicas", 1)},
            "status": {"replicas": (dep.get("status") or {}).get("replicas", 0),
                       "selector": ",".join(f"{k}={v}" for k, v in sorted(labels.items()))}}


# --- PATCH ---------------------------------------------------------------------------------
def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: maps merge, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def json_patch(target: dict, ops: list[dict]) -> dict:
    """RFC 6902, the operations kubectl sends (add, replace, remove)."""
    doc = copy.deepcopy(target)
    for op in ops:
        parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
        parent = doc
        for part in parts[:-1]:
            parent = parent[int(part)] if isinstance(parent, list) else parent.setdefault(part, {})
        last = parts[-1]
        if op["op"] in ("add", "replace"):
            parent[last] = copy.deepcopy(op["value"])
        elif op["op"] == "remove":
            del parent[last]
        else:
            raise ValueError(f"unsupported op {op['op']}")
    return doc


def patch(handler: _Handler, path: str, content_type: str, body: bytes) -> None:
    cluster = handler.server.cluster
    cluster.received.append(("PATCH", path, content_type, body))
    match = OBJECT.match(path)
    if not match or match["res"] != "deployments" or match["sub"] not in (None, "scale"):
        return handler._status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
    ns, name, sub = match["ns"], match["name"], match["sub"]
    resource = "deployments/scale" if sub else "deployments"
    if cluster.read_only:
        return handler._status(403, "Forbidden", f'{SINGULAR["deployments"]} "{name}" is forbidden: User "viewer" cannot '
                                                 f'patch resource "{resource}" in API group "apps" in the namespace "{ns}"')
    if content_type not in PATCH_TYPES:
        return handler._status(415, "UnsupportedMediaType", f"the body of the request was in an unknown format - accepted "
                                                            f"media types include: {', '.join(PATCH_TYPES)}")
    with cluster.lock:
        dep = cluster.objects["deployments"].get((ns, name))
        if dep is None:
            return handler._status(404, "NotFound", f'deployments.apps "{name}" not found')
        try:
            doc = json.loads(body)
            if sub == "scale":
                scaled = merge_patch(_scale(dep), doc)
                new = copy.deepcopy(dep)
                new["spec"]["replicas"] = int(scaled["spec"]["replicas"])
            elif content_type == PATCH_TYPES[0]:
                new = json_patch(dep, doc)
            else:
                new = merge_patch(dep, doc)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            return handler._status(422, "Invalid", f"the patch could not be applied: {exc}")
        if new.get("spec") != dep.get("spec"):
            new["metadata"]["generation"] = int(dep["metadata"].get("generation") or 1) + 1
        cluster.put("deployments", new)
        answer = _scale(new) if sub else new
    handler._send(200, json.dumps(answer).encode())
