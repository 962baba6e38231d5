"""One-off Kubernetes API calls behind the pods pane's drill-down keys: logs, describe, rollouts.

They go through the collector's own ApiClient (the official client: kubeconfig, context,
exec-plugin tokens, TLS), so they run with the operator's credentials, and through the
same raw request path as the watches (k8s_watch.get): no generated API classes or models
are imported, on start-up or later. Every failure is a KubeCallError with one line to
show ("HTTP 403 Forbidden: ..."), never a traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import orjson

from app.collectors.k8s_watch import _status_message, describe_error

LOG_LIMIT_BYTES = 4 * 1024 * 1024  # a tail of 200 lines of 10 KB each still fits; a runaway log does not
EVENT_LIMIT = 100


class KubeCallError(Exception):
    """The call failed: `status` is the HTTP status (0: no answer), str() the line to show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status

    @property
    def forbidden(self) -> bool:
        return self.status == 403


def _p(value: str) -> str:
    return quote(value, safe="")


def pod_path(namespace: str, name: str) -> str:
    return f"/api/v1/namespaces/{_p(namespace)}/pods/{_p(name)}"


def deployment_path(namespace: str, name: str) -> str:
    return f"/apis/apps/v1/namespaces/{_p(namespace)}/deployments/{_p(name)}"


class KubeCalls:
    """Calls on one cluster, bounded by `timeout` seconds each (a follow stream by its reads)."""

    def __init__(self, api_client: Any, timeout: float) -> None:
        self.api_client = api_client
        self.timeout = timeout

    async def _send(self, method: str, path: str, query: list[tuple[str, str]] | None = None, *,
                    body: Any = None, content_type: str | None = None, accept: str = "application/json",
                    timeout: float | None = None):
        headers = {"Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            method, url, headers, body, _ = await self.api_client.param_serialize(
                method, path, query_params=query or [], header_params=headers, body=body, auth_settings=["BearerToken"])
            async with asyncio.timeout(self.timeout):
                result = await self.api_client.call_api(method, url, headers, body, _request_timeout=timeout or self.timeout,
                                                        _preload_content=False)
        except (asyncio.CancelledError, KubeCallError):
            raise
        except Exception as exc:  # noqa: BLE001 - unreachable, timeouts: one line for the screen
            raise KubeCallError(0, describe_error(exc)) from exc
        response = result.response
        if response.status >= 300:
            try:
                async with asyncio.timeout(self.timeout):
                    data = await response.content.read(64 * 1024)
            except Exception:  # noqa: BLE001 - the status alone is still worth saying
                data = b""
            finally:
                response.release()
            raise KubeCallError(response.status, _status_message(response.status, data))
        return response

    async def _read(self, response, limit: int) -> bytes:
        try:
            async with asyncio.timeout(self.timeout):
                return await response.content.read(limit)
        except Exception as exc:  # noqa: BLE001
            raise KubeCallError(0, describe_error(exc)) from exc
        finally:
            response.release()

    async def json(self, method: str, path: str, query: list[tuple[str, str]] | None = None, *,
                   body: Any = None, content_type: str | None = None) -> dict:
        response = await self._send(method, path, query, body=body, content_type=content_type)
        data = await self._read(response, 32 * 1024 * 1024)
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise KubeCallError(0, describe_error(exc)) from exc
        return doc if isinstance(doc, dict) else {}

    # --- pods ----------------------------------------------------------------------------
    @staticmethod
    def log_query(container: str | None, *, previous: bool = False, tail: int | None = None,
                  follow: bool = False) -> list[tuple[str, str]]:
        query = [("container", container)] if container else []
        if follow:
            query.append(("follow", "true"))
        query.append(("limitBytes", str(LOG_LIMIT_BYTES)))
        if previous:
            query.append(("previous", "true"))
        if tail is not None:
            query.append(("tailLines", str(tail)))
        return query

    async def pod_log(self, namespace: str, name: str, container: str | None, *, previous: bool = False,
                      tail: int = 200) -> bytes:
        """The last `tail` lines as the API gives them (bytes: the screen decodes and cleans)."""
        response = await self._send("GET", f"{pod_path(namespace, name)}/log",
                                    self.log_query(container, previous=previous, tail=tail), accept="*/*")
        return await self._read(response, LOG_LIMIT_BYTES)

    async def follow_log(self, namespace: str, name: str, container: str | None, *, tail: int = 0) -> AsyncIterator[bytes]:
        """Lines as they are written (follow=true keeps the response open), until the stream ends."""
        response = await self._send("GET", f"{pod_path(namespace, name)}/log",
                                    self.log_query(container, tail=tail, follow=True), accept="*/*", timeout=24 * 3600)
        try:
            while True:
                line = await response.content.readline()
                if not line:
                    return
                yield line
        except (asyncio.CancelledError, GeneratorExit):
            raise
        except Exception as exc:  # noqa: BLE001 - a dropped stream is said in the screen
            raise KubeCallError(0, describe_error(exc)) from exc
        finally:
            response.release()

    async def pod(self, namespace: str, name: str) -> dict:
        return await self.json("GET", pod_path(namespace, name))

    async def events_for(self, namespace: str, name: str, kind: str) -> list[dict]:
        """The object's events, every type, as `kubectl describe` selects them (by name, not
        uid: the events of a pod recreated under the same name tell the same story)."""
        fields = f"involvedObject.kind={kind},involvedObject.name={name},involvedObject.namespace={namespace}"
        doc = await self.json("GET", f"/api/v1/namespaces/{_p(namespace)}/events",
                              [("fieldSelector", fields), ("limit", str(EVENT_LIMIT))])
        return [e for e in doc.get("items") or [] if isinstance(e, dict)]

    async def pod_metrics(self, namespace: str, name: str) -> dict | None:
        """metrics.k8s.io's figures for the pod; None when the cluster does not serve that API."""
        try:
            return await self.json("GET", f"/apis/metrics.k8s.io/v1beta1/namespaces/{_p(namespace)}/pods/{_p(name)}")
        except KubeCallError as exc:
            if exc.status in (404, 503):  # no metrics-server (404), or registered but down (503)
                return None
            raise

    # --- deployments ---------------------------------------------------------------------
    async def deployment(self, namespace: str, name: str) -> dict:
        return await self.json("GET", deployment_path(namespace, name))

    async def replicasets(self, namespace: str, selector: str) -> list[dict]:
        doc = await self.json("GET", f"/apis/apps/v1/namespaces/{_p(namespace)}/replicasets",
                              [("labelSelector", selector)] if selector else [])
        return [rs for rs in doc.get("items") or [] if isinstance(rs, dict)]

    async def patch_deployment(self, namespace: str, name: str, body: Any, content_type: str) -> dict:
        return await self.json("PATCH", deployment_path(namespace, name), body=body, content_type=content_type)

    async def scale(self, namespace: str, name: str, replicas: int) -> dict:
        """As `kubectl scale`: a merge patch of the scale subresource."""
        return await self.json("PATCH", f"{deployment_path(namespace, name)}/scale",
                               body={"spec": {"replicas": replicas}}, content_type="application/merge-patch+json")
