"""`warroom status` gives a real error ratio for a directly scraped /metrics endpoint."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter, generate_latest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def metrics_url():
    registry = CollectorRegistry()
    requests = Counter("http_requests", "requests", ["code"], registry=registry)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # each scrape sees 90 more OK and 10 more 5xx requests
            requests.labels("200").inc(90)
            requests.labels("503").inc(10)
            body = generate_latest(registry)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/metrics"
    server.shutdown()
    server.server_close()


def test_scraped_ratio_is_measured_not_collecting(tmp_path, metrics_url):
    config = tmp_path / "c.yaml"
    config.write_text(
        "error_rates:\n"
        f"  - {{name: checkout, metrics_url: '{metrics_url}', counter: http_requests_total,"
        " errors: {code: '5..'}, warn: 0.05, crit: 0.2}\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "app", "status", "--json", "--config", str(config)],
        capture_output=True, text=True, cwd=ROOT,
    )
    document = json.loads(result.stdout)
    check = document["checks"][0]
    assert check["detail"]["value"] == pytest.approx(0.10)
    assert (check["level"], document["overall"], result.returncode) == ("warn", "warn", 1)
