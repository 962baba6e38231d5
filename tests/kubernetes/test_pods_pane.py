"""PodsPane in a headless app against the fake API server."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from textual.app import App, ComposeResult

from app.collectors.kubernetes import KubernetesCollector
from app.config.kubernetes import KubernetesTarget
from app.ui.messages import TimelineRequest
from app.ui.panes.kubernetes import PodsPane
from app.ui.styles import css_paths
from tests.kubernetes.k8s_objects import deployment, warning
from datetime import UTC, datetime

from tests.kubernetes.pod_shapes import pod as shaped_pod
from tests.kubernetes.pod_shapes import waiting


def pod(name: str, **kwargs) -> dict:
    return shaped_pod(name, now=datetime.now(UTC), **kwargs)


class PaneApp(App[None]):
    CSS_PATH = css_paths()

    def __init__(self, collectors) -> None:
        super().__init__()
        self.collectors = collectors
        self.timeline: list[str] = []

    def compose(self) -> ComposeResult:
        yield PodsPane(self.collectors, title="Kubernetes pods", id="pane-kubernetes")

    def on_timeline_request(self, message: TimelineRequest) -> None:
        self.timeline.append(message.text)


async def until(pilot, predicate, timeout: float = 10.0) -> None:
    """Let the pane's worker and the watch (real HTTP in the background) make progress, bounded."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await pilot.pause(0.05)


def rows(pane: PodsPane) -> list[list[str]]:
    return [[cell.plain for cell in pane.table.get_row_at(i)] for i in range(pane.table.row_count)]


async def test_pods_table_updates_in_place_and_pins(fake_k8s):
    cluster = fake_k8s.cluster
    for name in ("api-1", "api-2", "api-3"):
        cluster.put("pods", pod(name))
    cluster.put("deployments", deployment("api"))
    cluster.put("events", warning("e1", obj="api-2", reason="Unhealthy", message="[bold]Readiness[/] probe failed", count=4))
    collector = KubernetesCollector(KubernetesTarget(name="prod", timeout=3, interval=0.2))
    app = PaneApp([collector])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(PodsPane)
        await until(pilot, lambda: pane.table.row_count == 3)
        assert rows(pane)[0] == ["✔ OK", "default", "api-1", "1/1", "Running", "0", "120m", "node-1"]
        assert "✔ 3 OK" in str(pane.border_title)
        assert "default/api  3/3 ready" in str(pane.deployments.render())
        assert "4× default/pod/api-2 Unhealthy: [bold]Readiness[/] probe failed" in str(pane.events.render())

        pane.table.focus()
        pane.table.move_cursor(row=2)  # api-3
        await pilot.pause()
        cluster.put("pods", pod("api-3", containers=[waiting("CrashLoopBackOff", restarts=2, last_exit_ago=timedelta(minutes=1))]))
        await until(pilot, lambda: rows(pane)[0][2] == "api-3")
        assert rows(pane)[0][:5] == ["✖ CRIT", "default", "api-3", "0/1", "CrashLoopBackOff"]
        assert pane.table.cursor_row == 0  # the cursor followed the pod it was on
        assert "✖ 1 CRIT" in str(pane.border_title) and "✔ 2 OK" in str(pane.border_title)
        await until(pilot, lambda: any("pod entered CrashLoopBackOff: default/api-3" in t for t in app.timeline))

        await pilot.press("p")
        await until(pilot, lambda: any(t.startswith("pinned pod prod/default/api-3") for t in app.timeline))
        pinned = next(t for t in app.timeline if t.startswith("pinned pod"))
        assert "CrashLoopBackOff" in pinned and "last termination: app: Error (exit 1)" in pinned

        fake_k8s.stop()
        await until(pilot, lambda: pane.has_class("-stale"))
        assert pane.table.row_count == 3  # stale keeps the data
        fake_k8s.start()
        await until(pilot, lambda: not pane.has_class("-stale"), timeout=15)
    await collector.aclose()
