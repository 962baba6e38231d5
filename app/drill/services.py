"""The drill's HTTP services: each on its own 127.0.0.1 port with a health endpoint and a
/metrics endpoint, both answering from the state the scenario sets.

Health bodies come in the three formats the health pane knows (Spring Boot actuator,
health+json, plain `{"status": ...}`); request and error counters move at the service's
request rate and error ratio, so the error-rates pane reads a real rate from real scrapes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

Health = Literal["up", "warn", "down"]
Format = Literal["actuator", "health+json", "plain"]

# status value per format and health: what a real service of that kind answers
BODIES: dict[str, dict[str, tuple[str, str]]] = {
    "actuator": {"up": ("UP", "application/vnd.spring-boot.actuator.v3+json"),
                 "warn": ("DEGRADED", "application/vnd.spring-boot.actuator.v3+json"),
                 "down": ("DOWN", "application/vnd.spring-boot.actuator.v3+json")},
    "health+json": {"up": ("pass", "application/health+json"), "warn": ("warn", "application/health+json"),
                    "down": ("fail", "application/health+json")},
    "plain": {"up": ("healthy", "application/json"), "warn": ("degraded", "application/json"),
              "down": ("unhealthy", "application/json")},
}
HEALTH_PATHS = {"actuator": "/actuator/health", "health+json": "/health", "plain": "/healthz"}
# The config's body condition for each format: which values are OK, which WARN.
BODY_CONDITIONS: dict[str, dict[str, list[str]]] = {
    fmt: {"in": [values["up"][0]], "warn": [values["warn"][0]]} for fmt, values in BODIES.items()
}
TICK = 0.25  # seconds between counter moves: smooth enough for a 1 s scrape interval


@dataclass(frozen=True)
class ServiceState:
    health: Health = "up"
    latency_ms: int = 30
    error_ratio: float = 0.002
    rps: float = 40.0


class Service:
    """One simulated service on its own port."""

    def __init__(self, name: str, fmt: Format, state: ServiceState) -> None:
        self.name, self.format = name, fmt
        self.state = state
        self.stopping = threading.Event()
        self.registry = CollectorRegistry()
        self.requests = Counter("http_requests", "Requests served", ["code", "service"], registry=self.registry)
        self._owed = {"200": 0.0, "500": 0.0}  # fractional requests carried to the next tick
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if self.path == "/metrics":
                    return self._send(200, generate_latest(service.registry), CONTENT_TYPE_LATEST)
                if self.path == HEALTH_PATHS[service.format]:
                    return service._health(self._send)
                self._send(404, b'{"error":"not found"}', "application/json")

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the checker gave up (its timeout): nothing to answer

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port: int = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"drill-{name}", daemon=True)
        self._thread.start()

    @property
    def health_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{HEALTH_PATHS[self.format]}"

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/metrics"

    def _health(self, send: Callable[[int, bytes, str], None]) -> None:
        state = self.state
        if state.latency_ms and self.stopping.wait(state.latency_ms / 1000):
            return
        value, content_type = BODIES[self.format][state.health]
        body: dict[str, object] = {"status": value}
        if self.format == "actuator":
            body["components"] = {"db": {"status": "UP" if state.health != "down" else "DOWN"}}
        send(503 if state.health == "down" else 200, json.dumps(body).encode(), content_type)

    def tick(self, seconds: float) -> None:
        """Serve `seconds` worth of traffic at the current rate and error ratio."""
        state = self.state
        total = state.rps * seconds
        self._owed["500"] += total * state.error_ratio
        self._owed["200"] += total * (1 - state.error_ratio)
        for code, owed in self._owed.items():
            whole = int(owed)
            if whole:
                self.requests.labels(code=code, service=self.name).inc(whole)
                self._owed[code] = owed - whole

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)


class Services:
    """Every service of a scenario, and the thread that moves their counters."""

    def __init__(self, specs: dict[str, tuple[Format, ServiceState]]) -> None:
        self.by_name: dict[str, Service] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._traffic, name="drill-traffic", daemon=True)
        try:
            for name, (fmt, state) in specs.items():
                self.by_name[name] = Service(name, fmt, state)
        except BaseException:
            self.stop()
            raise
        self._thread.start()

    def _traffic(self) -> None:
        while not self._stop.wait(TICK):
            for service in list(self.by_name.values()):
                service.tick(TICK)

    def patch(self, name: str, **changes: object) -> None:
        service = self.by_name[name]
        service.state = replace(service.state, **changes)  # type: ignore[arg-type]

    @property
    def ports(self) -> list[int]:
        return [s.port for s in self.by_name.values()]

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        for service in self.by_name.values():
            service.stop()
