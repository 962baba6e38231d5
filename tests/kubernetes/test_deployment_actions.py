"""D in the pods pane: deployments; rollout undo, restart and scale against the fake API server,
each asked first (Back is the default), sent as kubectl sends it, logged to the timeline."""

from __future__ import annotations

import json
import re

from textual.widgets import Static

from app.collectors.kubernetes import KubernetesCollector
from app.config.kubernetes import KubernetesTarget
from app.ui.panes.kubernetes import PodsPane
from app.ui.panes.kubernetes_deployments import DeploymentsScreen
from app.ui.panes.kubernetes_describe import DescribeScreen
from app.ui.screens.confirm import ConfirmScreen
from app.ui.screens.pickers import ChoiceScreen
from app.ui.screens.prompt import TextPromptScreen
from tests.kubernetes.rollout_shapes import REGISTRY, template, with_history
from tests.support import PaneHost, until

DEPLOYMENT = "/apis/apps/v1/namespaces/default/deployments/payments"


def put_history(cluster, versions=(("2.3.1", "deploy 2.3.1"), ("2.4.0", "deploy 2.4.0"))) -> dict:
    dep, sets = with_history(list(versions))
    cluster.put("deployments", dep)
    for rs in sets:
        cluster.put("replicasets", rs)
    return dep


def host(allow_actions: bool = True) -> tuple[PaneHost, KubernetesCollector]:
    collector = KubernetesCollector(KubernetesTarget(name="prod", timeout=3, interval=0.2, allow_actions=allow_actions))
    return PaneHost("kubernetes", {"timezone": "UTC", "operator": "alice"}, [collector]), collector


async def open_deployments(app: PaneHost, pilot) -> DeploymentsScreen:
    pane = app.query_one(PodsPane)
    await until(pilot, lambda: pane.deployment_rows())
    pane.table.focus()
    await pilot.press("D")
    await until(pilot, lambda: isinstance(app.screen, DeploymentsScreen))
    return app.screen  # type: ignore[return-value]


def patches(cluster) -> list[tuple[str, str, object]]:
    return [(path, ctype, json.loads(body)) for method, path, ctype, body in cluster.received if method == "PATCH"]


def logged(app) -> list[str]:
    """What the operator's steps logged (automatic observations aside)."""
    return [r.text for r in app.timeline if not r.automatic]


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


def row_cells(screen: DeploymentsScreen) -> list[str]:
    table = screen.query_one("#deployments-table")
    return [cell.plain for cell in table.get_row_at(0)]


async def confirm(pilot, app) -> None:
    await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    await pilot.press("left", "enter")  # ← then Enter confirms; Enter alone is Back


async def test_undo_to_the_previous_revision_as_kubectl_does(fake_k8s):
    cluster = fake_k8s.cluster
    put_history(cluster)
    app, collector = host()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_deployments(app, pilot)
        assert row_cells(screen)[1:5] == ["default/payments", "3/3", "3", "3"]
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one("#confirm-question").render())
        assert question == "Roll back deployment default/payments to revision 1?"
        details = " ".join(str(s.render()) for s in app.screen.query(".confirm-detail").results(Static))
        assert f"now: revision 2, {REGISTRY}:2.4.0" in details and f"back to: revision 1, {REGISTRY}:2.3.1" in details
        await pilot.press("enter")  # Back has the focus: nothing happens
        await until(pilot, lambda: isinstance(app.screen, DeploymentsScreen))
        assert patches(cluster) == [] and logged(app) == []

        await pilot.press("u")
        await confirm(pilot, app)
        await until(pilot, lambda: logged(app))
        assert patches(cluster) == [(DEPLOYMENT, "application/json-patch+json", [
            {"op": "replace", "path": "/spec/template", "value": template(f"{REGISTRY}:2.3.1")},
            {"op": "replace", "path": "/metadata/annotations",
             "value": {"deployment.kubernetes.io/revision": "2", "kubernetes.io/change-cause": "deploy 2.3.1"}},
        ])]
        after = cluster.objects["deployments"][("default", "payments")]
        assert after["spec"]["template"]["spec"]["containers"][0]["image"] == f"{REGISTRY}:2.3.1"
        assert "pod-template-hash" not in after["spec"]["template"]["metadata"]["labels"]
        assert logged(app) == [f"Kubernetes prod: rollout undo to revision 1 ({REGISTRY}:2.3.1) of deployment default/payments "
                             "by alice: done"]
        assert [r.kind for r in app.timeline if not r.automatic] == ["action"]

        # The rollout shows in the deployments view, and its end is an automatic observation.
        await until(pilot, lambda: row_cells(screen)[5].startswith("rolling out"))
        await until(pilot, lambda: any("rollout started" in t for t in app.automatic))
        done = json.loads(json.dumps(after))
        done["status"]["observedGeneration"] = after["metadata"]["generation"]
        cluster.put("deployments", done)
        await until(pilot, lambda: any("rollout finished: default/payments (3/3 available)" in t for t in app.automatic))
        await until(pilot, lambda: row_cells(screen)[5].startswith("rolled out"))
    await collector.aclose()


async def test_history_picks_a_revision_and_describe_shows_it(fake_k8s):
    cluster = fake_k8s.cluster
    put_history(cluster, (("2.2.0", "deploy 2.2.0"), ("2.3.1", "deploy 2.3.1"), ("2.4.0", "kubectl set image [b]x[/b]")))
    app, collector = host()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_deployments(app, pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DescribeScreen))
        await until(pilot, lambda: "Rollout history:" in str(app.screen.query_one("#describe-text").render()))
        text = str(app.screen.query_one("#describe-text").render())
        assert f"3 (current)  {REGISTRY}:2.4.0  kubectl set image [b]x[/b]" in text
        assert f"1  {REGISTRY}:2.2.0  deploy 2.2.0" in text and "99" not in text  # not another deployment's
        assert "Replicas:       3 desired | 3 updated | 3 total | 3 available" in text
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DeploymentsScreen))

        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("down", "down", "enter")  # newest first: 3, 2, then 1
        await confirm(pilot, app)
        await until(pilot, lambda: logged(app))
        assert logged(app)[-1].startswith(f"Kubernetes prod: rollout undo to revision 1 ({REGISTRY}:2.2.0)")
        body = patches(cluster)[-1][2]
        assert body[0]["value"]["spec"]["containers"][0]["image"] == f"{REGISTRY}:2.2.0"
    await collector.aclose()


async def test_restart_and_scale_send_kubectls_bodies(fake_k8s):
    cluster = fake_k8s.cluster
    put_history(cluster)
    app, collector = host()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_deployments(app, pilot)
        await pilot.press("r")
        await confirm(pilot, app)
        await until(pilot, lambda: logged(app))
        path, ctype, body = patches(cluster)[-1]
        assert (path, ctype) == (DEPLOYMENT, "application/strategic-merge-patch+json")
        stamp = body["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
        assert body == {"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": stamp}}}}}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp)
        after = cluster.objects["deployments"][("default", "payments")]
        assert after["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] == stamp
        assert after["spec"]["template"]["spec"]["containers"][0]["image"] == f"{REGISTRY}:2.4.0"  # the rest untouched
        assert logged(app)[-1] == "Kubernetes prod: rollout restart of deployment default/payments by alice: done"
        await until(pilot, lambda: row_cells(screen)[5].startswith("rolling out"))  # the new generation is rolling

        for typed in ("abc", "-1", "10001", "2.5"):
            await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, TextPromptScreen))
            await pilot.press("backspace", *typed, "enter")
            await until(pilot, lambda: isinstance(app.screen, DeploymentsScreen))
        assert len(patches(cluster)) == 1  # every one refused before anything was sent
        assert any("10001 replicas is more than 10000: refused" in m for m in messages(app))
        assert any("not a replica count: 'abc'" in m for m in messages(app))

        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, TextPromptScreen))
        await pilot.press("backspace", "5", "enter")
        await confirm(pilot, app)
        await until(pilot, lambda: len(logged(app)) == 2)
        assert patches(cluster)[-1] == (DEPLOYMENT + "/scale", "application/merge-patch+json", {"spec": {"replicas": 5}})
        assert cluster.objects["deployments"][("default", "payments")]["spec"]["replicas"] == 5
        assert logged(app)[-1] == "Kubernetes prod: scale from 3 to 5 replicas of deployment default/payments by alice: done"
        await until(pilot, lambda: row_cells(screen)[2] == "3/5")  # desired 5, as the view shows it
    await collector.aclose()


async def test_read_only_cluster_and_rbac_refusal(fake_k8s):
    cluster = fake_k8s.cluster
    put_history(cluster)
    app, collector = host(allow_actions=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deployments(app, pilot)
        for key in ("u", "h", "r", "s"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, DeploymentsScreen)
        assert messages(app).count("actions are off for cluster prod (allow_actions: false)") == 4
        assert cluster.received == [] and logged(app) == []
    await collector.aclose()

    cluster.read_only = True
    app, collector = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deployments(app, pilot)
        await pilot.press("r")
        await confirm(pilot, app)
        await until(pilot, lambda: logged(app))
        assert logged(app)[-1] == ('Kubernetes prod: rollout restart of deployment default/payments by alice: REFUSED by RBAC '
                                 '(HTTP 403 Forbidden: deployments.apps "payments" is forbidden: User "viewer" cannot patch '
                                 'resource "deployments" in API group "apps" in the namespace "default")')
        assert any(m.startswith("rollout restart: REFUSED by RBAC (HTTP 403 Forbidden") for m in messages(app))
        assert "kubectl.kubernetes.io/restartedAt" not in json.dumps(cluster.objects["deployments"][("default", "payments")])
    await collector.aclose()
