"""List, then watch from the list's resourceVersion; relist on 410 Gone; reconnect with backoff.

Requests go through the official client's ApiClient (its host, TLS, proxy and bearer
token, which exec plugins refresh) but not through the generated API classes: importing
CoreV1Api and the models it names took ~0.6 s of a 2 s `warroom status` for one list call.
Bodies are decoded with orjson (4-5x json.loads on a 15 MB PodList) and never become the
client's models: building those costs several seconds of CPU per 5,000 pods (see
benchmarks/pods_scale.py), while our own few-field extraction takes a fraction of that.

A Reflector keeps only what `compact(obj)` returns per object, so memory stays bounded
by the number of objects times the few fields we need, never whole objects.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import random
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import orjson

from app.collectors.base import Backoff

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger(__name__)

PAGE_SIZE = 500  # bounded response sizes, like kubectl's own --chunk-size default
# When nothing answers at all (refused, reset), trying again costs the API server nothing:
# cap the wait there so the pane is fresh within seconds of the server coming back. Errors
# the server itself returns (5xx, timeouts) keep the full backoff, up to 30 s.
RECONNECT_MAX = 4.0


# Timeouts are `asyncio.timeout` blocks, not wait_for: on Python 3.11 a wait_for whose inner
# call finishes just as the task is cancelled swallows the cancel, so closing a collector
# waited a full second for the next try (half of `warroom status` runs, 5,000 pods).


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No garbage collection while a page is decoded and compacted (synchronous, ~10 ms).

    Every object of the page lives until the page is compacted and every record for good,
    so the collections their allocation sets off walk them for nothing: ~50 ms of a
    5,000-pod list. The page's own objects are freed by reference counting when it goes.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Gone(Exception):
    """410: our resourceVersion is too old; the only cure is a fresh list."""


class ApiError(Exception):
    """The API server answered with an error status."""


def _status_message(status: int, body: bytes) -> str:
    try:
        doc = orjson.loads(body)
        message = doc.get("message") or doc.get("reason") or ""
    except (ValueError, AttributeError):
        message = body[:120].decode("utf-8", "replace")
    names = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 500: "Internal server error", 503: "Unavailable", 504: "Gateway timeout"}
    label = names.get(status, "HTTP error")
    return f"HTTP {status} {label}" + (f": {message.strip()}" if message and message != label else "")


def _aiohttp() -> Any:
    """The client's transport, if loaded: none of its errors can happen before it is (it
    comes with the client, which is imported when a collector starts: see k8s_client)."""
    return sys.modules.get("aiohttp")


def describe_error(exc: BaseException) -> str:
    """One line for the stale marker: what went wrong, never a traceback."""
    if isinstance(exc, (ApiError, Gone)):
        return str(exc)
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "API server did not answer in time"
    if isinstance(exc, orjson.JSONDecodeError):
        return f"malformed JSON from API server ({exc.msg})"
    transport = _aiohttp()
    said = _transport_problem(transport, exc) if transport is not None else None
    if said is not None:
        return said
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def _transport_problem(transport: Any, exc: BaseException) -> str | None:
    """aiohttp's errors in words. Its SSL errors are connection errors too, carrying errno 1:
    they are told apart first ("unreachable: Operation not permitted" misled)."""
    if isinstance(exc, transport.ClientConnectorCertificateError):
        problem = exc.certificate_error
        reason = getattr(problem, "verify_message", None) or str(problem) or type(problem).__name__
        return f"API server certificate not trusted ({exc.host}:{exc.port}: {reason}); check the kubeconfig's certificate-authority"
    if isinstance(exc, transport.ClientSSLError):
        return f"TLS with the API server failed ({exc.host}:{exc.port}: {exc.os_error})"
    if isinstance(exc, transport.ClientConnectorError):
        errno = getattr(exc.os_error, "errno", None)
        reason = os.strerror(errno) if errno else str(exc.os_error)
        return f"API server unreachable ({exc.host}:{exc.port}: {reason})"
    if isinstance(exc, transport.ClientPayloadError | transport.ServerDisconnectedError):
        return "API server closed the connection"
    return None


async def get(api_client: Any, path: str, query: list[tuple[str, str]], timeout: float, *,
              accept: str | None = "application/json") -> aiohttp.ClientResponse:
    """GET `path` as the generated `*_without_preload_content` methods do: same URL encoding,
    headers and BearerToken auth (read per request, so a refreshed token is used at once)."""
    method, url, headers, _, _ = await api_client.param_serialize(
        "GET", path, query_params=query, header_params={"Accept": accept} if accept else {}, auth_settings=["BearerToken"])
    result = await api_client.call_api(method, url, headers, _request_timeout=timeout, _preload_content=False)
    return result.response


class Reflector:
    """Mirror of one resource (one namespace or all) in `items`, kept by a background task.

    `path` is the collection ('/api/v1/pods', '/apis/apps/v1/namespaces/shop/deployments');
    `query` its selectors, e.g. [("labelSelector", "app=api")].
    """

    def __init__(
        self,
        what: str,
        api_client: Any,
        path: str,
        query: list[tuple[str, str]],
        *,
        compact: Callable[[dict], Any],
        on_change: Callable[[str, Any, Any], None] | None = None,
        on_relist: Callable[[], None] | None = None,
        request_timeout: float = 10.0,
        watch_timeout: int = 290,
        ahead: bool = False,
    ) -> None:
        self.what = what
        self.ahead = ahead
        """Lists ask for the next page before compacting this one (in a thread), so the API
        server builds it meanwhile: ~30 ms of a one-shot 5,000-pod list. Not in the dashboard,
        where that uncollected time overlaps the screen's own work and a full collection
        then came just before the first rows."""
        self._api_client = api_client
        self._path = path
        self._query = query
        self._compact = compact
        self._on_change = on_change or (lambda key, old, new: None)
        self._on_relist = on_relist or (lambda: None)
        self.request_timeout = request_timeout
        self.watch_timeout = watch_timeout
        self.items: dict[str, Any] = {}
        self.resource_version: str | None = None
        self.error: str | None = "not listed yet"
        self.synced = asyncio.Event()  # set after each successful list or failure, for the first collect
        self.lists = 0
        self.backoff = Backoff(initial=0.5, maximum=30.0)

    @staticmethod
    def key_of(obj: dict) -> str:
        meta = obj.get("metadata") or {}
        return meta.get("uid") or f"{meta.get('namespace', '')}/{meta.get('name', '')}"

    async def run(self) -> None:
        while True:
            try:
                await self._list()
                self.error = None
                self.backoff.success()
                self.synced.set()
                while True:
                    await self._watch()
            except asyncio.CancelledError:
                raise
            except Gone:
                log.info("%s: watch expired (410), relisting", self.what)
                continue
            except Exception as exc:  # noqa: BLE001 - a misbehaving server is news, not a crash
                self.error = describe_error(exc)
                self.synced.set()
                delay = self.backoff.failure()
                transport = _aiohttp()
                if transport is not None and isinstance(exc, transport.ClientConnectionError):
                    delay = min(delay, RECONNECT_MAX)
                log.info("%s: %s; retrying in %.1fs", self.what, self.error, delay)
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))

    async def _request(self, query: list[tuple[str, str]], timeout: float) -> aiohttp.ClientResponse:
        response = await get(self._api_client, self._path, self._query + query, timeout)
        if response.status != 200:
            body = await response.read()
            response.release()
            if response.status == 410:
                raise Gone(_status_message(410, body))
            raise ApiError(_status_message(response.status, body))
        return response

    async def _list(self) -> None:
        fresh: dict[str, Any] = {}
        meta = await (self._pages_ahead(fresh) if self.ahead else self._pages(fresh))
        old = self.items
        self.items = fresh
        self.resource_version = meta.get("resourceVersion")
        self.lists += 1
        self._on_relist()
        if self.lists == 1:
            return  # the first list is the baseline, not a change
        for key in old.keys() | fresh.keys():
            if old.get(key) != fresh.get(key):
                self._on_change(key, old.get(key), fresh.get(key))

    async def _pages(self, fresh: dict[str, Any]) -> dict:
        """Every page into `fresh`, one after another; the last page's metadata."""
        token: str | None = None
        while True:
            query = [("limit", str(PAGE_SIZE))] + ([("continue", token)] if token else [])
            async with asyncio.timeout(self.request_timeout):
                response = await self._request(query, float(self.request_timeout))
                body = await response.read()
            with _collector_paused():
                doc = orjson.loads(body)
                del body  # the page's bytes go before its objects are compacted: a lower peak
                for obj in doc.get("items") or []:
                    record = self._compact(obj)
                    if record is not None:
                        fresh[self.key_of(obj)] = record
            meta = doc.get("metadata") or {}
            del doc
            token = meta.get("continue")
            if not token:
                return meta

    async def _page(self, token: str | None) -> bytes:
        query = [("limit", str(PAGE_SIZE))] + ([("continue", token)] if token else [])
        async with asyncio.timeout(self.request_timeout):
            response = await self._request(query, float(self.request_timeout))
            try:
                return await response.read()
            finally:
                response.release()

    def _compacted(self, items: list[dict]) -> dict[str, Any]:
        records = {}
        for obj in items:
            record = self._compact(obj)
            if record is not None:
                records[self.key_of(obj)] = record
        return records

    async def _pages_ahead(self, fresh: dict[str, Any]) -> dict:
        """As _pages, the next page asked for before this one is compacted (see `ahead`)."""
        page: asyncio.Future[bytes] = asyncio.ensure_future(self._page(None))
        try:
            while True:
                body = await page
                with _collector_paused():
                    doc = orjson.loads(body)
                    del body
                    meta = doc.get("metadata") or {}
                    token = meta.get("continue")
                    if token:  # the request goes out while the thread compacts
                        page = asyncio.ensure_future(self._page(token))
                    fresh.update(await asyncio.to_thread(self._compacted, doc.get("items") or []))
                    del doc
                if not token:
                    return meta
        finally:
            if not page.done():  # a failed page or a cancelled list: the next one is not wanted
                page.cancel()
                await asyncio.gather(page, return_exceptions=True)

    async def _watch(self) -> None:
        # The server ends the watch after timeoutSeconds; jitter spreads reconnects.
        server_timeout = int(self.watch_timeout * random.uniform(0.9, 1.0))
        query = [("allowWatchBookmarks", "true"), ("timeoutSeconds", str(server_timeout)), ("watch", "true")]
        if self.resource_version:
            query.insert(1, ("resourceVersion", self.resource_version))
        async with asyncio.timeout(self.request_timeout):  # only until the headers: the stream is long
            response = await self._request(query, float(server_timeout + 30))
        started = asyncio.get_running_loop().time()
        try:
            async for line in response.content:
                if line.strip():
                    self._apply(orjson.loads(line))
        finally:
            response.release()
        if asyncio.get_running_loop().time() - started < 1.0:
            await asyncio.sleep(1.0)  # a server that closes watches at once must not make us spin

    def _apply(self, event: dict) -> None:
        kind, obj = event.get("type"), event.get("object") or {}
        if kind == "ERROR":
            if obj.get("code") == 410:
                raise Gone(f"HTTP 410 Gone: {obj.get('message', '')}")
            raise ApiError(_status_message(int(obj.get("code") or 500), orjson.dumps(obj)))
        rv = (obj.get("metadata") or {}).get("resourceVersion")
        if kind == "BOOKMARK":
            self.resource_version = rv or self.resource_version
            return
        key = self.key_of(obj)
        old = self.items.get(key)
        if kind == "DELETED":
            self.items.pop(key, None)
            new = None
        elif kind in ("ADDED", "MODIFIED"):
            new = self._compact(obj)
            if new is None:
                self.items.pop(key, None)
            else:
                self.items[key] = new
        else:
            return
        self.resource_version = rv or self.resource_version
        if old != new:
            self._on_change(key, old, new)


async def probe_ready(api_client: Any, timeout: float) -> str | None:
    """GET /readyz: None when the API server answers ready, else why not in one line.

    Watches alone cannot tell a quiet cluster from a partition: a half-open connection
    says nothing until the watch times out minutes later. Exceptions (no answer in time,
    unreachable) propagate; a server that will not say (401/403/404) counts as ready.
    """
    async with asyncio.timeout(timeout):
        response = await get(api_client, "/readyz", [], timeout, accept=None)
    try:
        if response.status == 200 or response.status in (401, 403, 404):
            return None
        async with asyncio.timeout(timeout):
            body = (await response.read()).decode("utf-8", "replace")
    finally:
        response.release()
    failed = [line[3:].split()[0] for line in body.splitlines() if line.startswith("[-]") and line[3:].split()]
    return f"API server not ready (HTTP {response.status}" + (f": {', '.join(failed)} failed)" if failed else ")")
