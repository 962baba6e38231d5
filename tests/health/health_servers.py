"""Real HTTP(S) servers on 127.0.0.1 that misbehave in the ways health endpoints do."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

BIG_BODY = 10 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    server: TargetServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json", headers=None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        self.server.hits[path] = self.server.hits.get(path, 0) + 1
        if path in self.server.routes:  # tests change these while the server runs
            status, body, delay, *headers = self.server.routes[path]  # (status, body, delay[, headers])
            if delay and self.server.stopping.wait(delay):
                return
            return self._send(status, body.encode() if isinstance(body, str) else body, headers=headers[0] if headers else None)
        if path == "/ok":
            return self._send(200, b'{"status":"UP","components":{"db":{"status":"UP"}}}')
        if path == "/healthy":
            return self._send(200, b'{"status":"healthy"}')
        if path == "/warn":
            return self._send(200, b'{"status":"warn"}', "application/health+json")
        if path == "/down":
            return self._send(503, b'{"status":"DOWN"}')
        if path == "/slow":
            if self.server.stopping.wait(float(query.get("s", ["2"])[0])):
                return
            return self._send(200, b'{"status":"UP"}')
        if path == "/hang":
            self.server.stopping.wait(120)  # never answers while the test runs
            return
        if path == "/big":
            return self._big()
        if path == "/badjson":
            return self._send(200, b"<html>oops</html>", "text/html")
        if path == "/loop":
            return self._send(302, b"", headers={"Location": "/loop"})
        if path == "/text":
            return self._send(200, b"all systems go", "text/plain")
        if path == "/markup":
            return self._send(500, b"[bold red]not markup[/]", "text/plain")
        return self._send(404, b'{"error":"not found"}')

    def _big(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(BIG_BODY))
        self.end_headers()
        chunk = b" " * 65536
        try:
            for _ in range(BIG_BODY // len(chunk)):
                self.wfile.write(chunk)
                self.server.big_sent += len(chunk)
        except OSError:
            pass  # the client stopped reading, as it should


class TargetServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512  # benchmarks open hundreds of connections at once

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, tuple[int, str | bytes, float]] = {}
        self.hits: dict[str, int] = {}
        self.big_sent = 0
        self.stopping = threading.Event()
        self.scheme = "http"
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def handle_error(self, request, client_address) -> None:
        pass  # clients hanging up mid-answer is part of what these servers are for

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> TargetServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1, made with the openssl CLI."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("openssl not installed")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def refused_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def json_body(value) -> str:
    return json.dumps(value)


def wait_until(predicate, timeout: float = 5.0) -> bool:
    """For threads outside the event loop only (server side), never for UI synchronisation."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()
