"""A fast HTTP/1.1 target for scale runs: thousands of health checks against a few ports.

`TargetServer` (a thread per connection) cannot hold 20,000 checks; this answers every
path on one asyncio loop. Paths under /hold are never answered (until `release()`), and
`hold_all` holds every path, so a test can show that nothing waits for an answer. It runs
in a thread of the test process, or in a process of its own (`python -m
tests.health.scale_server PORTS`) so a benchmark's figures do not include the server's work;
then a control port answers GET /stats and POST /release.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from typing import Any

OK_BODY = b'{"status":"UP"}'
_ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(OK_BODY)) + OK_BODY


class _Connection(asyncio.Protocol):
    def __init__(self, server: ScaleServer) -> None:
        self.server = server
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.server.open += 1
        self.server.peak = max(self.server.peak, self.server.open)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.open -= 1
        self.server.held.discard(self)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
            parts = head.split(b"\r\n", 1)[0].split(b" ")
            path = parts[1] if len(parts) > 1 else b"/"
            self.server.requests += 1
            self.server.waiting += 1
            self.server.peak_waiting = max(self.server.peak_waiting, self.server.waiting)
            if self.server.hold_all or path.startswith(b"/hold"):
                self.server.held.add(self)
                return  # HTTP/1.1 answers in order: nothing after a held request is answered
            if self.server.answer_after:
                asyncio.get_running_loop().call_later(self.server.answer_after, self.answer)
                return
            self.answer()

    def answer(self) -> None:
        assert self.transport is not None
        if not self.transport.is_closing():
            self.transport.write(_ANSWER)
            self.server.answered += 1
            self.server.waiting -= 1


class ScaleServer:
    """Listens on `ports` ports of 127.0.0.1 (0: any free one) on a loop of its own thread."""

    def __init__(self, ports: int = 4, *, hold_all: bool = False, answer_after: float = 0.0) -> None:
        self.hold_all = hold_all
        self.answer_after = answer_after
        self.requests = self.answered = self.open = self.peak = 0
        # Requests received and not yet answered: exact, where `open` counts a socket the
        # client has closed until this loop gets round to noticing.
        self.waiting = self.peak_waiting = 0
        self.held: set[_Connection] = set()
        self.ports: list[int] = []
        self._count = ports
        self._loop = asyncio.new_event_loop()
        self._servers: list[asyncio.AbstractServer] = []
        self._thread = threading.Thread(target=self._loop.run_forever, name="scale-server", daemon=True)

    def start(self) -> ScaleServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(10)
        return self

    async def _listen(self) -> None:
        for _ in range(self._count):
            server = await self._loop.create_server(lambda: _Connection(self), "127.0.0.1", 0, backlog=4096)
            self._servers.append(server)
            self.ports.append(server.sockets[0].getsockname()[1])

    def urls(self, count: int, path: str = "") -> list[str]:
        """`count` distinct URLs spread over the ports (each check its own path, as in real configs)."""
        return [f"http://127.0.0.1:{self.ports[i % len(self.ports)]}{path}/{i}" for i in range(count)]

    def stats(self) -> dict[str, int]:
        return {"requests": self.requests, "answered": self.answered, "held": len(self.held),
                "open": self.open, "peak": self.peak, "peak_waiting": self.peak_waiting}

    def release(self) -> None:
        """Answer every held request and stop holding."""
        def _release() -> None:
            self.hold_all = False
            for connection in list(self.held):
                self.held.discard(connection)
                connection.answer()
        self._loop.call_soon_threadsafe(_release)

    def stop(self) -> None:
        async def _close() -> None:
            for server in self._servers:
                server.close()
            for connection in list(self.held):
                if connection.transport is not None:
                    connection.transport.abort()
        asyncio.run_coroutine_threadsafe(_close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> ScaleServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def _serve_control(server: ScaleServer) -> int:
    """A tiny control port for a server in its own process."""
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Control(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, document: Any) -> None:
            body = json.dumps(document).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._json(server.stats())

        def do_POST(self) -> None:
            server.release()
            self._json({"released": True})

    control = HTTPServer(("127.0.0.1", 0), Control)
    threading.Thread(target=control.serve_forever, daemon=True).start()
    return control.server_address[1]


def main(argv: list[str]) -> None:
    ports = int(argv[0]) if argv else 4
    server = ScaleServer(ports, hold_all="--hold-all" in argv).start()
    print(json.dumps({"ports": server.ports, "control": _serve_control(server)}), flush=True)
    sys.stdin.read()  # until the parent closes our stdin (or dies)
    server.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
