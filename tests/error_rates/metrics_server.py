"""A real /metrics endpoint for tests: prometheus_client's registry and exposition, in a thread.

`restart()` swaps in a fresh registry, which is what a process restart looks like from
outside: every counter starts again from zero (a counter reset).
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest


class AppMetrics:
    """The instrumented 'service': a request counter by code and a latency histogram."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("http_requests", "Requests served", ["code", "job"], registry=self.registry)
        self.latency = Histogram("http_request_duration_seconds", "Latency", ["code"], registry=self.registry)

    def serve(self, code: str, count: int = 1) -> None:
        self.requests.labels(code=code, job="api").inc(count)
        for _ in range(count):
            self.latency.labels(code=code).observe(0.05)


class MetricsServer:
    def __init__(self) -> None:
        self.metrics = AppMetrics()
        self.big_body = b"# filler\n" * (11 * 1024 * 1024 // 9 + 1)
        self.hang = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if self.path == "/metrics":
                    body = generate_latest(server.metrics.registry)
                    self._send(200, body, CONTENT_TYPE_LATEST)
                elif self.path == "/big":
                    self._send(200, server.big_body, "text/plain")
                elif self.path == "/hang":
                    server.hang.wait(10)
                    self._send(200, b"", "text/plain")
                elif self.path.startswith("/trickle"):  # also /trickle/api/v1/query?...
                    self._trickle()
                elif self.path == "/garbage":
                    self._send(200, b'http_requests_total{code="500" 3\n', "text/plain")
                else:
                    self._send(404, b"not found", "text/plain")

            def _trickle(self) -> None:
                """Answer at once, then one byte every 0.1 s: each read is quick, the body never ends."""
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", "1000000")
                    self.end_headers()
                    while not server.hang.wait(0.1):
                        self.wfile.write(b"#")
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/metrics"
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="metrics-server", daemon=True
        )
        self._thread.start()

    def restart(self) -> None:
        """A service restart: all counters back to zero."""
        self.metrics = AppMetrics()

    def stop(self) -> None:
        self.hang.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)


class TrafficGenerator:
    """Moves the counters steadily in a thread, so Prometheus sees real rates."""

    def __init__(self, server: MetricsServer, period: float = 0.1) -> None:
        self.server, self.period = server, period
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="traffic", daemon=True)

    def _run(self) -> None:
        tick = 0
        while not self._stop.wait(self.period):
            tick += 1
            self.server.metrics.serve("200", 9)
            self.server.metrics.serve("500", 1)
            if tick % 3 == 0:
                self.server.metrics.serve("503", 1)

    def start(self) -> TrafficGenerator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


class SteppedCounters:
    """A /metrics endpoint whose `orders_total{code}` counters change only when the test sets
    them, all at once (never half-way through a scrape). A lower value is a counter reset."""

    def __init__(self, values: dict[str, int]) -> None:
        self._lock = threading.Lock()
        self.set(values)
        counters = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                with counters._lock:
                    body = generate_latest(counters._registry)
                self.send_response(200)
                self.send_header("Content-Type", CONTENT_TYPE_LATEST)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/metrics"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def set(self, values: dict[str, int]) -> None:
        registry = CollectorRegistry()
        orders = Counter("orders", "Orders by HTTP code", ["code"], registry=registry)
        for code, value in values.items():
            orders.labels(code=code).inc(value)
        with self._lock:
            self._registry = registry

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)
