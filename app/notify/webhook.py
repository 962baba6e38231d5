"""POST one message to one webhook: timeout per attempt, bounded retries with backoff.

Retried: connection failures, timeouts, HTTP 429 and 5xx. Not retried: other 4xx (a wrong
URL or a revoked hook will not heal in seconds). Error texts are built here, never copied
from exceptions, so the webhook URL (which is the secret for Slack) cannot leak into the
timeline or the screen.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx

from app import __version__
from app.config.notify import Webhook

MAX_BACKOFF = 8.0


@dataclass(frozen=True)
class DeliveryResult:
    target: str
    ok: bool
    attempts: int
    status: int | None = None
    error: str | None = None
    elapsed: float = 0.0

    def as_data(self) -> dict[str, Any]:
        return {"target": self.target, "ok": self.ok, "attempts": self.attempts, "status": self.status, "error": self.error}

    def summary(self) -> str:
        tries = f"{self.attempts} attempt{'s' if self.attempts != 1 else ''}"
        if self.ok:
            return f"{self.target}: delivered (HTTP {self.status}, {tries})"
        return f"{self.target}: FAILED: {self.error} ({tries})"


def build_payload(webhook: Webhook, text: str, message: dict[str, Any]) -> dict[str, Any]:
    """Slack incoming webhooks take {"text": ...}; generic receivers get the whole message."""
    if webhook.format == "slack":
        return {"text": text}
    return {**message, "text": text}


def backoff_delay(attempt: int, base: float) -> float:
    return min(MAX_BACKOFF, base * (2 ** (attempt - 1)))


def _describe(exc: httpx.HTTPError, webhook: Webhook) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {webhook.timeout.total_seconds():g}s"
    if isinstance(exc, httpx.ConnectError):
        return "connection failed (receiver down or unreachable)"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "receiver closed the connection"
    return f"transport error ({type(exc).__name__})"


async def deliver(
    webhook: Webhook,
    payload: dict[str, Any],
    *,
    backoff_base: float = 0.5,
    client: httpx.AsyncClient | None = None,
) -> DeliveryResult:
    """Never raises for delivery problems: the result says what happened."""
    started = time.monotonic()
    timeout = webhook.timeout.total_seconds()
    own = client is None
    client = client or httpx.AsyncClient(timeout=timeout, follow_redirects=False)
    headers = {"User-Agent": f"warroom/{__version__}"}
    attempts, status, error = 0, None, None
    try:
        for attempt in range(1, webhook.retries + 2):
            attempts = attempt
            retryable = True
            try:
                response = await client.post(webhook.url, json=payload, headers=headers, timeout=timeout)
                status = response.status_code
                if response.is_success:
                    return DeliveryResult(webhook.name, True, attempts, status, None, time.monotonic() - started)
                error = f"HTTP {status}"
                retryable = status == 429 or status >= 500
            except httpx.HTTPError as exc:
                status, error = None, _describe(exc, webhook)
            except Exception as exc:  # noqa: BLE001 - e.g. IDNA/port errors from a URL httpx cannot use
                # Not retried: the same request would fail the same way. The exception text is
                # left out because it can quote the URL.
                return DeliveryResult(
                    webhook.name, False, attempts, None, f"could not send ({type(exc).__name__}: unusable URL or request)",
                    time.monotonic() - started,
                )
            if not retryable or attempt > webhook.retries:
                break
            await asyncio.sleep(backoff_delay(attempt, backoff_base))
    finally:
        if own:
            await client.aclose()
    return DeliveryResult(webhook.name, False, attempts, status, error, time.monotonic() - started)
