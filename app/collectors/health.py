"""HTTP health checks: one collector per check (own interval), one shared client and gate.

A failing target is a normal Snapshot with level CRIT and the result as data: that is
news about the target. `Snapshot.error` is kept for the collector itself failing (say an
unreadable CA file), which the pane shows as stale.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import sys
import time
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import anyio
import anyio.abc  # noqa: F401 - these and the names below are what httpx's transport
import anyio.lowlevel  # noqa: F401   would otherwise import on its first connection,
import anyio.streams.memory  # noqa: F401   inside the first check's latency
import anyio.streams.stapled  # noqa: F401
import anyio.streams.tls  # noqa: F401
import httpx
from anyio import BrokenResourceError, ClosedResourceError, EndOfStream, connect_tcp, fail_after  # noqa: F401

from app.collectors.base import Check, Collector, Level, Snapshot, now_utc
from app.collectors.check_runs import Gate, collect_all
from app.collectors.http_client import TOTAL_GRACE, ClientsByTls, clean, deadline_text, name_transport_failure
from app.collectors.probe_loop import on_probe_loop, probe_loop
from app.config.health import BodyCondition, HealthCheck
from app.domain.scrub import scrub_header, scrub_url

if TYPE_CHECKING:
    from app.config import Config

MAX_BODY = 1024 * 1024
BODY_KEPT = 4096
"""Bytes of the last body kept per check, for its detail view (Enter): bounded, as thousands
of checks each keep theirs."""
HEADERS_KEPT = 64
HEADER_VALUE_KEPT = 1024
_MISSING = object()


@dataclass(frozen=True)
class HealthResult:
    """What one request found. `error` names the failure (None when it passed)."""

    url: str
    level: Level
    status_code: int | None = None
    status_text: str | None = None
    latency_ms: float | None = None
    error: str | None = None
    body_bytes: int = 0
    truncated: bool = False
    body_head: bytes = b""
    """The first BODY_KEPT bytes of the body, as sent (shown only through from_bytes/one_line)."""
    headers: tuple[tuple[str, str], ...] = ()
    """Response headers, secrets already replaced (scrub_header), at most HEADERS_KEPT."""
    headers_ms: float | None = None
    """Time to the response's status line and headers; latency_ms is to the body's end."""

    @property
    def summary(self) -> str:
        latency = f"{self.latency_ms:.0f} ms" if self.latency_ms is not None else None
        if self.error is None:
            return f"{self.status_text} in {latency}" if latency else str(self.status_text)
        if latency is None or self.error.startswith("slow:"):  # a slow answer already says how slow
            return self.error
        return f"{self.error} ({latency})"

    def detail(self) -> dict[str, Any]:
        latency = round(self.latency_ms, 1) if self.latency_ms is not None else None
        return {"url": self.url, "status_code": self.status_code, "latency_ms": latency, "error": self.error}


def display_url(url: str) -> str:
    """The URL without user:password or credential query values, for screens, JSON and the timeline."""
    return scrub_url(url)


def _lookup(document: Any, path: str) -> Any:
    node = document
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _matches(value: Any, accepted: list[Any]) -> bool:
    # Strict on type so `true` never equals 1 and "1" never equals 1.
    return any(type(value) is type(a) and value == a or (
        type(value) in (int, float) and type(a) in (int, float) and value == a
    ) for a in accepted)


def _show(value: Any) -> str:
    return clean(json.dumps(value, ensure_ascii=False), 80)


def evaluate_body(conditions: list[BodyCondition], body: bytes, truncated: bool) -> tuple[Level, str | None]:
    """Check JSON body conditions; the worst failing one decides."""
    if truncated:
        return Level.CRIT, f"body condition failed: body larger than {MAX_BODY // 1024 // 1024} MiB, not parsed"
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return Level.CRIT, clean(f"invalid JSON: {exc}")
    warned: str | None = None
    for condition in conditions:
        value = _lookup(document, condition.path)
        if value is _MISSING:
            return Level.CRIT, clean(f"body condition failed: {condition.path} missing")
        if _matches(value, condition.in_):
            continue
        if _matches(value, condition.warn):
            warned = warned or clean(f"body: {condition.path} is {_show(value)}")
            continue
        expected = ", ".join(str(v) for v in condition.in_)
        return Level.CRIT, clean(f"body condition failed: {condition.path} is {_show(value)} (expected {expected})")
    return (Level.WARN, warned) if warned else (Level.OK, None)


class HealthCollector(Collector[HealthResult]):
    source = "health"

    def __init__(self, check: HealthCheck, clients: ClientsByTls, gate: Gate | None = None,
                 users: _Users | None = None) -> None:
        self.check = check
        self.name = check.name
        self.interval = check.interval.total_seconds()
        self.timeout = check.timeout.total_seconds()
        self.url = display_url(check.url)
        self.gate = gate or Gate()
        parts = urlsplit(check.url)
        self.host = f"{parts.scheme}://{parts.netloc.rpartition('@')[2].lower()}"
        self._clients = clients
        self._users = users or _Users(1)
        self._ranges = check.status_ranges()
        self._closed = False

    async def collect(self) -> Snapshot[HealthResult]:
        return await on_probe_loop(self._collect())

    @staticmethod
    async def collect_many(collectors: list[HealthCollector], budget: float) -> list[Snapshot[HealthResult]]:
        """Each once, for `warroom status`: on the probe loop in one trip, at most as many at
        once as their gate lets through."""
        by_clients: dict[int, list[HealthCollector]] = {}
        for collector in collectors:
            by_clients.setdefault(id(collector._clients), []).append(collector)
        for users in by_clients.values():
            users[0]._clients.single_use(c.check.verify for c in users)
        return await on_probe_loop(collect_all(collectors, budget))

    async def _collect(self) -> Snapshot[HealthResult]:
        async with self.gate.slot(self.host):  # a queued check's clock has not started
            fetched_at = now_utc()
            try:
                client = self._clients.get(self.check.verify)
            except (OSError, ssl.SSLError) as exc:
                # Our own configuration is broken, not the target: a stale pane, not a CRIT row.
                return Snapshot(self.source, self.name, fetched_at, Level.UNKNOWN, clean(f"CA file {self.check.verify}: {exc}"))
            result = await self._probe(client)
            return Snapshot(self.source, self.name, fetched_at, result.level, None, result)

    async def _probe(self, client: httpx.AsyncClient) -> HealthResult:
        # Likewise anyio's event-loop backend, loaded on first use: before the clock starts,
        # or the first check of a run (all of `warroom status`) counts our start-up (~15 ms).
        await anyio.sleep(0)
        started = time.perf_counter()
        try:
            # httpx's timeout bounds each connect/read; this bounds the whole check, so a
            # server trickling one byte a second cannot hold a row forever. The grace lets
            # httpx name the phase (connect or response) when it is the one that expires.
            async with asyncio.timeout(self.timeout + TOTAL_GRACE):
                return await self._request(client, started)
        except TimeoutError:
            return HealthResult(self.url, Level.CRIT, error=deadline_text(self.timeout))
        except httpx.HTTPError as exc:
            return HealthResult(self.url, Level.CRIT, error=name_transport_failure(exc, self.check.url, self.timeout))
        except (OSError, ssl.SSLError, ValueError) as exc:
            return HealthResult(self.url, Level.CRIT, error=clean(f"{type(exc).__name__}: {exc}"))

    async def _request(self, client: httpx.AsyncClient, started: float) -> HealthResult:
        check = self.check
        async with client.stream(
            check.method, check.url, headers=check.headers, timeout=httpx.Timeout(self.timeout),
            follow_redirects=check.follow_redirects,
        ) as response:
            headers_ms = (time.perf_counter() - started) * 1000
            headers = kept_headers(response.headers.multi_items())
            body, truncated = bytearray(), False
            if check.method != "HEAD":
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_BODY:  # one byte past the limit tells us it was cut
                        truncated = True
                        del body[MAX_BODY:]
                        break  # stop reading: never pull a huge body into memory
            latency_ms = (time.perf_counter() - started) * 1000
        code = response.status_code
        phrase = response.reason_phrase or _phrase(code)
        status_text = clean(f"{code} {phrase}".strip(), 80)
        found = HealthResult(self.url, Level.OK, status_code=code, status_text=status_text, latency_ms=latency_ms,
                             body_bytes=len(body), truncated=truncated, body_head=bytes(body[:BODY_KEPT]),
                             headers=headers, headers_ms=headers_ms)
        if not any(low <= code <= high for low, high in self._ranges):
            return replace(found, level=Level.CRIT, error=status_text)
        level, error = Level.OK, None
        if check.body:
            level, error = evaluate_body(check.body, bytes(body), truncated)
            if level == Level.CRIT:
                return replace(found, level=level, error=error)
        if check.contains is not None and check.contains not in body.decode("utf-8", "replace"):
            return replace(found, level=Level.CRIT, error=clean(f"body does not contain {check.contains!r}"))
        crit, warn = check.latency_crit, check.latency_warn
        if crit is not None and latency_ms > crit.total_seconds() * 1000:
            return replace(found, level=Level.CRIT, error=f"slow: {latency_ms:.0f} ms (crit above {crit.total_seconds() * 1000:.0f} ms)")
        if level == Level.OK and warn is not None and latency_ms > warn.total_seconds() * 1000:
            level, error = Level.WARN, f"slow: {latency_ms:.0f} ms (warn above {warn.total_seconds() * 1000:.0f} ms)"
        return replace(found, level=level, error=error)

    def checks(self, snapshot: Snapshot[HealthResult]) -> list[Check]:
        result = snapshot.data
        if snapshot.error is not None or result is None:
            error = snapshot.error or "no result"
            detail = {"url": self.url, "status_code": None, "latency_ms": None, "error": error}
            return [Check(self.source, self.name, Level.UNKNOWN, f"check failed: {error}", detail)]
        return [Check(self.source, self.name, result.level, result.summary, result.detail())]

    async def aclose(self) -> None:
        # Only the last one to close makes the trip to the probe loop (where the clients
        # live): 20,000 trips, each waiting on a busy loop, made quitting take minutes.
        if not self._closed:
            self._closed = True
            if self._users.leave():
                await on_probe_loop(self._clients.release())

    def close_soon(self) -> None:
        """Like aclose, without waiting: quitting must not wait on a loop busy with requests."""
        if not self._closed:
            self._closed = True
            if self._users.leave():
                asyncio.run_coroutine_threadsafe(self._clients.release(), probe_loop())


def kept_headers(items: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """What the detail view shows of the response headers: bounded, secrets replaced here,
    so no cookie or token is ever kept, let alone drawn."""
    # Names interned: thousands of checks each keep the same few ("date", "server", ...).
    return tuple((sys.intern(name[:HEADER_VALUE_KEPT]), scrub_header(name, value)[:HEADER_VALUE_KEPT])
                 for name, value in items[:HEADERS_KEPT])


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


class _Users:
    """How many collectors of a build still use its clients; counted where they are closed."""

    def __init__(self, count: int) -> None:
        self.count = count

    def leave(self) -> bool:
        """True for the last one out."""
        self.count -= 1
        return self.count == 0


def build(config: Config) -> list[Collector]:
    return build_for(config.health)


def build_for(checks: list[HealthCheck]) -> list[Collector]:
    """One collector per check, sharing one client per TLS setting and one gate."""
    clients = ClientsByTls(users=1, user_agent="warroom-health")
    gate, users = Gate(), _Users(len(checks))
    return [HealthCollector(check, clients, gate, users) for check in checks]
