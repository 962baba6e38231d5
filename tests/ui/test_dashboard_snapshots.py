"""The whole screen during an incident, every live pane filled from real local servers, at
80x24, 120x40 and 200x60 (issue 19, item 10).

The data comes the real way: HTTP health checks against a local server, a /metrics endpoint
scraped twice, a PostgreSQL with a real lock chain (A holds a row, B waits on A, C on B), and
the official Kubernetes client against the simulated API server (app/drill/kube_api.py). What changes from run to run is
pinned, and only that, so the picture is the same on a loaded CI machine:

- each collector answers once with data that is complete (the lock chain seen whole, the pods
  listed, a rate from two scrapes) and then repeats that answer: no refresh lands mid-picture;
- every snapshot's time is AT; health latencies are fixed per check; PostgreSQL pids, backend
  start times and the durations of the chain's sessions are fixed per session (by its
  application_name), and the server-wide counts are those of the chain alone;
- Kubernetes objects are dated from pod_shapes.NOW and the collector reads its clock there;
- the incident is seeded at a fixed time with a frozen clock; automatic observations are off
  (several panes reporting at once would order the timeline by who answered first).
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

import app.collectors.kubernetes
import app.ui.live
import app.ui.panes.health
from app.collectors.base import Snapshot
from app.collectors.locktree import Backend, build_lock_tree
from app.config import Config
from app.domain.clock import FrozenClock
from app.drill import kube_objects
from app.drill.kube_api import SimulatedApiServer
from app.ui.live import PANES, build_pane
from app.ui.panes.base import LivePane
from tests.error_rates.metrics_server import AppMetrics, MetricsServer
from tests.health.health_servers import TargetServer
from tests.kubernetes.pod_shapes import NOW, pod, running, waiting
from tests.postgres.pg_cluster_support import OwnedCluster, cluster_dir
from tests.support import START, make_app, until
from tests.support.fixed_dashboard import screen_text
from tests.ui.test_incident_snapshots import _seed

AT = NOW
LATENCY_MS = {"api": 12.0, "payments": 31.0, "auth": 7.0}
# application_name -> (pid, query_s, xact_s, wait_s): the chain's sessions, pinned.
SESSIONS = {"billing-job": (4242, 312.0, 312.0, 0.0), "checkout-api": (4243, 42.0, 44.0, 42.0),
            "report-worker": (4250, 12.0, 12.0, 12.0), "admin-console": (5001, 430.0, 430.0, 0.0)}


class EveryScrapeServes(AppMetrics):
    """Each scrape of /metrics finds the same traffic since the last (880 OK, 120 errors):
    the error ratio of two scrapes is 12% however long apart they were."""

    @property  # type: ignore[override]
    def registry(self):
        if "latency" in self.__dict__:  # built: every read now is a scrape
            self.serve("200", 880)
            self.serve("500", 120)
        return self.__dict__["registry"]

    @registry.setter
    def registry(self, value) -> None:
        self.__dict__["registry"] = value


class LockChain:
    """A holds orders 1 and idles in its transaction; B waits on A, C waits on B; D idles."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.sessions: list[psycopg.Connection] = []

    def _session(self, app_name: str) -> psycopg.Connection:
        conn = psycopg.connect(self.dsn, autocommit=True, application_name=app_name)
        self.sessions.append(conn)
        return conn

    def _wait(self, conn: psycopg.Connection, statement: str) -> None:
        threading.Thread(target=lambda: _ignore_errors(conn, statement), daemon=True).start()
        with psycopg.connect(self.dsn, autocommit=True) as probe:
            for _ in range(300):
                row = probe.execute("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s",
                                    (conn.info.backend_pid,)).fetchone()
                if row and row[0]:
                    return
                threading.Event().wait(0.05)
        raise AssertionError(f"{statement!r} never waited for its lock")

    def hold(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as admin:
            admin.execute("CREATE TABLE orders (id int PRIMARY KEY, state text)")
            admin.execute("CREATE TABLE ledger (id int PRIMARY KEY, total numeric)")
            admin.execute("INSERT INTO orders VALUES (1, 'new'); INSERT INTO ledger VALUES (1, 0)")
        a, b, c, idle = (self._session(name) for name in SESSIONS)
        a.execute("BEGIN")
        a.execute("UPDATE orders SET state = 'paid' WHERE id = 1")
        b.execute("BEGIN")
        b.execute("UPDATE ledger SET total = total + 10 WHERE id = 1")
        self._wait(b, "UPDATE orders SET state = 'shipped' WHERE id = 1")
        c.execute("BEGIN")
        self._wait(c, "SELECT total FROM ledger WHERE id = 1 FOR UPDATE")
        idle.execute("BEGIN")
        idle.execute("SELECT count(*) FROM orders")

    def release(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as admin:
            pids = [conn.info.backend_pid for conn in self.sessions]
            admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (pids,))
        for conn in self.sessions:
            try:
                conn.close()
            except psycopg.Error:
                pass


def _ignore_errors(conn: psycopg.Connection, statement: str) -> None:
    try:
        conn.execute(statement)
    except psycopg.Error:
        pass  # terminated at the end of the test


@pytest.fixture(scope="module")
def servers():
    """Every target, started once for the three sizes."""
    try:
        import pgserver  # noqa: F401
    except ImportError:
        pytest.skip("pgserver is not installed: this picture needs a PostgreSQL of its own")
    health = TargetServer().start()
    metrics = MetricsServer()
    metrics.metrics = EveryScrapeServes()
    k8s = SimulatedApiServer().start()
    with cluster_dir("dashboard") as base:
        cluster = OwnedCluster(base / "data")
        chain = LockChain(cluster.dsn)
        try:
            chain.hold()
            yield {"health": health, "metrics": metrics, "k8s": k8s, "pg": cluster.dsn, "dir": base}
        finally:
            chain.release()
            cluster.stop()
            k8s.stop()
            metrics.stop()
            health.stop()


def _k8s_objects(k8s: SimulatedApiServer) -> None:
    cluster = k8s.cluster
    cluster.put("pods", pod("payments-5c6d7-qq9zt", containers=[waiting("CrashLoopBackOff", restarts=7, last_exit_ago=timedelta(minutes=3))]))
    cluster.put("pods", pod("api-7d9f8b-p9r7t", containers=[running(ready=False)], node="node-2"))
    cluster.put("pods", pod("api-7d9f8b-m8w2z", node="node-3"))
    cluster.put("pods", pod("worker-6f5b4-h2j4k", node="node-2", age=timedelta(days=3)))
    cluster.put("deployments", kube_objects.deployment("payments", desired=2, ready=1, available=1, rolled_ago=timedelta(minutes=9), now=NOW))
    cluster.put("deployments", kube_objects.deployment("api", now=NOW))
    cluster.put("events", kube_objects.warning("e1", obj="payments-5c6d7-qq9zt", count=14, ago=timedelta(minutes=1), now=NOW))
    cluster.put("events", kube_objects.warning("e2", obj="api-7d9f8b-p9r7t", reason="Unhealthy",
                                              message="Readiness probe failed: HTTP probe failed with statuscode: 503",
                                              count=6, ago=timedelta(seconds=30), now=NOW))


def config_for(servers) -> Config:
    health, metrics, k8s = servers["health"], servers["metrics"], servers["k8s"]
    kubeconfig = k8s.write_kubeconfig(servers["dir"] / "kubeconfig")
    return Config.model_validate({
        "operator": "alice", "timezone": "UTC",
        "auto_timeline": {"enabled": False},
        "health": [{"name": "api", "url": health.url("/ok"), "interval": "1h"},
                   {"name": "payments", "url": health.url("/down"), "interval": "1h"},
                   {"name": "auth", "url": health.url("/markup"), "interval": "1h"}],
        "error_rates": [{"name": "checkout 5xx", "metrics_url": metrics.url,
                         "counter": "http_requests_total", "errors": {"code": "5.."}, "warn": 0.01, "crit": 0.05,
                         "interval": "1h"}],
        "postgres": [{"name": "main", "dsn": servers["pg"], "interval": "1h", "long_running": "5s"}],
        "kubernetes": [{"name": "prod", "kubeconfig": str(kubeconfig), "namespaces": ["default"], "interval": "1h"}],
    })


# --- pinning: only what differs from run to run ------------------------------------------------
def _pin_health(snapshot: Snapshot[Any]) -> Snapshot[Any]:
    data = snapshot.data and replace(snapshot.data, latency_ms=LATENCY_MS[snapshot.name])
    return replace(snapshot, fetched_at=AT, data=data)


def _pin_backend(backend: Backend, pids: dict[int, int]) -> Backend:
    pid, query_s, xact_s, wait_s = SESSIONS[backend.application]
    return replace(backend, pid=pid, query_s=query_s, xact_s=xact_s, state_s=query_s,
                   lock_wait_s=wait_s if backend.blocked_by else None, backend_start="2025-01-10 09:00:00+00",
                   blocked_by=tuple(pids[p] for p in backend.blocked_by))


def _pin_postgres(snapshot: Snapshot[Any]) -> Snapshot[Any]:
    status = snapshot.data
    ours = {b.pid: b for b in status.backends.values() if b.application in SESSIONS}
    pids = {real: SESSIONS[b.application][0] for real, b in ours.items()}
    backends = {pids[real]: _pin_backend(b, pids) for real, b in ours.items()}
    long_running = sorted((backends[pids[b.pid]] for b in status.long_running if b.pid in pids), key=lambda b: -b.duration_s)
    by_state: dict[str, int] = {}
    for b in backends.values():
        state = "waiting" if b.blocked_by else b.state
        by_state[state] = by_state.get(state, 0) + 1
    pinned = replace(status, backends=backends, long_running=long_running, lock_tree=build_lock_tree(list(backends.values())),
                     by_state=by_state, per_database={"postgres": len(backends)}, collect_ms=5.0, roots_connected={})
    return replace(snapshot, fetched_at=AT, data=pinned)


def _complete(source: str, snapshot: Snapshot[Any]) -> bool:
    data = snapshot.data
    if snapshot.error is not None or data is None:
        return False
    if source == "errors":
        return all(row.value is not None for row in data.rows)  # a rate needs two scrapes
    if source == "postgres":
        return len(data.lock_tree.nodes) == 3 and sum(b.application in SESSIONS for b in data.backends.values()) == 4
    if source == "kubernetes":
        return len(data.pods) == 4 and len(data.events) == 2 and len(data.deployments) == 2
    return True


class Pinned:
    """A real collector that answers once it has the whole picture, pinned, then repeats it."""

    def __init__(self, real: Any, source: str) -> None:
        self.real = real
        self.source_name = source
        self.answer: Snapshot[Any] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    async def collect(self) -> Snapshot[Any]:
        if self.answer is None:
            for _ in range(200):
                snapshot = await self.real.collect()
                if _complete(self.source_name, snapshot):
                    break
                await asyncio.sleep(0.05)
            pin = {"health": _pin_health, "postgres": _pin_postgres}.get(self.source_name)
            self.answer = pin(snapshot) if pin else replace(snapshot, fetched_at=AT)
        return self.answer


@pytest.fixture
def pinned_panes(servers, monkeypatch):
    _k8s_objects(servers["k8s"])
    monkeypatch.setattr(app.collectors.kubernetes, "now_utc", lambda: NOW)
    monkeypatch.setattr(app.ui.panes.health, "now_utc", lambda: AT + timedelta(minutes=3))

    def compose(self):
        for entry in PANES:
            if entry.source.configured(self.config):  # the alerts pane has pictures of its own (tests/alerts)
                yield build_pane(entry, self.config, [Pinned(c, entry.source.name) for c in entry.source.build(self.config)])

    monkeypatch.setattr(app.ui.live.LiveArea, "compose", compose)
    return config_for(servers)


@pytest.mark.parametrize(("size", "keys"), [((80, 24), ()), ((80, 24), ("w",)), ((120, 40), ()), ((200, 60), ()),
                                             ((80, 24), ("4", "f")), ((120, 40), ("4", "slash", *"api"))],
                         ids=["80x24", "80x24-live-half", "120x40", "200x60", "80x24-pods-zoomed", "120x40-pods-filter-line"])
def test_dashboard_during_an_incident(snap_compare, tmp_path, pinned_panes, size, keys):
    """At 80 columns the halves take turns: the incident half first, `w` shows the panes.
    `4 f`: the pods pane zoomed to the whole screen; `4 / api`: its filter line, typed in."""
    db = tmp_path / "dash.db"
    _seed(db)
    app = make_app(db, FrozenClock(START + timedelta(minutes=12)), pinned_panes)

    async def filled(pilot) -> None:
        await until(pilot, lambda: app.state is not None, timeout=30)
        panes = list(app.query(LivePane))
        await until(pilot, lambda: all(len(p.latest) == len(p.collectors) for p in panes), timeout=60,
                    message="a pane never got its data")
        await asyncio.to_thread(app.session.drain)
        for key in keys:
            await pilot.press(key)
        # Settled: the flexible columns fit after the refresh that measures them, the last
        # pane grows after the layout that sizes the others. Until two frames look alike.
        shown = None
        for _ in range(40):
            await pilot.pause()
            now = screen_text(app)
            if now == shown:
                break
            shown = now

    assert snap_compare(app, terminal_size=size, run_before=filled)

