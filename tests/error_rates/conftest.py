"""Fixtures for the error-rate tests: a real /metrics server on 127.0.0.1."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.error_rates.metrics_server import MetricsServer


@pytest.fixture
def metrics_server():
    server = MetricsServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def http_client():
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def refused_url() -> str:
    """A port nobody listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
