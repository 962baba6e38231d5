"""A real Alertmanager for tests: temp config and data dir, 127.0.0.1, no cluster, always stopped."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
SKIP_REASON = "the alertmanager binary is not installed (Debian package `prometheus-alertmanager`; .ci/run installs it)"

CONFIG = """\
route:
  receiver: blackhole
  group_by: [alertname]
receivers:
  - name: blackhole
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


class AlertmanagerProcess:
    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = workdir / "alertmanager.yml"
        self.config.write_text(CONFIG)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = open(workdir / "alertmanager.log", "ab")  # noqa: SIM115 - closed in stop()
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                ALERTMANAGER or "alertmanager",
                f"--config.file={self.config}",
                f"--storage.path={self.workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--cluster.listen-address=",  # no gossip port: one instance, nothing to settle
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
        )
        self.wait_ready()

    def wait_ready(self, deadline: float = 20.0) -> None:
        end = time.monotonic() + deadline
        with httpx.Client(base_url=self.url, timeout=2) as client:
            while time.monotonic() < end:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"alertmanager exited: {self.tail_log()}")
                try:
                    if client.get("/-/ready").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)  # waiting for an external process, not for our own code
        raise RuntimeError(f"alertmanager not ready within {deadline}s: {self.tail_log()}")

    def push(self, *alerts: dict[str, Any]) -> None:
        """POST /api/v2/alerts, as Prometheus does; each alert a dict with labels (and
        annotations, startsAt) - endsAt an hour ahead unless given."""
        now = datetime.now(UTC)
        body = []
        for alert in alerts:
            item = {"labels": alert["labels"], "annotations": alert.get("annotations", {}),
                    "startsAt": iso(alert.get("startsAt", now)), "endsAt": iso(alert.get("endsAt", now + timedelta(hours=1)))}
            if "generatorURL" in alert:
                item["generatorURL"] = alert["generatorURL"]
            body.append(item)
        response = httpx.post(f"{self.url}/api/v2/alerts", json=body, timeout=5)
        response.raise_for_status()
        self.wait_alerts(len({tuple(sorted(a["labels"].items())) for a in alerts}))

    def wait_alerts(self, at_least: int, deadline: float = 10.0) -> None:
        """Pushed alerts are listed once Alertmanager has taken them in."""
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if len(self.alerts()) >= at_least:
                return
            time.sleep(0.05)  # waiting for an external process
        raise RuntimeError(f"alertmanager did not list {at_least} alerts within {deadline}s")

    def alerts(self, **params: str) -> list[dict[str, Any]]:
        return httpx.get(f"{self.url}/api/v2/alerts", params=params, timeout=5).json()

    def silences(self) -> list[dict[str, Any]]:
        return httpx.get(f"{self.url}/api/v2/silences", timeout=5).json()

    def tail_log(self) -> str:
        self.log.flush()
        return (self.workdir / "alertmanager.log").read_text(errors="replace")[-2000:]

    def stop(self, *, close_log: bool = True) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        if close_log:
            self.log.close()
