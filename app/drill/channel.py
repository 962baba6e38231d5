"""A webhook receiver on 127.0.0.1: the drill's status-update channel, and the tests' too.

The drill uses it so that posting an update shows "delivered" and the trainer can read
what the channel received (`received`, and a JSON line per message in `log_path`). Tests
script its replies in advance (`replies`) to make deliveries fail, hang or succeed.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class WebhookReceiver:
    """replies: a list of int status codes or ('sleep', seconds) consumed per request;
    when exhausted every request gets 200."""

    def __init__(self, port: int = 0, replies: list[Any] | None = None, log_path: Path | None = None) -> None:
        self.replies = list(replies or [])
        self.received: list[Any] = []
        self.paths: list[str] = []
        self.log_path = log_path
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                with receiver._lock:
                    reply = receiver.replies.pop(0) if receiver.replies else 200
                    receiver.paths.append(self.path)
                if isinstance(reply, tuple) and reply[0] == "sleep":
                    time.sleep(reply[1])
                    reply = 200
                else:
                    receiver._keep(body)
                try:
                    self.send_response(reply)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the client gave up (a timeout test): nothing to answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port: int = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook/secret-token-abc123"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def _keep(self, body: bytes) -> None:
        try:
            message = json.loads(body or b"null")
        except ValueError:
            message = body.decode("utf-8", "replace")
        with self._lock:
            self.received.append(message)
            if self.log_path is not None:
                with self.log_path.open("a", encoding="utf-8") as log:
                    log.write(json.dumps({"at": time.time(), "message": message}, ensure_ascii=False) + "\n")

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
