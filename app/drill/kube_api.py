"""A simulated Kubernetes API server on 127.0.0.1 serving real v1 JSON.

The drill (`warroom demo`) runs its cluster on it, and the tests use it to reach the
official client's real code path without a cluster.

Lists (with limit/continue paging), chunked watch streams (ADDED / MODIFIED / DELETED /
BOOKMARK, ERROR 410 when the resourceVersion is too old), label and field selectors,
the discovery documents kubectl needs, /readyz, and injected faults: 401, 500, malformed
JSON, a hang, "silent" (a partition: open watches stay open and say nothing, new requests
hang) and "not-ready" (/readyz fails as with etcd down; lists and watches still work). The state lives in `SimulatedCluster`, so the HTTP server can go away and come back
on the same port while the cluster keeps its objects.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from app.drill import kube_extras

KINDS = {  # resource -> (group-version prefix, list kind)
    "pods": ("/api/v1", "PodList", "v1"),
    "events": ("/api/v1", "EventList", "v1"),
    "deployments": ("/apis/apps/v1", "DeploymentList", "apps/v1"),
    "replicasets": ("/apis/apps/v1", "ReplicaSetList", "apps/v1"),
}
_PATH = re.compile(r"^(?P<gv>/api/v1|/apis/apps/v1)(?:/namespaces/(?P<ns>[^/]+))?/(?P<res>pods|events|deployments|replicasets)$")
MAX_WAIT = 30.0  # every request loop here is bounded
LOG_KEEP = 200_000  # lines kept per container log


class SimulatedCluster:
    """Objects per resource, a resourceVersion counter and a bounded change history."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.rv = 1000
        self.objects: dict[str, dict[tuple[str, str], dict]] = {r: {} for r in KINDS}
        self.history: list[tuple[int, str, str, dict]] = []  # (rv, resource, type, object)
        self.oldest_rv = self.rv  # watches from before this get 410 Gone
        self.faults: dict[str, str] = {}  # resource or "*" -> "401" | "500" | "malformed" | "hang" | "silent" | "not-ready"
        self.watch_generation = 0  # bump to end open watches
        self.requests: list[str] = []
        self.authorizations: list[str] = []
        # Single objects, logs, metrics and PATCH live in kube_extras.py.
        self.logs: dict[tuple[str, str, str, bool], list[bytes]] = {}  # (ns, pod, container, previous) -> lines
        self.logs_dropped: dict[tuple[str, str, str, bool], int] = {}  # lines rotated out of each log
        self.metrics: dict[tuple[str, str], dict[str, dict]] | None = None  # None: metrics.k8s.io not served
        self.read_only = False  # a viewer's credentials: every PATCH is refused with 403
        self.denied: set[str] = set()  # "pods", "pods/log": GETs of single objects refused with 403
        self.received: list[tuple[str, str, str, bytes]] = []  # (method, path, content type, body) of writes

    def write_log(self, namespace: str, pod: str, container: str, *lines: str | bytes, previous: bool = False) -> None:
        """Append lines to a container's log (bytes as they are: a test may send invalid UTF-8)."""
        with self.lock:
            key = (namespace, pod, container, previous)
            log = self.logs.setdefault(key, [])
            log.extend((line if isinstance(line, bytes) else line.encode()) + b"\n" for line in lines)
            if len(log) > LOG_KEEP:  # bounded, as a node's log rotation is; followers count what went
                self.logs_dropped[key] = self.logs_dropped.get(key, 0) + len(log) - LOG_KEEP
                del log[:-LOG_KEEP]
            self.lock.notify_all()

    # --- changing the cluster -------------------------------------------------------
    def _record(self, resource: str, kind: str, obj: dict) -> None:
        self.rv += 1
        obj.setdefault("metadata", {})["resourceVersion"] = str(self.rv)
        self.history.append((self.rv, resource, kind, copy.deepcopy(obj)))
        del self.history[:-20000]
        self.lock.notify_all()

    def put(self, resource: str, obj: dict) -> None:
        with self.lock:
            meta = obj["metadata"]
            key = (meta.get("namespace", ""), meta["name"])
            kind = "MODIFIED" if key in self.objects[resource] else "ADDED"
            self.objects[resource][key] = obj
            self._record(resource, kind, obj)

    def delete(self, resource: str, namespace: str, name: str) -> None:
        with self.lock:
            obj = self.objects[resource].pop((namespace, name))
            self._record(resource, "DELETED", obj)

    def bookmark(self) -> None:
        with self.lock:
            self.rv += 1
            self.history.append((self.rv, "*", "BOOKMARK", {}))
            self.lock.notify_all()

    def expire_history(self) -> None:
        """Like etcd compaction: resuming a watch from an older resourceVersion gets 410 Gone."""
        with self.lock:
            self.rv += 1
            self.oldest_rv = self.rv
            self.history.clear()
            self.watch_generation += 1
            self.lock.notify_all()

    def set_fault(self, fault: str | None, resource: str = "*") -> None:
        with self.lock:
            if fault is None:
                self.faults.pop(resource, None)
            else:
                self.faults[resource] = fault
            if fault not in ("silent", "not-ready"):  # a partition leaves open watches open, silent
                self.watch_generation += 1
            self.lock.notify_all()

    # --- reading it -------------------------------------------------------------------
    def listing(self, resource: str, namespace: str | None, labels: str | None, fields: str | None) -> list[dict]:
        items = []
        for (ns, _), obj in sorted(self.objects[resource].items()):
            if namespace and ns != namespace:
                continue
            if not _matches(obj, labels, fields):
                continue
            items.append(obj)
        return items


def _matches(obj: dict, labels: str | None, fields: str | None) -> bool:
    for term in filter(None, (labels or "").split(",")):
        key, _, value = term.partition("=")
        if (obj.get("metadata", {}).get("labels") or {}).get(key) != value:
            return False
    for term in filter(None, (fields or "").split(",")):
        key, _, value = term.partition("=")
        if key == "type" and obj.get("type") != value:
            return False
        if key.startswith("involvedObject.") and str((obj.get("involvedObject") or {}).get(key.partition(".")[2], "")) != value:
            return False
    return True


DISCOVERY = {
    "/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": [{"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}], "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}}]},
    "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
        {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod", "verbs": ["get", "list", "watch"], "shortNames": ["po"]},
        {"name": "events", "singularName": "event", "namespaced": True, "kind": "Event", "verbs": ["get", "list", "watch"], "shortNames": ["ev"]},
    ]},
    "/apis/apps/v1": {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "apps/v1", "resources": [
        {"name": "deployments", "singularName": "deployment", "namespaced": True, "kind": "Deployment", "verbs": ["get", "list", "watch"], "shortNames": ["deploy"]},
    ]},
    "/version": {"major": "1", "minor": "32", "gitVersion": "v1.32.0-fake"},
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _send(self, code: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def start_chunked(self, ctype: str) -> Callable[[bytes], None]:
        """A 200 with a chunked body (a watch, a followed log); returns what writes one chunk."""
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def chunk(data: bytes) -> None:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        return chunk

    def _status(self, code: int, reason: str, message: str) -> None:
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "reason": reason, "code": code}
        self._send(code, json.dumps(body).encode())

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        cluster = self.server.cluster
        url = urlparse(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        cluster.requests.append(self.path)
        cluster.authorizations.append(self.headers.get("Authorization", ""))
        if url.path in DISCOVERY:
            return self._send(200, json.dumps(DISCOVERY[url.path]).encode())
        if url.path == "/readyz":
            return self._readyz()
        if kube_extras.get(self, url.path, query):
            return None
        match = _PATH.match(url.path)
        if not match:
            return self._status(404, "NotFound", f"the server could not find the requested resource {url.path}")
        resource, namespace = match["res"], match["ns"]
        with cluster.lock:  # fault and generation read together: a fault set later ends this watch
            fault = cluster.faults.get(resource) or cluster.faults.get("*")
            generation = cluster.watch_generation
        if fault == "401":
            return self._status(401, "Unauthorized", "Unauthorized")
        if fault == "500":
            return self._status(500, "InternalError", "etcdserver: request timed out")
        if fault in ("hang", "silent"):
            return self._hang(resource)
        if query.get("watch") in ("1", "true"):
            return self._watch(resource, namespace, query, fault, generation)
        if fault == "malformed":
            return self._send(200, b'{"kind": "PodList", "items": [ {"metadata": ')
        return self._list(resource, namespace, query)

    def do_PATCH(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.cluster.authorizations.append(self.headers.get("Authorization", ""))
        kube_extras.patch(self, urlparse(self.path).path, self.headers.get("Content-Type", ""), body)

    def _hang(self, resource: str) -> None:
        cluster = self.server.cluster
        deadline = time.monotonic() + MAX_WAIT
        while time.monotonic() < deadline and not self.server.stopping.is_set():
            with cluster.lock:
                if (cluster.faults.get(resource) or cluster.faults.get("*")) not in ("hang", "silent"):
                    break
                cluster.lock.wait(0.1)
        return self._status(504, "Timeout", "hung request released")

    def _readyz(self) -> None:
        fault = self.server.cluster.faults.get("*")
        if fault in ("hang", "silent"):
            return self._hang("*")
        if fault == "not-ready":
            body = b"[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[+]informer-sync ok\nreadyz check failed\n"
            return self._send(500, body, "text/plain; charset=utf-8")
        return self._send(200, b"ok", "text/plain; charset=utf-8")

    def _list(self, resource: str, namespace: str | None, query: dict) -> None:
        cluster = self.server.cluster
        gv, list_kind, api_version = KINDS[resource]
        with cluster.lock:
            items = cluster.listing(resource, namespace, query.get("labelSelector"), query.get("fieldSelector"))
            rv = cluster.rv
            start = int(query.get("continue") or 0)
            limit = int(query.get("limit") or 0) or len(items) or 1
            page = items[start : start + limit]
            metadata = {"resourceVersion": str(rv)}
            if start + limit < len(items):
                metadata["continue"] = str(start + limit)
            body = {"kind": list_kind, "apiVersion": api_version, "metadata": metadata, "items": page}
            data = json.dumps(body).encode()
        self._send(200, data)

    def _watch(self, resource: str, namespace: str | None, query: dict, fault: str | None, generation: int) -> None:
        cluster = self.server.cluster
        chunk = self.start_chunked("application/json")

        try:
            if fault == "malformed":
                chunk(b'{"type": "ADDED", "object": {"metad\n')
                return
            since = int(query.get("resourceVersion") or 0)
            bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
            deadline = time.monotonic() + min(MAX_WAIT, float(query.get("timeoutSeconds") or MAX_WAIT))
            with cluster.lock:
                if since < cluster.oldest_rv:
                    gone = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Expired", "code": 410,
                            "message": f"too old resource version: {since} ({cluster.oldest_rv})"}
                    chunk(json.dumps({"type": "ERROR", "object": gone}).encode() + b"\n")
                    return
            sent, dead = since, False
            while time.monotonic() < deadline and not self.server.stopping.is_set():
                with cluster.lock:
                    if cluster.watch_generation != generation:
                        return
                    # A partition: this connection stays open but nothing gets through, ever
                    # (a half-open TCP connection does not come back when the network does).
                    dead = dead or (cluster.faults.get(resource) or cluster.faults.get("*")) == "silent"
                    if dead:
                        cluster.lock.wait(0.2)
                        continue
                    fresh = [h for h in cluster.history if h[0] > sent and h[1] in (resource, "*")]
                    if not fresh:
                        cluster.lock.wait(0.2)
                        continue
                out = []
                for rv, _, kind, obj in fresh:
                    sent = rv
                    if kind == "BOOKMARK":
                        if bookmarks:
                            mark = {"kind": KINDS[resource][1][:-4], "apiVersion": KINDS[resource][2], "metadata": {"resourceVersion": str(rv)}}
                            out.append({"type": "BOOKMARK", "object": mark})
                        continue
                    if namespace and obj["metadata"].get("namespace") != namespace:
                        continue
                    if not _matches(obj, query.get("labelSelector"), query.get("fieldSelector")):
                        continue
                    out.append({"type": kind, "object": obj})
                if out:
                    chunk(b"".join(json.dumps(e).encode() + b"\n" for e in out))
        except (BrokenPipeError, ConnectionResetError):
            return
        finally:
            try:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            except OSError:
                pass
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, cluster: SimulatedCluster) -> None:
        self.cluster = cluster
        self.stopping = threading.Event()
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address) -> None:
        pass  # clients hanging up mid-watch is part of what this server is for


class SimulatedApiServer:
    """Start/stop an HTTP server for a SimulatedCluster; `stop()` + `start()` keeps the port."""

    def __init__(self, cluster: SimulatedCluster | None = None, port: int = 0, tls: tuple[Path, Path] | None = None) -> None:
        self.cluster = cluster or SimulatedCluster()
        self.port = port
        self.tls = tls  # (certificate, key): serve HTTPS, as in-cluster config requires
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> SimulatedApiServer:
        self._server = _Server(("127.0.0.1", self.port), self.cluster)
        self.port = self._server.server_address[1]
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.stopping.set()
        with self.cluster.lock:
            self.cluster.lock.notify_all()
        self._server.shutdown()
        self._server.server_close()
        self._server = None

    def write_kubeconfig(self, path: Path, *, context: str = "fake", namespace: str | None = None) -> Path:
        ctx = {"cluster": "fake", "user": "fake"}
        if namespace:
            ctx["namespace"] = namespace
        cluster = {"server": self.url}
        if self.tls:  # the self-signed certificate is its own CA, given inline as cloud kubeconfigs do
            cluster["certificate-authority-data"] = base64.b64encode(self.tls[0].read_bytes()).decode("ascii")
        doc = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "fake", "cluster": cluster}],
            "users": [{"name": "fake", "user": {"token": "test-token"}}],
            "contexts": [{"name": context, "context": ctx}],
            "current-context": context,
        }
        path.write_text(json.dumps(doc))
        return path
