"""What watching a database costs the database: warroom vs pg_activity, side by side.

Starts its own PostgreSQL (system binaries, pg_stat_statements preloaded, max_connections 600),
opens 500 idle client connections plus a small lock chain, then:

1. collect time: warroom's refresh (one statement) timed N times with 500 connections;
2. overhead: warroom's collector and pg_activity (run headless inside tmux, from its own venv)
   watch the same database at the same interval for DURATION seconds, each as its own role,
   so pg_stat_statements attributes statements per role; backend CPU is read from
   /proc/<backend pid>/stat (utime + stime) of each client's own backend(s).

Prints JSON. Usage: python benchmarks/postgres_overhead.py [--duration 60] [--interval 2]
    [--pg-activity /tmp/pgact-venv/bin/pg_activity] [--bindir /usr/lib/postgresql/15/bin]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.collectors.postgres import PostgresCollector  # noqa: E402
from app.config.postgres import PostgresTarget  # noqa: E402

PORT = 55499
TICKS = os.sysconf("SC_CLK_TCK")
RUN_AS = "postgres" if os.geteuid() == 0 else None


def _run(cmd: list[str], **kw) -> None:
    subprocess.run(cmd, check=True, user=RUN_AS, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def start_cluster(bindir: Path, base: Path) -> str:
    data = base / "data"
    _run([str(bindir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres", "--no-sync"])
    with open(data / "postgresql.conf", "a") as conf:
        conf.write(
            f"listen_addresses = ''\nport = {PORT}\nunix_socket_directories = '{base}'\n"
            "max_connections = 600\nshared_preload_libraries = 'pg_stat_statements'\n"
            "pg_stat_statements.track = 'top'\nfsync = off\n"
        )
    _run([str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"), "start"])
    return f"host={base} port={PORT} dbname=postgres user=postgres"


def stop_cluster(bindir: Path, base: Path) -> None:
    subprocess.run([str(bindir / "pg_ctl"), "-D", str(base / "data"), "-m", "immediate", "stop"],
                   user=RUN_AS, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return total / TICKS


def backends_of(admin: psycopg.Connection, role: str) -> list[int]:
    rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE usename = %s", (role,)).fetchall()
    return [r[0] for r in rows]


def statements_of(admin: psycopg.Connection, role: str) -> int:
    row = admin.execute(
        "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = %s",
        (role,),
    ).fetchone()
    return int(row[0])


class CpuSampler:
    """Backend CPU per role, sampled every second: survives a client reconnecting (new pid)."""

    def __init__(self, admin: psycopg.Connection, roles: list[str]) -> None:
        self.admin, self.roles = admin, roles
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.role_of: dict[int, str] = {}

    def sample(self, baseline: bool = False) -> None:
        for role in self.roles:
            for pid in backends_of(self.admin, role):
                value = cpu_seconds([pid])
                # a backend born during the run started from zero
                self.first.setdefault(pid, value if baseline else 0.0)
                self.last[pid] = value
                self.role_of[pid] = role

    def total(self, role: str) -> float:
        return sum(self.last[p] - self.first[p] for p in self.last if self.role_of[p] == role)

    def pids(self, role: str) -> list[int]:
        return [p for p in self.last if self.role_of[p] == role]


async def time_collect(dsn: str, runs: int) -> dict:
    collector = PostgresCollector(PostgresTarget(name="bench", dsn=dsn))
    await collector.collect()  # connect
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        snap = await collector.collect()
        times.append((time.perf_counter() - t) * 1000)
        assert snap.error is None, snap.error
    await collector.aclose()
    times.sort()
    return {"runs": runs, "connections_seen": snap.data.total, "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(0.95 * (runs - 1))], 2), "max_ms": round(times[-1], 2)}


async def watch_with_warroom(dsn: str, interval: float, duration: float, ready: asyncio.Event, holder: dict) -> None:
    collector = PostgresCollector(PostgresTarget(name="bench", dsn=dsn, interval=interval))
    await collector.collect()  # connect before measuring
    holder["pid"] = collector.backend_pid
    ready.set()
    await holder["go"].wait()
    deadline = time.monotonic() + duration
    refreshes = 0
    while time.monotonic() < deadline:
        snap = await collector.collect()
        refreshes += snap.error is None
        await asyncio.sleep(interval)
    holder["refreshes"] = refreshes
    await collector.aclose()


async def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--interval", type=float, default=2)
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--pg-activity", default="/tmp/pgact-venv/bin/pg_activity")
    parser.add_argument("--bindir", default="/usr/lib/postgresql/15/bin")
    args = parser.parse_args()
    bindir = Path(args.bindir)
    base = Path(tempfile.mkdtemp(prefix="warroom-bench-pg-"))
    base.chmod(0o777)
    if RUN_AS:
        shutil.chown(base, RUN_AS)
    result: dict = {"server": None, "interval_s": args.interval, "duration_s": args.duration}
    idle: list[psycopg.Connection] = []
    tmux_session = f"pgact-bench-{os.getpid()}"
    try:
        dsn = start_cluster(bindir, base)
        admin = psycopg.connect(dsn, autocommit=True)
        result["server"] = admin.execute("SHOW server_version").fetchone()[0]
        admin.execute("CREATE EXTENSION pg_stat_statements")
        for role in ("warroom_bench", "pgact_bench"):
            admin.execute(psycopg.sql.SQL("CREATE ROLE {} LOGIN IN ROLE pg_monitor").format(psycopg.sql.Identifier(role)))
        admin.execute("CREATE TABLE bench_lock (id int)")
        idle = [psycopg.connect(dsn, application_name="bench-idle") for _ in range(args.connections)]
        # a small real lock chain so both tools have something to show
        idle[0].execute("BEGIN"); idle[0].execute("LOCK TABLE bench_lock IN ACCESS EXCLUSIVE MODE")
        idle[1].execute("BEGIN"); idle[1].execute("SET statement_timeout = 0")
        waiter = subprocess.Popen(["psql", dsn, "-c", "SELECT count(*) FROM bench_lock"], user=RUN_AS,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wr_dsn = dsn.replace("user=postgres", "user=warroom_bench")
        result["collect_time_with_connections"] = {"connections": args.connections, **await time_collect(wr_dsn, 50)}

        pgact = Path(args.pg_activity)
        have_pgact = pgact.exists() and shutil.which("tmux")
        if have_pgact:
            subprocess.run(["tmux", "new-session", "-d", "-s", tmux_session, "-x", "200", "-y", "50",
                            f"{pgact} --refresh {args.interval:g} --no-db-size --no-tempfiles "
                            f"-h {base} -p {PORT} -U pgact_bench -d postgres"], check=True)
        ready, holder = asyncio.Event(), {"go": asyncio.Event()}
        task = asyncio.create_task(watch_with_warroom(wr_dsn, args.interval, args.duration, ready, holder))
        await ready.wait()
        deadline = time.monotonic() + 20
        while have_pgact and not backends_of(admin, "pgact_bench") and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await asyncio.sleep(args.interval * 2)  # pg_activity's start-up queries are not steady state
        admin.execute("SELECT pg_stat_statements_reset()")
        sampler = CpuSampler(admin, ["warroom_bench", "pgact_bench"])
        sampler.sample(baseline=True)
        started = time.monotonic()
        holder["go"].set()
        while not task.done():
            await asyncio.sleep(1.0)
            if not task.done():
                sampler.sample()
        await task
        elapsed = time.monotonic() - started
        wr_pids, pa_pids = sampler.pids("warroom_bench"), sampler.pids("pgact_bench")
        pa_refreshes = elapsed / args.interval
        screen = ""
        if have_pgact:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", tmux_session], capture_output=True, text=True).stdout
        per_min = 60.0 / elapsed
        wr = {"role": "warroom_bench", "backends": len(wr_pids), "refreshes": holder["refreshes"],
              "statements": statements_of(admin, "warroom_bench"),
              "backend_cpu_s_per_min": round(sampler.total("warroom_bench") * per_min, 3)}
        wr["queries_per_refresh"] = round(wr["statements"] / max(1, wr["refreshes"]), 2)
        result["warroom"] = wr
        if have_pgact and pa_pids:
            pa = {"role": "pgact_bench", "backends": len(pa_pids), "refreshes_estimated": round(pa_refreshes, 1),
                  "statements": statements_of(admin, "pgact_bench"),
                  "backend_cpu_s_per_min": round(sampler.total("pgact_bench") * per_min, 3),
                  "screen_first_line": screen.strip().splitlines()[0] if screen.strip() else ""}
            pa["queries_per_refresh"] = round(pa["statements"] / max(1, pa_refreshes), 2)
            result["pg_activity"] = pa
            result["ratio_pg_activity_over_warroom"] = {
                "queries_per_refresh": round(pa["queries_per_refresh"] / max(wr["queries_per_refresh"], 1e-9), 2),
                "backend_cpu": round(pa["backend_cpu_s_per_min"] / max(wr["backend_cpu_s_per_min"], 1e-3), 2),
            }
        else:
            result["pg_activity"] = "not measured: pg_activity or tmux not found (install into /tmp/pgact-venv)"
        waiter.kill()
    finally:
        if shutil.which("tmux"):
            subprocess.run(["tmux", "kill-session", "-t", tmux_session], stderr=subprocess.DEVNULL)
        for conn in idle:
            conn.close()
        stop_cluster(bindir, base)
        shutil.rmtree(base, ignore_errors=True)
    return result


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), indent=2))
