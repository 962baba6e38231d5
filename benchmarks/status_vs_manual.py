"""`warroom status` against the same checks done by hand, one after another. Prints JSON.

Cases (all by default, or those named on the command line):
- twenty: 20 local endpoints (5 slow) vs curl for each in turn;
- two_hundred_one_hanging: one status cycle over 200 endpoints with one of them hanging;
- issue_table: issue 12's own target set, 10 health checks (4 slow, 1 hung with timeout 2s)
  + a real PostgreSQL + a fake Kubernetes API serving real v1 JSON, vs curl for each URL
  (-m its timeout), psql with one query and `kubectl get pods -A`, one after another; and,
  for reference, a bare Python program that only imports httpx and waits out the hung check.
  Medians of 3 runs; a manual tool that is not installed is skipped and named.

Run: python benchmarks/status_vs_manual.py [twenty] [two_hundred_one_hanging] [issue_table]
(in the project's venv)
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import os
import shutil
import statistics
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


def time_status(config: Path) -> tuple[float, int, str]:
    """Wall seconds, exit code and the last line (`overall: ...`, or the error)."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "app", "status", "--config", str(config)],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    wall = time.perf_counter() - started
    lines = result.stdout.strip().splitlines() or [result.stderr.strip()[-300:]]
    return wall, result.returncode, lines[-1]


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


def http_only(cases: list[str]) -> dict:
    server = TargetServer().start()
    figures: dict = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            if "twenty" in cases:
                figures["twenty"] = twenty(server, Path(tmp))
            if "two_hundred_one_hanging" in cases:
                figures["two_hundred_one_hanging"] = two_hundred(server, Path(tmp))
    finally:
        server.stop()
    return figures


def twenty(server: TargetServer, tmp: Path) -> dict:
    checks = endpoints(server, 20, slow_every=4)  # 5 of 20 take 0.5 s
    status_s, rc, _ = time_status(write_config(tmp, checks))
    figures = {
        "endpoints": 20,
        "slow_endpoints": 5,
        "slow_seconds": SLOW_SECONDS,
        "warroom_status_s": round(status_s, 3),
        "warroom_exit_code": rc,
    }
    if shutil.which("curl"):
        curl_s = time_curl(checks)
        figures["curl_sequential_s"] = round(curl_s, 3)
        figures["speedup"] = round(curl_s / status_s, 2)
        figures["vs_manual"] = round(status_s / curl_s, 2)
    figures["goal"] = f"<= slowest check + 0.3 s ({SLOW_SECONDS + 0.3:g} s) and <= 0.5 x the checks one by one"
    figures["met"] = status_s <= SLOW_SECONDS + 0.3 and figures.get("vs_manual", 0) <= 0.5
    return figures


def two_hundred(server: TargetServer, tmp: Path) -> dict:
    many = endpoints(server, 200, slow_every=20, hang=True)
    status_s, rc, _ = time_status(write_config(tmp, many))
    return {
        "hang_timeout_s": HANG_TIMEOUT,
        "warroom_status_s": round(status_s, 3),
        "warroom_exit_code": rc,
        "in_process_cycle": asyncio.run(cycle(many)),
        "goal": f"<= the hung check's timeout + 0.3 s ({HANG_TIMEOUT + 0.3:g} s)",
        "met": status_s <= HANG_TIMEOUT + 0.3,
    }


# --- issue_table: issue 12's own target set ---------------------------------------------
ISSUE_HANG_TIMEOUT = 2
ISSUE_PODS = 40
RUNS = 3


@contextlib.contextmanager
def postgres_dsn(tmp: Path):
    """WARROOM_TEST_DSN when set, else a pgserver cluster of our own for the run."""
    dsn = os.environ.get("WARROOM_TEST_DSN")
    if dsn:
        yield dsn
        return
    from app.drill.postgres import LocalPostgres

    tmp.chmod(0o755)  # postgres runs as another OS user when we are root
    cluster = LocalPostgres(tmp / "pgdata")
    try:
        yield cluster.dsn
    finally:
        cluster.shut_down(remove=True)


@contextlib.contextmanager
def kubernetes_api(tmp: Path):
    """A fake API server with a few dozen pods in every shape kubectl distinguishes; its kubeconfig."""
    from app.drill.kube_api import SimulatedApiServer
    from tests.kubernetes.pod_shapes import SHAPES

    server = SimulatedApiServer()
    for i in range(ISSUE_PODS):
        obj = copy.deepcopy(SHAPES[i % len(SHAPES)][0])
        obj["metadata"].update(name=f"{obj['metadata']['name']}-{i:02d}", namespace=f"team-{i % 4}", uid=f"uid-{i:02d}")
        server.cluster.put("pods", obj)
    server.start()
    try:
        yield server.write_kubeconfig(tmp / "kubeconfig")
    finally:
        server.stop()


def issue_checks(server: TargetServer) -> list[dict]:
    slow = [{"name": f"slow{i}", "url": server.url(f"/slow?s={SLOW_SECONDS}"), "timeout": "5s"} for i in range(4)]
    ok = [{"name": f"ok{i}", "url": server.url("/ok"), "timeout": "5s"} for i in range(5)]
    return [*ok[:3], *slow, {"name": "hung", "url": server.url("/hang"), "timeout": f"{ISSUE_HANG_TIMEOUT}s"}, *ok[3:]]


def manual_commands(checks: list[dict], dsn: str, kubeconfig: Path) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """What an engineer would type, one after another; and the tools that are not installed."""
    commands, skipped = [], []
    if curl := shutil.which("curl"):
        for check in checks:
            commands.append(("curl", [curl, "-s", "-o", "/dev/null", "-m", check["timeout"].rstrip("s"), check["url"]]))
    else:
        skipped.append("curl")
    if psql := shutil.which("psql"):
        commands.append(("psql", [psql, "-X", "-A", "-t", "-c", "select count(*) from pg_stat_activity", dsn]))
    else:
        skipped.append("psql")
    if kubectl := shutil.which("kubectl"):
        commands.append(("kubectl", [kubectl, "--kubeconfig", str(kubeconfig), "get", "pods", "-A"]))
    else:
        skipped.append("kubectl")
    return commands, skipped


def time_manual(commands: list[tuple[str, list[str]]]) -> dict[str, float]:
    """Seconds per tool (curl: all its URLs together), the commands run strictly in turn."""
    spent: dict[str, float] = {}
    for tool, command in commands:
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, timeout=60)  # curl -m on /hang exits 28: expected
        spent[tool] = spent.get(tool, 0.0) + time.perf_counter() - started
    return spent


# The least a Python program using httpx (warroom's HTTP client) takes to report the hung
# check: start the interpreter, import httpx, make a client, wait out the timeout, exit.
HTTPX_FLOOR = """
import sys, httpx
try:
    httpx.get(sys.argv[1], timeout=float(sys.argv[2]))
except httpx.TimeoutException:
    pass
"""


def time_httpx_floor(hung: dict) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", HTTPX_FLOOR, hung["url"], hung["timeout"].rstrip("s")], check=True, capture_output=True)
    return time.perf_counter() - started


def alternate(config: Path, commands: list[tuple[str, list[str]]], hung: dict) -> tuple[list[tuple[float, int, str]], list[dict], list[float]]:
    """RUNS of each, alternating which goes first, after one warm-up of each that is not
    counted (.pyc files, kubectl's discovery cache, the servers' first connections)."""
    time_status(config)
    time_manual(commands)
    time_httpx_floor(hung)
    status_runs, manual_runs, floor_runs = [], [], []
    for i in range(RUNS):
        for which in ("status", "manual", "floor") if i % 2 == 0 else ("floor", "manual", "status"):
            if which == "status":
                status_runs.append(time_status(config))
            elif which == "manual":
                manual_runs.append(time_manual(commands))
            else:
                floor_runs.append(time_httpx_floor(hung))
    return status_runs, manual_runs, floor_runs


def issue_table() -> dict:
    server = TargetServer().start()
    try:
        with tempfile.TemporaryDirectory() as name:
            tmp = Path(name)
            with postgres_dsn(tmp) as dsn, kubernetes_api(tmp) as kubeconfig:
                checks = issue_checks(server)
                config = tmp / "issue.yaml"
                config.write_text(json.dumps({  # JSON is YAML
                    "health": checks,
                    "postgres": [{"name": "main", "dsn": dsn}],
                    "kubernetes": [{"name": "prod", "kubeconfig": str(kubeconfig)}],
                }), encoding="utf-8")
                commands, skipped = manual_commands(checks, dsn, kubeconfig)
                status_runs, manual_runs, floor_runs = alternate(config, commands, next(c for c in checks if c["name"] == "hung"))
    finally:
        server.stop()
    status_s = statistics.median(wall for wall, _, _ in status_runs)
    manual_s = statistics.median(sum(run.values()) for run in manual_runs)
    floor_s = statistics.median(floor_runs)
    limit = ISSUE_HANG_TIMEOUT + 0.3
    ratio = status_s / manual_s if manual_s else None
    _, rc, overall = status_runs[-1]
    return {
        "targets": {"health_checks": len(checks), "slow": 4, "slow_seconds": SLOW_SECONDS, "hung": 1,
                    "hung_timeout_s": ISSUE_HANG_TIMEOUT, "postgres": 1, "kubernetes": 1, "pods": ISSUE_PODS},
        "warroom_status_s": round(status_s, 3),
        "warroom_runs_s": [round(wall, 3) for wall, _, _ in status_runs],
        "warroom_exit_code": rc,  # 2 (CRITICAL): the hung check, and the pods in failing shapes
        "warroom_overall": overall,
        "manual_sequential_s": round(manual_s, 3),
        "manual_runs_s": [round(sum(run.values()), 3) for run in manual_runs],
        "manual_by_tool_s": {tool: round(statistics.median(run[tool] for run in manual_runs), 3) for tool in manual_runs[0]},
        "manual_skipped": [f"{tool} not installed" for tool in skipped],
        "vs_manual": round(ratio, 2) if ratio is not None else None,
        # No `warroom status` can wait less than the hung check's timeout: the ratio it would
        # reach if starting and exiting cost nothing.
        "vs_manual_zero_overhead": round(ISSUE_HANG_TIMEOUT / manual_s, 2) if manual_s else None,
        # The least any Python program with httpx takes for the hung check alone (HTTPX_FLOOR):
        # a goal below it is out of reach for a Python tool built on httpx.
        "httpx_floor_s": round(floor_s, 3),
        "httpx_floor_runs_s": [round(wall, 3) for wall in floor_runs],
        "httpx_floor_vs_manual": round(floor_s / manual_s, 2) if manual_s else None,
        "goal": f"<= hung timeout + 0.3 s ({limit:g} s) and <= 0.5 x manual",
        "met": status_s <= limit and ratio is not None and ratio <= 0.5,
    }


def main() -> None:
    known = ["twenty", "two_hundred_one_hanging", "issue_table"]
    cases = sys.argv[1:] or known
    if unknown := set(cases) - set(known):
        raise SystemExit(f"unknown case {sorted(unknown)[0]!r} (known: {', '.join(known)})")
    figures: dict = {}
    if {"twenty", "two_hundred_one_hanging"} & set(cases):
        figures.update(http_only(cases))
    if "issue_table" in cases:
        figures["issue_table"] = issue_table()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
