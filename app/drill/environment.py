"""Everything a drill runs, started on 127.0.0.1 on free ports and stopped again: the
services, the status-update channel, the simulated Kubernetes API (with its kubeconfig),
a PostgreSQL with its client sessions, and the warroom config that names them all.

The database starts on a thread of its own: its DSN is known before it is up, so the
dashboard opens at once and its PostgreSQL pane fills when the server is ready.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import threading
from pathlib import Path
from typing import Any

from app.drill.channel import WebhookReceiver
from app.drill.cluster import NAMESPACE, Cluster, DeploymentState
from app.drill.kube_api import SimulatedApiServer
from app.drill.postgres import LocalPostgres, predicted_dsn
from app.drill.scenario import Scenario
from app.drill.services import BODY_CONDITIONS, Services, ServiceState
from app.drill.workload import Workload

log = logging.getLogger(__name__)
CLUSTER_NAME = "shop"
DATABASE_NAME = "shop-db"


class DrillEnvironment:
    def __init__(self, scenario: Scenario, workdir: Path, *, speed: float = 1.0, dsn: str | None = None) -> None:
        """`dsn`: a PostgreSQL to use instead of starting one (the tests share one); it
        needs the scenario's max_connections for the pane's levels to be the scenario's."""
        self.scenario, self.workdir, self.speed = scenario, workdir, speed
        self._given_dsn = dsn
        self.services: Services | None = None
        self.channel: WebhookReceiver | None = None
        self.kube: SimulatedApiServer | None = None
        self.cluster: Cluster | None = None
        self.database: LocalPostgres | None = None
        self.database_error: str | None = None
        self._workload: Workload | None = None
        self._db_thread: threading.Thread | None = None
        self._db_ready = threading.Event()
        self.dsn: str | None = None
        self.config_path = workdir / "warroom.yaml"

    # --- start ----------------------------------------------------------------------------
    def start(self) -> Path:
        """Start everything (the database in the background); returns the config's path."""
        s = self.scenario
        # postgres runs as another OS user when we are root: it must reach its directory.
        self.workdir.chmod(0o755)
        self.services = Services({
            name: (svc.format, ServiceState(health=svc.health or "up",
                                            latency_ms=int(svc.latency.total_seconds() * 1000) if svc.latency else 30,
                                            error_ratio=svc.errors if svc.errors is not None else 0.002, rps=svc.rps or 40.0))
            for name, svc in s.services.items()
        })
        self.channel = WebhookReceiver(log_path=self.workdir / "channel.jsonl").start()
        self.kube = SimulatedApiServer().start()
        self.cluster = Cluster(self.kube.cluster, {
            name: DeploymentState(replicas=d.replicas or 2, version=d.version or "1.0.0", state=d.state or "healthy")
            for name, d in s.deployments.items()
        })
        kubeconfig = self.kube.write_kubeconfig(self.workdir / "kubeconfig", context="drill-shop", namespace=NAMESPACE)
        pgdata = self.workdir / "pg"
        self.dsn = self._given_dsn or predicted_dsn(pgdata)
        self._db_thread = threading.Thread(target=self._start_database, args=(pgdata,), name="drill-postgres", daemon=True)
        self._db_thread.start()
        if self.dsn is None:  # pgserver puts the socket elsewhere: only the server can say where
            self._db_ready.wait(60)
            self.dsn = self.database.dsn if self.database else "postgresql://postgres@/postgres?host=/nonexistent"
        self.config_path.write_text(json.dumps(self.config(kubeconfig), indent=2) + "\n", encoding="utf-8")
        return self.config_path

    def _start_database(self, pgdata: Path) -> None:
        try:
            if self._given_dsn is None:
                self.database = LocalPostgres(pgdata, settings={"max_connections": str(self.scenario.database.max_connections)},
                                              cleanup_mode=None)
            workload = Workload(self._given_dsn or (self.database.dsn if self.database else ""))
            workload.setup()
            self._workload = workload
        except Exception as exc:  # noqa: BLE001 - the drill runs on without a database; the pane says why
            log.exception("drill database did not start")
            self.database_error = f"{type(exc).__name__}: {exc}"
        finally:
            self._db_ready.set()

    def workload(self) -> Workload | None:
        return self._workload

    def wait_database(self, timeout: float = 60.0) -> bool:
        return self._db_ready.wait(timeout) and self._workload is not None

    # --- the config -------------------------------------------------------------------------
    def every(self, seconds: float, floor: float = 0.5) -> str:
        """An interval or threshold of scenario time, in wall time (faster drills look faster)."""
        return f"{max(floor, seconds / self.speed):g}s"

    def config(self, kubeconfig: Path) -> dict[str, Any]:
        assert self.services is not None and self.channel is not None
        services = self.services.by_name.values()
        return {
            "health": [
                {"name": svc.name, "url": svc.health_url, "interval": self.every(3), "timeout": "3s",
                 "latency_warn": "500ms", "latency_crit": "2s",
                 "body": [{"path": "status", **BODY_CONDITIONS[svc.format]}]}
                for svc in services
            ],
            "error_rates": [
                {"name": f"{svc.name} 5xx", "metrics_url": svc.metrics_url, "counter": "http_requests_total",
                 "errors": {"code": "5.."}, "warn": 0.01, "crit": 0.05, "interval": self.every(2)}
                for svc in services
            ],
            "postgres": [
                {"name": DATABASE_NAME, "dsn": self.dsn, "interval": self.every(2), "long_running": self.every(60, 2),
                 "lock_wait_warn": self.every(20, 1), "connections_warn": 75, "connections_crit": 90, "allow_actions": True},
            ],
            "kubernetes": [
                {"name": CLUSTER_NAME, "label": "simulated", "kubeconfig": str(kubeconfig), "namespaces": [NAMESPACE],
                 "interval": "1s", "allow_actions": True},
            ],
            "notify": {"webhooks": [{"name": "drill channel", "url": self.channel.url, "format": "slack"}]},
        }

    # --- what is running ----------------------------------------------------------------------
    @property
    def ports(self) -> list[int]:
        ports = list(self.services.ports) if self.services else []
        ports += [self.channel.port] if self.channel else []
        ports += [self.kube.port] if self.kube else []
        return ports

    @property
    def postmaster_pid(self) -> int | None:
        return self.database.postmaster_pid if self.database else None

    # --- stop -----------------------------------------------------------------------------------
    def stop(self, *, keep: bool = False) -> None:
        """Stop everything started; without `keep`, remove the drill's directory. Never raises."""
        if self._db_thread is not None:
            self._db_thread.join(60)  # a server half-way up is stopped once it is up
        if self._workload is not None:
            with contextlib.suppress(Exception):
                self._workload.stop()
        for stop in (self.kube.stop if self.kube else None, self.channel.stop if self.channel else None,
                     self.services.stop if self.services else None):
            if stop is not None:
                with contextlib.suppress(Exception):
                    stop()
        if self.database is not None:
            self.database.shut_down(remove=not keep)
        if not keep:
            shutil.rmtree(self.workdir, ignore_errors=True)
