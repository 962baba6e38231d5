"""`l` on a pod: its logs from the fake API server's real log endpoint (tail, previous, follow),
hostile lines shown literally, pins to the timeline, errors as one line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.widgets import Static

from app.collectors.kubernetes import KubernetesCollector
from app.config.kubernetes import KubernetesTarget
from app.ui.panes.kubernetes import PodsPane
from app.ui.panes.kubernetes_logs import FOLLOW_BUFFER, PodLogsScreen
from tests.kubernetes.pod_shapes import pod as shaped_pod
from tests.kubernetes.pod_shapes import running, waiting
from tests.support import PaneHost, until
from tests.support.fixed_dashboard import screen_text


def pod(name: str, **kwargs) -> dict:
    return shaped_pod(name, now=datetime.now(UTC), **kwargs)


def host(**target) -> tuple[PaneHost, KubernetesCollector]:
    collector = KubernetesCollector(KubernetesTarget(name="prod", timeout=3, interval=0.2, **target))
    return PaneHost("kubernetes", {"timezone": "UTC"}, [collector]), collector


def shown(screen: PodLogsScreen) -> list[str]:
    return list(screen.view.lines)


def status(screen: PodLogsScreen) -> str:
    return str(screen.query_one("#logs-status", Static).render())


async def open_logs(app: PaneHost, pilot, name: str) -> PodLogsScreen:
    pane = app.query_one(PodsPane)
    await until(pilot, lambda: pane.table.row_count > 0)
    pane.table.focus()
    keys = [str(pane.table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(pane.table.row_count)]
    pane.table.move_cursor(row=next(i for i, k in enumerate(keys) if pane._rows[k].name == name))
    await pilot.press("l")
    await until(pilot, lambda: isinstance(app.screen, PodLogsScreen))
    return app.screen  # type: ignore[return-value]


async def test_crash_looping_container_logs_previous_and_pin(fake_k8s):
    cluster = fake_k8s.cluster
    crashing = waiting("CrashLoopBackOff", restarts=4, last_exit_ago=timedelta(minutes=1), name="app")
    cluster.put("pods", pod("api-3", containers=[running(name="proxy"), crashing]))
    cluster.write_log("default", "api-3", "proxy", "proxy up")
    cluster.write_log("default", "api-3", "app", *(f"starting {i}" for i in range(300)))
    cluster.write_log("default", "api-3", "app", "connecting to db", "FATAL: password authentication failed", previous=True)
    app, collector = host(log_lines=50)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_logs(app, pilot, "api-3")
        await until(pilot, lambda: len(shown(screen)) == 50)  # log_lines from the config, not all 300
        assert shown(screen)[-1] == "starting 299"
        assert "container app" in status(screen) and "2 containers" in status(screen)  # the crash-looping one by default
        assert "log default/api-3/app previous=False" in cluster.requests

        await pilot.press("P")
        await until(pilot, lambda: shown(screen) == ["connecting to db", "FATAL: password authentication failed"])
        assert "previous (terminated) container" in status(screen)
        await pilot.press("p")  # the cursor is on the last line: it alone
        await until(pilot, lambda: app.texts)
        assert app.texts[-1] == ("log of pod prod/default/api-3, previous container app, line 2 of the last 2:\n"
                                 "FATAL: password authentication failed")
        await pilot.press("up", "v", "down", "p")  # a range
        await until(pilot, lambda: len(app.texts) == 2)
        assert app.texts[-1].endswith("lines 1-2 of the last 2:\nconnecting to db\nFATAL: password authentication failed")

        await pilot.press("c")  # the other container
        await pilot.pause()
        await pilot.press("up", "enter")
        await until(pilot, lambda: "container proxy" in status(screen))
        await until(pilot, lambda: "no previous logs: container proxy has not terminated before" in status(screen))
        assert shown(screen) == []
        await pilot.press("P")
        await until(pilot, lambda: shown(screen) == ["proxy up"])
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, PodLogsScreen))
    await collector.aclose()


async def test_hostile_lines_are_shown_literally(fake_k8s):
    cluster = fake_k8s.cluster
    cluster.put("pods", pod("api-1"))
    cluster.write_log("default", "api-1", "app", "[bold red]not markup[/]", "\x1b]52;c;ZXZpbA==\x07clipboard", "bell\x07 cr\rover",
                      b"bad \xff\xfe utf8", "x" * 10_000, "tab\there")
    app, collector = host()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_logs(app, pilot, "api-1")
        await until(pilot, lambda: len(shown(screen)) == 6)
        lines = shown(screen)
        assert lines[0] == "[bold red]not markup[/]"
        assert "\x1b" not in lines[1] and lines[1].startswith("␛]52;c;ZXZpbA==␇")
        assert lines[2] == "bell␇ cr↵over"
        assert lines[3] == "bad \ufffd\ufffd utf8"
        assert lines[4].startswith("x" * 2000) and lines[4].endswith("… (+8000 chars)")
        assert lines[5] == "tab here"
        await pilot.press("home")
        await pilot.pause()
        drawn = screen_text(app)  # what the terminal gets
        assert "▶ [bold red]not markup[/]" in drawn and "  ␛]52;c;ZXZpbA==␇clipboard" in drawn
        assert "\x1b" not in drawn and "\x07" not in drawn
    await collector.aclose()


async def test_follow_streams_new_lines_with_a_bounded_buffer(fake_k8s, monkeypatch):
    monkeypatch.setattr("app.ui.panes.kubernetes_logs.FOLLOW_BUFFER", 100)
    cluster = fake_k8s.cluster
    cluster.put("pods", pod("api-1"))
    cluster.write_log("default", "api-1", "app", "before")
    app, collector = host()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_logs(app, pilot, "api-1")
        await until(pilot, lambda: shown(screen) == ["before"])
        await pilot.press("F")
        await until(pilot, lambda: "following" in status(screen))
        cluster.write_log("default", "api-1", "app", "after 1")
        await until(pilot, lambda: shown(screen)[-1:] == ["after 1"])
        cluster.write_log("default", "api-1", "app", *(f"burst {i}" for i in range(250)))
        await until(pilot, lambda: shown(screen)[-1:] == ["burst 249"])
        assert len(shown(screen)) == 100 and shown(screen)[0] == "burst 150"
        await pilot.press("slash")
        await pilot.press(*"burst 20", "enter")
        await until(pilot, lambda: "match 1 of" in status(screen))
        assert shown(screen)[screen.view.cursor].startswith("burst 20")
        cluster.delete("pods", "default", "api-1")  # the pod goes: the stream ends, said in one line
        await until(pilot, lambda: "the log stream ended" in status(screen))
    assert FOLLOW_BUFFER == 5000
    await collector.aclose()


async def test_errors_are_one_line_never_a_crash(fake_k8s):
    cluster = fake_k8s.cluster
    cluster.put("pods", pod("api-1", containers=[waiting("ContainerCreating")]))
    cluster.put("pods", pod("api-2"))
    app, collector = host()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_logs(app, pilot, "api-1")
        await until(pilot, lambda: 'is waiting to start: ContainerCreating' in status(screen))
        assert status(screen).startswith("✖ HTTP 400")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, PodLogsScreen))
        screen = await open_logs(app, pilot, "api-2")
        await until(pilot, lambda: "current container" in status(screen))
        cluster.delete("pods", "default", "api-2")  # gone while its logs are open
        await pilot.press("P")
        await until(pilot, lambda: 'pods "api-2" not found' in status(screen))
        assert status(screen).startswith("✖ HTTP 404")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, PodLogsScreen))
        cluster.denied = {"pods"}  # may not get the pod, may read its logs: the logs still show
        cluster.write_log("default", "api-1", "app", "still readable")
        screen = await open_logs(app, pilot, "api-1")
        await until(pilot, lambda: shown(screen) == ["still readable"])
        assert any("Could not read the pod, so no container choice: HTTP 403" in n.message for n in app._notifications)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, PodLogsScreen))
        cluster.denied = {"pods/log"}  # a user who may see pods but not read their logs
        screen = await open_logs(app, pilot, "api-1")
        await until(pilot, lambda: "not allowed to read these logs" in status(screen))
        assert 'cannot get resource "pods/log" in API group ""' in status(screen)
    await collector.aclose()
