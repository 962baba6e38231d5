"""What health checks and error-rate sources share about talking HTTP: failures named in
the words an on-call engineer expects, bounded bodies and deadlines, and clients shared by
all rows of one build.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.domain.text import one_line

MAX_REDIRECTS = 10
TOTAL_GRACE = 0.5
"""Seconds beyond `timeout` a whole request may take: httpx's timeout is per read, so a
target trickling a byte a second would otherwise hold its row forever, never marked stale."""
MAX_BODY_BYTES = 10 * 1024 * 1024
"""Responses larger than this are refused: the dashboard must not eat a runaway endpoint."""



def clean(text: str, limit: int = 200) -> str:
    """Outside text on one line, bounded: it goes into tables, JSON and timeline entries."""
    text = one_line(text).strip()  # control characters shown (␛), never sent to a terminal
    return text if len(text) <= limit else text[: limit - 1] + "…"


def seconds(value: float) -> str:
    return f"{value:g}s"


def deadline_text(timeout: float) -> str:
    return f"timeout: not complete within {seconds(timeout + TOTAL_GRACE)}"


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def name_transport_failure(exc: httpx.HTTPError, url: str, timeout: float) -> str:
    """Turn httpx's exception into the words an on-call engineer expects."""
    host = urlsplit(url).hostname or url
    if isinstance(exc, httpx.TooManyRedirects):
        return f"too many redirects (more than {MAX_REDIRECTS})"
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timeout: no connection within {seconds(timeout)}"
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout: no response within {seconds(timeout)}"
    for cause in _chain(exc):
        if isinstance(cause, socket.gaierror):
            return f"DNS failure: cannot resolve {host}"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return clean(f"TLS error: {cause.verify_message or cause.reason or 'certificate verify failed'}")
        if isinstance(cause, ssl.SSLError):
            return clean(f"TLS error: {cause.reason or cause}")
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
    text = str(exc)
    lowered = text.lower()
    if any(s in lowered for s in ("name or service not known", "nodename nor servname", "name resolution", "no address associated")):
        return f"DNS failure: cannot resolve {host}"
    if "connection refused" in lowered or "errno 111" in lowered or "all connection attempts failed" in lowered:
        return "connection refused"
    if "ssl" in lowered or "certificate" in lowered:
        return clean(f"TLS error: {text}")
    if isinstance(exc, httpx.RemoteProtocolError):
        return clean(f"protocol error: {text or 'server closed the connection'}")
    return clean(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)


class ResponseTooLarge(Exception):
    pass


def describe_http_error(exc: Exception, timeout: float, url: str) -> str:
    """One short line naming what went wrong talking to the target."""
    if isinstance(exc, ResponseTooLarge):
        return str(exc)
    if isinstance(exc, httpx.HTTPError):
        return name_transport_failure(exc, url, timeout)
    return f"{type(exc).__name__}: {exc}"


async def read_bounded(response: httpx.Response, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body of a streamed response, refusing more than `limit` bytes."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ResponseTooLarge(f"response too large ({int(declared) // 1024} KiB > {limit // 1024} KiB)")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise ResponseTooLarge(f"response too large (over {limit // 1024} KiB)")
        chunks.append(chunk)
    return b"".join(chunks)


class SharedClient:
    """One httpx client for all rows of a build, closed when the last row lets go.

    `warroom status` closes each collector as soon as its own run ends, while others may
    still be using the client, so a plain "last one closes it" would cut them off.
    """

    def __init__(self, client: httpx.AsyncClient, users: int) -> None:
        self.client = client
        self.users = users

    async def release(self) -> None:
        self.users -= 1
        if self.users <= 0:
            await self.client.aclose()


class ClientsByTls:
    """Like SharedClient, with one client per TLS setting (verify on, off, or a CA file)."""

    def __init__(self, users: int, user_agent: str) -> None:
        self._clients: dict[Any, httpx.AsyncClient] = {}
        self._users = users
        self._user_agent = user_agent
        self._keepalive = 50

    def single_use(self, settings: Iterable[bool | str]) -> None:
        """Each check runs once (`warroom status`): keep no connection for a next run, and
        make the clients of these TLS settings now, before the checks are started.

        httpcore looks at every connection in its pool for each request it assigns and each
        response it closes, and an idle one costs two system calls there (is it readable?
        its peer's address): 200 checks of one host spent more CPU in that than in HTTP.
        A client loads its CA certificates when made (~20 ms): made on the probe loop, that
        competed with whatever the caller's thread did next (validating the rest of the
        config) and held back every first request.
        """
        self._keepalive = 0
        for verify in dict.fromkeys(settings):
            with contextlib.suppress(OSError, ssl.SSLError):  # a bad CA file: that check's own UNKNOWN
                self.get(verify)

    def get(self, verify: bool | str) -> httpx.AsyncClient:
        client = self._clients.get(verify)
        if client is None or client.is_closed:
            tls: bool | ssl.SSLContext = verify if isinstance(verify, bool) else ssl.create_default_context(cafile=verify)
            client = httpx.AsyncClient(
                verify=tls,
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
                # A hung target holds its connection; it must not queue the others behind it.
                limits=httpx.Limits(max_connections=None, max_keepalive_connections=self._keepalive),
                headers={"User-Agent": self._user_agent},
                trust_env=False,
            )
            self._clients[verify] = client
        return client

    async def release(self) -> None:
        self._users -= 1
        if self._users <= 0:
            clients, self._clients = list(self._clients.values()), {}
            for client in clients:
                await client.aclose()
