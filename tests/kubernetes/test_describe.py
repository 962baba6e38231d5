"""`d` on a pod: kubectl describe's facts from the fake API server, top figures from
metrics.k8s.io when served and a clear line when not, a 403 shown as such."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.widgets import Static

from app.collectors.kubernetes import KubernetesCollector
from app.config.kubernetes import KubernetesTarget
from app.drill.kube_objects import warning
from app.ui.panes.kubernetes import PodsPane
from app.ui.panes.kubernetes_describe import DescribeScreen
from tests.kubernetes.pod_shapes import pod as shaped_pod
from tests.kubernetes.pod_shapes import waiting
from tests.support import PaneHost, until


def crash_looping_pod() -> dict:
    obj = shaped_pod("api-3", now=datetime.now(UTC),
                     containers=[waiting("CrashLoopBackOff", restarts=7, last_exit_ago=timedelta(minutes=2), exit_code=137,
                                         last_reason="OOMKilled", message="back-off 5m0s restarting failed container")])
    obj["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}
    obj["metadata"]["ownerReferences"] = [{"kind": "ReplicaSet", "name": "api-7d9f", "controller": True, "uid": "rs-1"}]
    return obj


def text_of(screen: DescribeScreen) -> str:
    return str(screen.query_one("#describe-text", Static).render())


def status_of(screen: DescribeScreen) -> str:
    return str(screen.query_one("#describe-status", Static).render())


async def describe(fake_k8s, size=(120, 40)):
    collector = KubernetesCollector(KubernetesTarget(name="prod", timeout=3, interval=0.2))
    app = PaneHost("kubernetes", {"timezone": "UTC"}, [collector])
    return app, collector


async def open_describe(app, pilot) -> DescribeScreen:
    pane = app.query_one(PodsPane)
    await until(pilot, lambda: pane.table.row_count > 0)
    pane.table.focus()
    await pilot.press("d")
    await until(pilot, lambda: isinstance(app.screen, DescribeScreen))
    screen = app.screen
    await until(pilot, lambda: text_of(screen) or "✖" in status_of(screen))
    return screen


async def test_describe_a_crash_looping_pod_without_and_with_metrics(fake_k8s):
    cluster = fake_k8s.cluster
    cluster.put("pods", crash_looping_pod())
    cluster.put("events", warning("e1", obj="api-3", reason="BackOff", message="Back-off restarting failed [b]container[/b]", count=12))
    cluster.put("events", warning("e2", obj="api-4", reason="Other", message="not about this pod"))
    app, collector = await describe(fake_k8s)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_describe(app, pilot)
        text = text_of(screen)
        assert "Node:           node-1" in text
        assert "Status:         CrashLoopBackOff (phase Running), ready 0/1" in text
        assert "Controlled By:  ReplicaSet/api-7d9f" in text
        assert "State:       Waiting (CrashLoopBackOff: back-off 5m0s restarting failed container)" in text
        assert "Last State:  Terminated: OOMKilled, exit code 137, finished " in text
        assert "Restarts:    7" in text and "Image:       app:1" in text
        assert "Requests:    cpu 100m, memory 128Mi" in text and "Limits:      memory 256Mi" in text
        assert "Ready                      False" in text
        assert "BackOff" in text and "Back-off restarting failed [b]container[/b]" in text  # literally, not markup
        assert "not about this pod" not in text  # the fieldSelector picked this pod's events
        assert "Top:            metrics API not available" in text
        assert "Usage (top)" not in text
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, DescribeScreen))

        cluster.metrics = {("default", "api-3"): {"app": {"cpu": "250m", "memory": "241Mi"}}}
        screen = await open_describe(app, pilot)
        text = text_of(screen)
        assert "Usage (top): cpu 250m, memory 241Mi" in text
        assert "metrics API not available" not in text and "window 15s" in text
    await collector.aclose()


async def test_describe_refused_is_said(fake_k8s):
    cluster = fake_k8s.cluster
    cluster.put("pods", crash_looping_pod())
    app, collector = await describe(fake_k8s)
    async with app.run_test(size=(80, 24)) as pilot:
        cluster.denied = {"pods"}
        screen = await open_describe(app, pilot)
        assert status_of(screen) == ('✖ HTTP 403 Forbidden: pods "api-3" is forbidden: User "viewer" cannot get resource "pods" '
                                     'in API group "" in the namespace "default"')
        assert text_of(screen) == ""
    await collector.aclose()
