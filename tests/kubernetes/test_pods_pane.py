"""PodsPane in a headless app against the fake API server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.collectors.kubernetes import KubernetesCollector
from app.config.kubernetes import KubernetesTarget
from app.ui.panes.kubernetes import PodsPane
from app.drill.kube_api import SimulatedApiServer
from app.drill.kube_objects import deployment, warning
from tests.kubernetes.pod_shapes import pod as shaped_pod
from tests.kubernetes.pod_shapes import waiting
from tests.support import PaneHost, until


def pod(name: str, **kwargs) -> dict:
    return shaped_pod(name, now=datetime.now(UTC), **kwargs)


def pods_host(collectors, **auto_timeline) -> PaneHost:
    return PaneHost("kubernetes", {"timezone": "UTC", "auto_timeline": auto_timeline}, collectors)


def pins(app: PaneHost) -> list[str]:
    return [t for t in app.texts if t.startswith("pinned pod prod/default/api-3")]


def rows(pane: PodsPane) -> list[list[str]]:
    return [[cell.plain for cell in pane.table.get_row_at(i)] for i in range(pane.table.row_count)]


async def test_pods_table_updates_in_place_and_pins(fake_k8s):
    cluster = fake_k8s.cluster
    for name in ("api-1", "api-2", "api-3"):
        cluster.put("pods", pod(name))
    cluster.put("deployments", deployment("api"))
    cluster.put("events", warning("e1", obj="api-2", reason="Unhealthy", message="[bold]Readiness[/] probe failed", count=4))
    collector = KubernetesCollector(KubernetesTarget(name="prod", timeout=3, interval=0.2))
    app = pods_host([collector])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(PodsPane)
        await until(pilot, lambda: pane.table.row_count == 3)
        assert rows(pane)[0] == ["✔", "default/api-1", "1/1", "Running", "0", "120m", "node-1"]
        assert "✔ 3 OK" in str(pane.border_title)
        assert "default/api  3/3 ready" in str(pane.deployments.render())
        assert "4× default/pod/api-2 Unhealthy: [bold]Readiness[/] probe failed" in str(pane.events.render())

        pane.table.focus()
        pane.table.move_cursor(row=2)  # api-3
        await pilot.pause()
        assert pane.border_subtitle.startswith("default/api-3  1/1 Running  restarts 0  age 120m  node-1")
        cluster.put("pods", pod("api-3", containers=[waiting("CrashLoopBackOff", restarts=2, last_exit_ago=timedelta(minutes=1))]))
        await until(pilot, lambda: rows(pane)[0][1] == "default/api-3")
        assert rows(pane)[0][:4] == ["✖", "default/api-3", "0/1", "CrashLoopBackOff"]
        assert pane.table.cursor_row == 0  # the cursor followed the pod it was on
        assert "✖ 1 CRIT" in str(pane.border_title) and "✔ 2 OK" in str(pane.border_title)
        await until(pilot, lambda: any("pod entered CrashLoopBackOff: default/api-3" in t for t in app.texts))
        assert any("pod entered CrashLoopBackOff" in t for t in app.automatic)  # one terminal of several logs it

        await pilot.press("p")
        await until(pilot, lambda: any(t.startswith("pinned pod prod/default/api-3") for t in app.texts))
        pinned = next(t for t in app.texts if t.startswith("pinned pod"))
        assert "CrashLoopBackOff" in pinned and "last termination: app: Error (exit 1)" in pinned

        fake_k8s.stop()
        await until(pilot, lambda: pane.has_class("-stale"))
        assert pane.table.row_count == 3  # stale keeps the data
        await pilot.press("p")
        await until(pilot, lambda: "[stale: API server unreachable" in pins(app)[-1])
        assert " (as of " in pins(app)[-1]
        fake_k8s.start()
        await until(pilot, lambda: not pane.has_class("-stale"), timeout=15)
    await collector.aclose()


async def test_pane_is_fresh_within_seconds_after_a_long_outage(fake_k8s):
    fake_k8s.cluster.put("pods", pod("api-1"))
    collector = KubernetesCollector(KubernetesTarget(name="prod", timeout=3, interval=0.2))
    app = pods_host([collector])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(PodsPane)
        await until(pilot, lambda: pane.table.row_count == 1)
        fake_k8s.stop()
        await until(pilot, lambda: pane.has_class("-stale"))
        assert "API server unreachable (127.0.0.1:" in str(pane._stale.render())
        assert "Connection refused" in str(pane._stale.render())
        for reflector in collector.reflectors:
            reflector.backoff.failures = 12  # as after minutes down: a full backoff would wait 30 s
        # While stale the pane keeps looking at its interval; a backoff here would hide the recovery.
        stale_seen = len(app.snapshots)
        await until(pilot, lambda: len(app.snapshots) >= stale_seen + 10, timeout=5)
        await until(pilot, lambda: all(r.backoff.failures > 12 for r in collector.reflectors))
        fake_k8s.start()
        await until(pilot, lambda: not pane.has_class("-stale"), timeout=7)
        assert rows(pane)[0][1:3] == ["default/api-1", "1/1"]
    await collector.aclose()


async def test_narrow_pane_never_cuts_ready_or_status(fake_k8s):
    """The left half at 120 columns (about 58 cells) and the live view at 80: STATUS is whole."""
    long_status = pod("config-broken", phase="Pending", containers=[waiting("CreateContainerConfigError")], namespace="kube-system")
    fake_k8s.cluster.put("pods", long_status)
    fake_k8s.cluster.put("pods", pod("api-7d9f8b6c5d-x2x4z", namespace="shop",
                                     containers=[waiting("CrashLoopBackOff", restarts=12, last_exit_ago=timedelta(seconds=95))]))
    for width in (58, 80, 110):
        collector = KubernetesCollector(KubernetesTarget(name="prod", timeout=3, interval=0.2))
        app = pods_host([collector])
        async with app.run_test(size=(width, 30)) as pilot:
            pane = app.query_one(PodsPane)
            await until(pilot, lambda: pane.table.row_count == 2)
            await pilot.pause()
            await pilot.pause()
            header = pane.table.render_line(0).text
            lines = [pane.table.render_line(y + 1).text for y in range(2)]
            for label in ("READY", "STATUS", "RESTARTS", "AGE", "NODE"):
                assert label in header or label[:3] not in header, f"{label} cut at {width}: {header!r}"
            for row, line in zip(rows(pane), lines, strict=True):
                assert row[2] in line and row[3] in line, f"READY / STATUS cut at {width}: {line!r}"
                if "RESTARTS" in header:
                    assert row[4] in line, f"RESTARTS cut at {width}: {line!r}"
            if width >= 110:
                assert "NODE" in header and all("node-1" in line for line in lines)
            pane.table.focus()
            await pilot.pause()
            assert pane.border_subtitle.startswith(rows(pane)[0][1] + "  ")  # the selected pod's whole name
        await collector.aclose()


async def test_several_clusters_in_one_pane(fake_k8s, tmp_path):
    other = SimulatedApiServer().start()
    try:
        fake_k8s.cluster.put("pods", pod("api-1"))
        other.cluster.put("pods", pod("api-1", containers=[waiting("CrashLoopBackOff", restarts=3, last_exit_ago=timedelta(minutes=2))]))
        east = KubernetesCollector(KubernetesTarget(name="east", timeout=3, interval=0.2))
        west = KubernetesCollector(KubernetesTarget(name="west", kubeconfig=str(other.write_kubeconfig(tmp_path / "west")),
                                                    timeout=3, interval=0.2))
        app = pods_host([east, west])
        async with app.run_test(size=(120, 40)) as pilot:
            pane = app.query_one(PodsPane)
            await until(pilot, lambda: pane.table.row_count == 2)
            assert [r[:4] for r in rows(pane)] == [["✖", "west/default/api-1", "0/1", "CrashLoopBackOff"],
                                                   ["✔", "east/default/api-1", "1/1", "Running"]]
            assert "✖ 1 CRIT" in str(pane.border_title) and "✔ 1 OK" in str(pane.border_title)
            other.stop()  # one cluster going away marks the pane stale and keeps both clusters' rows
            await until(pilot, lambda: pane.has_class("-stale"))
            assert pane.table.row_count == 2
            assert str(pane._stale.render()).startswith("⚠ west: stale since")  # which cluster is away
        await east.aclose()
        await west.aclose()
    finally:
        other.stop()


async def test_api_outage_and_recovery_are_automatic_observations(fake_k8s):
    """Like PostgreSQL and health: the cluster going away, and coming back, is in the timeline."""
    fake_k8s.cluster.put("pods", pod("api-1"))
    collector = KubernetesCollector(KubernetesTarget(name="prod", timeout=3, interval=0.2))
    app = pods_host([collector], consecutive=2, min_interval="0s")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(PodsPane)
        await until(pilot, lambda: pane.table.row_count == 1)
        fake_k8s.stop()
        await until(pilot, lambda: any(t.startswith("Kubernetes prod unreachable: API server unreachable") for t in app.automatic))
        fake_k8s.start()
        await until(pilot, lambda: any(t.startswith("Kubernetes prod back (since ") for t in app.automatic))
        outage = [t for t in app.automatic if t.startswith("Kubernetes prod")]
        assert len(outage) == 2 and "; unreachable for " in outage[1]
    await collector.aclose()


async def test_a_changed_cell_widens_its_column_and_never_remeasures_it(fake_k8s):
    """Textual measured all 5,000 cells of a column again whenever a changed cell was narrower:
    seconds of frozen screen at 50 pod changes/s (benchmarks/pods_scale.py)."""
    for name in ("api-1", "api-2"):
        fake_k8s.cluster.put("pods", pod(name))
    collector = KubernetesCollector(KubernetesTarget(name="prod", timeout=3, interval=0.2))
    app = pods_host([collector])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(PodsPane)
        await until(pilot, lambda: pane.table.row_count == 2)
        status = pane.table.columns[next(k for k in pane.table.columns if k.value == "status")]
        assert status.content_width == len("Running")
        fake_k8s.cluster.put("pods", pod("api-1", containers=[waiting("CrashLoopBackOff", restarts=2)]))
        await until(pilot, lambda: status.content_width == len("CrashLoopBackOff"))
        fake_k8s.cluster.put("pods", pod("api-1"))
        await until(pilot, lambda: [r[3] for r in rows(pane)] == ["Running", "Running"])
        await pilot.pause()
        assert status.content_width == len("CrashLoopBackOff")  # kept: no walk over the column
    await collector.aclose()


async def test_a_refresh_that_changes_nothing_repaints_nothing(fake_k8s):
    """Issue 12: unchanged rows and cells are not touched, and a refresh with no change costs
    no layout: nothing in the pane asks to be drawn again (title, selected pod, rollouts and
    events included)."""
    for name in ("api-1", "api-2"):
        fake_k8s.cluster.put("pods", pod(name))
    fake_k8s.cluster.put("deployments", deployment("api"))
    # Ten minutes ago: "(10m ago)" holds still (a minute-old event's "60s" counts up each second).
    fake_k8s.cluster.put("events", warning("e1", obj="api-2", reason="Unhealthy", message="probe failed", count=4,
                                           ago=timedelta(minutes=10)))
    collector = KubernetesCollector(KubernetesTarget(name="prod", timeout=3, interval=0.2))
    app = pods_host([collector])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(PodsPane)
        await until(pilot, lambda: pane.table.row_count == 2 and "(10m ago)" in str(pane.events.render()))
        pane.table.focus()
        await pilot.pause()
        asked: list[tuple[str, dict]] = []
        for widget in (pane, *pane.query("*")):
            def refresh(*args, _widget=widget, _refresh=widget.refresh, **kwargs):
                asked.append((type(_widget).__name__, kwargs))
                return _refresh(*args, **kwargs)
            widget.refresh = refresh
        seen = len(app.snapshots)
        await until(pilot, lambda: len(app.snapshots) >= seen + 3)
        await pilot.pause()
        assert asked == []
        fake_k8s.cluster.put("pods", pod("api-2", containers=[waiting("CrashLoopBackOff", restarts=2)]))
        await until(pilot, lambda: rows(pane)[0][3] == "CrashLoopBackOff")
        assert asked  # a change is drawn
    await collector.aclose()
