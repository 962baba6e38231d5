"""A real Prometheus server for tests: temp dir, generated config, 127.0.0.1, always stopped."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx

PROMETHEUS = shutil.which("prometheus")
SKIP_REASON = "the prometheus binary is not installed (Debian package `prometheus`; .ci/run installs it)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrometheusProcess:
    def __init__(self, workdir: Path, scrape_target: str | list[str]) -> None:
        targets = [scrape_target] if isinstance(scrape_target, str) else scrape_target
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        config = workdir / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            "scrape_configs:\n"
            "  - job_name: app\n"
            f"    static_configs:\n      - targets: {targets!r}\n"
        )
        self.log = open(workdir / "prometheus.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                PROMETHEUS or "prometheus",
                f"--config.file={config}",
                f"--storage.tsdb.path={workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
        )

    def wait_until_scraped(self, samples: int = 4, deadline: float = 25.0) -> None:
        """Until the target is up and has `samples` scrapes stored, so 10s rates exist."""
        end = time.monotonic() + deadline
        with httpx.Client(base_url=self.url, timeout=2) as client:
            while time.monotonic() < end:
                if self.process.poll() is not None:
                    raise RuntimeError(f"prometheus exited: {self.tail_log()}")
                try:
                    targets = client.get("/api/v1/targets").json()["data"]["activeTargets"]
                    if targets and all(t["health"] == "up" for t in targets):
                        result = client.get("/api/v1/query", params={"query": "count_over_time(up[1m])"}).json()
                        got = result["data"]["result"]
                        if got and float(got[0]["value"][1]) >= samples:
                            return
                except (httpx.HTTPError, KeyError, ValueError):
                    pass
                time.sleep(0.2)  # waiting for an external process, not for our own code
        raise RuntimeError(f"prometheus did not scrape the target within {deadline}s: {self.tail_log()}")

    def tail_log(self) -> str:
        self.log.flush()
        return (self.workdir / "prometheus.log").read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()
