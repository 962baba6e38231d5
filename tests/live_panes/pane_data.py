"""Fixed snapshots for each live pane: what a bad morning looks like, at one fixed time."""

from __future__ import annotations

from datetime import timedelta

from app.collectors.base import Level, Snapshot
from app.collectors.error_rates.model import ErrorRateData, ErrorRateRow
from app.collectors.health import HealthResult
from app.collectors.k8s_records import DeploymentRow, EventRow, compact_pod, pod_row
from app.collectors.kubernetes import KubeView
from app.collectors.locktree import Backend, build_lock_tree
from app.collectors.postgres import PostgresStatus
from app.config.postgres import PostgresTarget
from tests.kubernetes.pod_shapes import NOW, pod, running, waiting
from tests.support.fixed import FixedCollector

AT = NOW  # every snapshot was fetched then; panes that show ages see NOW + AGES_SEEN
AGES_SEEN = timedelta(minutes=3)


def health() -> list[FixedCollector[HealthResult]]:
    results = [
        ("api", HealthResult("https://api.example/health", Level.OK, 200, "200 OK", 12.4)),
        ("payments", HealthResult("https://pay.example/health", Level.CRIT, 503, "503 Service Unavailable", 48.0,
                                  error="503 Service Unavailable")),
        ("search", HealthResult("https://search.example/health", Level.WARN, 200, "200 OK", 812.0,
                                error="slow: 812 ms (warn above 500 ms)")),
        ("auth", HealthResult("https://auth.example/health", Level.CRIT, None, None, None,
                              error="DNS failure: cannot resolve auth.example")),
    ]
    return [FixedCollector(Snapshot("health", name, AT, result.level, None, result)) for name, result in results]


def error_rates() -> list[FixedCollector[ErrorRateData]]:
    checkout = ErrorRateData("ratio", 0.01, 0.05, "http://checkout:9100/metrics", 'http_requests_total{code=~"5.."}', (
        ErrorRateRow("", "", 0.123, Level.CRIT, None, (0.004, 0.006, 0.02, 0.05, 0.09, 0.11, 0.123)),))
    by_code = ErrorRateData("per_second", 1.0, 5.0, "http://prometheus:9090", "sum by (code) (rate(x[1m]))", tuple(
        ErrorRateRow(f'{{code="{code}"}}', f'{{code="{code}"}}', value, level, None, history)
        for code, value, level, history in (
            ("200", 45.0, Level.CRIT, (44.0, 46.0, 45.0)),
            ("500", 2.5, Level.WARN, (0.1, 1.2, 2.5)),
            ("503", 0.4, Level.OK, (0.0, 0.2, 0.4)),
        )))
    payments = ErrorRateData("ratio", 0.01, 0.05, "http://prometheus:9090", "sum(rate(pay_errors[5m]))", (
        ErrorRateRow("", "", None, Level.UNKNOWN, "no data"),))
    return [
        FixedCollector(Snapshot("errors", "checkout 5xx", AT, Level.CRIT, None, checkout)),
        FixedCollector(Snapshot("errors", "requests by code", AT, Level.CRIT, None, by_code)),
        FixedCollector(Snapshot("errors", "payments", AT, Level.UNKNOWN, None, payments)),
    ]


def _backend(pid: int, **kw) -> Backend:
    fields = dict(user="app", database="shop", application="checkout", client="10.0.0.7:51000", state="active",
                  wait_event_type="", wait_event="", query="SELECT 1", backend_start="2025-01-10 09:00:00+00")
    fields.update(kw)
    return Backend(pid, **fields)


def postgres() -> list[FixedCollector[PostgresStatus]]:
    root = _backend(4242, user="alice", application="psql", state="idle in transaction", query_s=310.0, xact_s=312.0,
                    state_s=300.0, query="UPDATE orders SET status = 'paid' WHERE id = 1")
    waiter = _backend(4243, wait_event_type="Lock", wait_event="transactionid", query_s=42.0, xact_s=42.0,
                      blocked_by=(4242,), lock_mode="ShareLock", lock_type="transactionid", relation="orders",
                      lock_wait_s=42.0, query="UPDATE orders SET status = 'shipped' WHERE id = 1")
    second = _backend(4250, wait_event_type="Lock", wait_event="relation", query_s=12.0, xact_s=12.0,
                      blocked_by=(4243,), lock_mode="AccessExclusiveLock", lock_type="relation", relation="orders",
                      lock_wait_s=12.0, application="migrate", query="ALTER TABLE orders ADD COLUMN note text")
    report = _backend(5001, application="reports", query_s=420.0, xact_s=420.0,
                      query="SELECT customer_id, sum(total) FROM orders GROUP BY 1 ORDER BY 2 DESC")
    backends = [root, waiter, second, report]
    status = PostgresStatus(
        database="main", server_version_num=160004, max_connections=100,
        by_state={"active": 31, "idle": 40, "idle in transaction": 3, "waiting": 2}, per_database={"shop": 76},
        ungranted_locks=2, long_running=[report, root], lock_tree=build_lock_tree(backends),
        backends={b.pid: b for b in backends},
    )
    target = PostgresTarget(name="main", dsn="postgresql://warroom@db.example/shop")
    return [FixedCollector(Snapshot("postgres", "main", AT, Level.CRIT, None, status), target=target)]


def kubernetes() -> list[FixedCollector[KubeView]]:
    shapes = [
        pod("api-7d9f8b6c5d-x2x4z", namespace="shop", now=NOW,
            containers=[waiting("CrashLoopBackOff", restarts=12, last_exit_ago=timedelta(seconds=95))]),
        pod("api-7d9f8b6c5d-q8w2e", namespace="shop", now=NOW, containers=[running(ready=False)]),
        pod("api-7d9f8b6c5d-m4k7p", namespace="shop", now=NOW),
        pod("worker-6c5d7f9b8-h2j4k", namespace="shop", now=NOW, node="node-2"),
        pod("redis-0", namespace="cache", now=NOW, node="node-3", age=timedelta(days=12)),
    ]
    rows = [pod_row("prod", compact_pod(shape), NOW, timedelta(minutes=5)) for shape in shapes]
    rows.sort(key=lambda row: (-row.level.severity_rank, row.namespace, row.name))
    deployments = (
        DeploymentRow("prod", "shop", "api", 3, 3, 1, 1, "rolling out for 4m", Level.WARN),
        DeploymentRow("prod", "shop", "worker", 1, 1, 1, 1, "rolled out 2d ago", Level.OK),
    )
    events = (
        EventRow("prod", "shop", "Pod", "api-7d9f8b6c5d-x2x4z", "BackOff", "Back-off restarting failed container app", 14, "1m"),
        EventRow("prod", "shop", "Pod", "api-7d9f8b6c5d-q8w2e", "Unhealthy", "Readiness probe failed: HTTP 503", 6, "30s"),
    )
    counts = {level: sum(row.level is level for row in rows) for level in (Level.CRIT, Level.WARN, Level.OK)}
    view = KubeView("prod", tuple(rows), deployments, events, counts, True, "all namespaces")
    return [FixedCollector(Snapshot("kubernetes", "prod", AT, Level.CRIT, None, view))]
