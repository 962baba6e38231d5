"""`warroom status` over 20 local endpoints (some slow) vs the same checks one by one with curl;
then one status cycle over 200 endpoints with one of them hanging. Prints JSON.

Run: python benchmarks/status_vs_manual.py   (in the project's venv)
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.collectors.health import build  # noqa: E402
from app.config import Config  # noqa: E402
from tests.health.health_servers import TargetServer  # noqa: E402

SLOW_SECONDS = 0.5
HANG_TIMEOUT = 3


def endpoints(server: TargetServer, count: int, slow_every: int, hang: bool = False) -> list[dict]:
    checks = []
    for i in range(count):
        path = f"/slow?s={SLOW_SECONDS}" if slow_every and i % slow_every == 0 else "/ok"
        checks.append({"name": f"ep{i:03d}", "url": server.url(path), "timeout": "5s"})
    if hang:
        checks[-1] = {"name": "hung", "url": server.url("/hang"), "timeout": f"{HANG_TIMEOUT}s"}
    return checks


def write_config(directory: Path, checks: list[dict]) -> Path:
    path = directory / "bench.yaml"
    path.write_text(json.dumps({"health": checks}), encoding="utf-8")  # JSON is YAML
    return path


def time_status(config: Path) -> tuple[float, int]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "app", "status", "--config", str(config)], capture_output=True, cwd=ROOT, timeout=120)
    return time.perf_counter() - started, result.returncode


def time_curl(checks: list[dict]) -> float:
    curl = shutil.which("curl")
    started = time.perf_counter()
    for check in checks:
        subprocess.run([curl, "-s", "-o", "/dev/null", "-m", "5", "-w", "%{http_code}", check["url"]], capture_output=True, timeout=30)
    return time.perf_counter() - started


async def cycle(checks: list[dict]) -> dict:
    """One in-process cycle as the TUI runs it: every collector at once on one event loop."""
    collectors = build(Config.model_validate({"health": checks}))
    done: list[float] = []
    started = time.perf_counter()

    async def one(collector):
        snapshot = await collector.collect()
        done.append(time.perf_counter() - started)
        return snapshot

    snapshots = await asyncio.gather(*(one(c) for c in collectors))
    for collector in collectors:
        await collector.aclose()
    ordered = sorted(done)
    return {
        "endpoints": len(checks),
        "all_but_slowest_s": round(ordered[-2], 3),
        "cycle_s": round(ordered[-1], 3),
        "levels": {lv: sum(1 for s in snapshots if s.level.word == lv) for lv in ("OK", "WARN", "CRIT", "UNKNOWN")},
    }


def main() -> None:
    server = TargetServer().start()
    figures: dict = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            twenty = endpoints(server, 20, slow_every=4)  # 5 of 20 take 0.5 s
            status_s, rc = time_status(write_config(Path(tmp), twenty))
            figures["twenty"] = {
                "endpoints": 20,
                "slow_endpoints": 5,
                "slow_seconds": SLOW_SECONDS,
                "warroom_status_s": round(status_s, 3),
                "warroom_exit_code": rc,
            }
            if shutil.which("curl"):
                curl_s = time_curl(twenty)
                figures["twenty"]["curl_sequential_s"] = round(curl_s, 3)
                figures["twenty"]["speedup"] = round(curl_s / status_s, 2)
                figures["twenty"]["vs_manual"] = round(status_s / curl_s, 2)
            figures["twenty"]["goal"] = f"<= slowest check + 0.3 s ({SLOW_SECONDS + 0.3:g} s) and <= 0.5 x the checks one by one"
            figures["twenty"]["met"] = status_s <= SLOW_SECONDS + 0.3 and figures["twenty"].get("vs_manual", 0) <= 0.5
            many = endpoints(server, 200, slow_every=20, hang=True)
            status_s, rc = time_status(write_config(Path(tmp), many))
            figures["two_hundred_one_hanging"] = {
                "hang_timeout_s": HANG_TIMEOUT,
                "warroom_status_s": round(status_s, 3),
                "warroom_exit_code": rc,
                "in_process_cycle": asyncio.run(cycle(many)),
                "goal": f"<= the hung check's timeout + 0.3 s ({HANG_TIMEOUT + 0.3:g} s)",
                "met": status_s <= HANG_TIMEOUT + 0.3,
            }
    finally:
        server.stop()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
