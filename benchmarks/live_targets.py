"""Start real local targets for every live pane, write a warroom config naming them, wait.

    python benchmarks/live_targets.py [--dir DIR]

Starts, all on 127.0.0.1:
- HTTP health endpoints: one healthy (JSON), one answering 503, one that hangs, one slow;
- a /metrics endpoint whose 5xx counter keeps moving (about 10-13 % errors);
- a PostgreSQL (pgserver, or $WARROOM_TEST_DSN) with a real lock chain held open
  (A holds a row lock, B waits on A, C waits on B) and one idle-in-transaction session;
- a fake Kubernetes API serving pods in several shapes (Running, CrashLoopBackOff, Pending,
  OOMKilled, ...), a deployment and Warning events, named in a temp kubeconfig.

Prints the path of the config it wrote, then one JSON line describing what it started,
and keeps everything up until Ctrl+C. Then:

    warroom --config <printed path> --store sqlite:////tmp/look.db

(`warroom demo` runs a moving drill of its own; this keeps a fixed set of shapes up for a look.)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `tests.*` when run as a script

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from tests.error_rates.metrics_server import MetricsServer, TrafficGenerator  # noqa: E402
from tests.health.health_servers import TargetServer  # noqa: E402
from app.drill.kube_api import SimulatedApiServer  # noqa: E402
from app.drill.kube_objects import deployment, running, terminated, waiting, warning  # noqa: E402
from tests.kubernetes.pod_shapes import pod  # noqa: E402
from tests.postgres.pg_cluster_support import OwnedCluster  # noqa: E402

M = timedelta(minutes=1)


# --- HTTP health + /metrics ------------------------------------------------------------
def start_http() -> tuple[TargetServer, MetricsServer, TrafficGenerator]:
    health = TargetServer().start()
    metrics = MetricsServer()
    traffic = TrafficGenerator(metrics, period=0.2).start()
    return health, metrics, traffic


def health_config(health: TargetServer) -> list[dict]:
    return [
        {"name": "api", "url": health.url("/ok"), "interval": "5s",
         "body": [{"path": "status", "in": ["UP"]}]},
        {"name": "payments", "url": health.url("/down"), "interval": "5s"},
        {"name": "search", "url": health.url("/hang"), "timeout": "3s", "interval": "5s"},
        {"name": "reports", "url": health.url("/slow?s=1.5"), "timeout": "4s", "interval": "5s",
         "latency_warn": "1s", "latency_crit": "3s"},
    ]


# --- PostgreSQL -------------------------------------------------------------------------
class Database:
    """A real server with a lock chain (A <- B <- C) and an idle-in-transaction session held open."""

    def __init__(self, workdir: Path) -> None:
        self.cluster: OwnedCluster | None = None
        self.sessions: list[psycopg.Connection] = []
        self.waiters: list[threading.Thread] = []
        dsn = os.environ.get("WARROOM_TEST_DSN")
        if not dsn:
            workdir.chmod(0o755)  # postgres runs as another OS user when we are root
            self.cluster = OwnedCluster(workdir / "pgdata")
            dsn = self.cluster.dsn
        self.dsn = dsn

    def _session(self, app: str) -> psycopg.Connection:
        conn = psycopg.connect(self.dsn, autocommit=True, application_name=app)
        self.sessions.append(conn)
        return conn

    def hold_locks(self) -> dict[str, int]:
        with psycopg.connect(self.dsn, autocommit=True) as admin:
            admin.execute("DROP TABLE IF EXISTS orders, ledger")
            admin.execute("CREATE TABLE orders (id int PRIMARY KEY, state text)")
            admin.execute("CREATE TABLE ledger (id int PRIMARY KEY, total numeric)")
            admin.execute("INSERT INTO orders VALUES (1, 'new'), (2, 'new')")
            admin.execute("INSERT INTO ledger VALUES (1, 0)")
        a, b, c, idle = (self._session(n) for n in ("billing-job", "checkout-api", "report-worker", "admin-console"))
        # A: holds the row lock on orders 1 and sits there (idle in transaction, the root).
        a.execute("BEGIN")
        a.execute("UPDATE orders SET state = 'paid' WHERE id = 1")
        # B: takes ledger 1, then waits for orders 1 (held by A).
        b.execute("BEGIN")
        b.execute("UPDATE ledger SET total = total + 10 WHERE id = 1")
        self._wait_in_thread(b, "UPDATE orders SET state = 'shipped' WHERE id = 1")
        self._until_waiting(b)
        # C: waits for ledger 1 (held by B), so C waits on B waits on A.
        c.execute("BEGIN")
        self._wait_in_thread(c, "SELECT total FROM ledger WHERE id = 1 FOR UPDATE")
        self._until_waiting(c)
        # An unrelated session left idle in transaction after a read.
        idle.execute("BEGIN")
        idle.execute("SELECT count(*) FROM orders")
        return {"root": a.info.backend_pid, "waits_on_root": b.info.backend_pid,
                "waits_on_waiter": c.info.backend_pid, "idle_in_transaction": idle.info.backend_pid}

    def _wait_in_thread(self, conn: psycopg.Connection, statement: str) -> None:
        def run() -> None:
            with contextlib.suppress(psycopg.Error):  # ends when we terminate it at exit
                conn.execute(statement)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.waiters.append(thread)

    def _until_waiting(self, conn: psycopg.Connection, timeout: float = 15.0) -> None:
        pid = conn.info.backend_pid
        with psycopg.connect(self.dsn, autocommit=True) as probe:
            for _ in range(int(timeout / 0.05)):
                row = probe.execute("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
                if row and row[0]:
                    return
                threading.Event().wait(0.05)
        raise RuntimeError(f"backend {pid} never started waiting for its lock")

    def stop(self) -> None:
        pids = [s.info.backend_pid for s in self.sessions if not s.closed]
        with contextlib.suppress(psycopg.Error), psycopg.connect(self.dsn, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (pids,))
            admin.execute(sql.SQL("DROP TABLE IF EXISTS orders, ledger"))
        for thread in self.waiters:
            thread.join(5)
        for conn in self.sessions:
            with contextlib.suppress(psycopg.Error):
                conn.close()
        if self.cluster is not None:
            # pg_ctl stop, not pgserver's handle count: that can outlive a killed run.
            self.cluster.stop()


# --- Kubernetes -------------------------------------------------------------------------
def start_kubernetes(workdir: Path) -> tuple[SimulatedApiServer, Path, list[str]]:
    server = SimulatedApiServer().start()
    now = datetime.now(UTC)
    pods = [
        pod("api-7d9f8b-x2k4q", now=now),
        pod("api-7d9f8b-m8w2z", now=now),
        pod("api-7d9f8b-p9r7t", now=now, containers=[running(restarts=2, last_exit_ago=4 * M)]),
        pod("payments-5c6d7-qq9zt", now=now, age=timedelta(minutes=40), labels={"app": "payments"},
            containers=[waiting("CrashLoopBackOff", restarts=7, last_exit_ago=2 * M, message="back-off 5m0s")]),
        pod("worker-6f5b4-oom12", now=now, labels={"app": "worker"},
            containers=[terminated("OOMKilled", 137, restarts=3, finished_ago=M)]),
        pod("search-84c2-pending", now=now, phase="Pending", containers=[], node="", spec_containers=1,
            age=timedelta(minutes=9), labels={"app": "search"},
            conditions=[{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]),
        pod("migrate-db-x7k2", now=now, phase="Succeeded", containers=[terminated("Completed", 0)], labels={"app": "migrate"}),
    ]
    for obj in pods:
        server.cluster.put("pods", obj)
    server.cluster.put("deployments", deployment("api", desired=3, rolled_ago=12 * M))
    server.cluster.put("deployments", deployment("payments", desired=2, updated=2, ready=1, available=1,
                                                 rolled_ago=3 * M, labels={"app": "payments"}))
    server.cluster.put("events", warning("payments-backoff", obj="payments-5c6d7-qq9zt", count=14))
    server.cluster.put("events", warning("search-unschedulable", obj="search-84c2-pending", reason="FailedScheduling",
                                         message="0/3 nodes are available: 3 Insufficient memory.", count=5))
    kubeconfig = server.write_kubeconfig(workdir / "kubeconfig")
    return server, kubeconfig, [p["metadata"]["name"] for p in pods]


# --- the config -------------------------------------------------------------------------
def write_config(path: Path, *, health: TargetServer, metrics: MetricsServer, dsn: str, kubeconfig: Path) -> None:
    config = {
        "health": health_config(health),
        "error_rates": [
            {"name": "checkout 5xx", "metrics_url": metrics.url, "counter": "http_requests_total",
             "errors": {"code": "5.."}, "warn": 0.01, "crit": 0.05, "interval": "5s"},
        ],
        "postgres": [
            {"name": "main", "dsn": dsn, "interval": "3s", "long_running": "5s"},
        ],
        "kubernetes": [
            {"name": "local", "kubeconfig": str(kubeconfig), "namespaces": ["default"]},
        ],
    }
    # JSON is YAML: no quoting surprises in DSNs or URLs.
    path.write_text(json.dumps(config, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="where to write the config and kubeconfig (default: a temp dir)")
    args = parser.parse_args(argv)
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="warroom-live-"))
    workdir.mkdir(parents=True, exist_ok=True)

    stopping = threading.Event()
    # Both set explicitly: a shell starting us in the background leaves SIGINT ignored.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    started: list = []
    try:
        health, metrics, traffic = start_http()
        started += [health.stop, metrics.stop, traffic.stop]
        database = Database(workdir)
        started.append(database.stop)
        pids = database.hold_locks()
        k8s, kubeconfig, pod_names = start_kubernetes(workdir)
        started.append(k8s.stop)
        config_path = workdir / "warroom.yaml"
        write_config(config_path, health=health, metrics=metrics, dsn=database.dsn, kubeconfig=kubeconfig)

        print(config_path, flush=True)
        print(json.dumps({
            "config": str(config_path),
            "health": {"base": health.base, "api": "/ok", "payments": "/down (503)", "search": "/hang", "reports": "/slow 1.5 s"},
            "metrics": metrics.url,
            "postgres": {"dsn": database.dsn.split("@")[-1], "pids": pids},
            "kubernetes": {"api": k8s.url, "kubeconfig": str(kubeconfig), "pods": pod_names},
        }), flush=True)
        while not stopping.wait(0.5):  # wakes up for the signal handler
            pass
    finally:
        for stop in reversed(started):
            with contextlib.suppress(Exception):
                stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
