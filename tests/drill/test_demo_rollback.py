"""The demo's cluster keeps a rollout history and carries out a rollout undo sent to its API
(as the deployment controller would), so `warroom demo` can be ended from the deployments
view: the crash-looping payments pods are replaced by the previous version's."""

from __future__ import annotations

from pathlib import Path

from app.collectors.k8s_calls import KubeCalls
from app.collectors.k8s_rollout import JSON_PATCH, revisions, selector, undo_patch, undo_target
from app.collectors.k8s_client import make_api_client
from app.config.kubernetes import KubernetesTarget
from app.drill.cluster import NAMESPACE, Cluster, DeploymentState
from app.drill.kube_api import SimulatedApiServer


async def test_rollout_undo_on_the_demo_cluster(tmp_path: Path):
    server = SimulatedApiServer().start()
    cluster = Cluster(server.cluster, {"payments": DeploymentState(replicas=3, version="2.3.1")})
    cluster.patch("payments", 60, version="2.4.0", updated=1, state="crashloop")
    api_client, _, _ = await make_api_client(KubernetesTarget(name="demo", kubeconfig=str(server.write_kubeconfig(tmp_path / "k"))))
    try:
        calls = KubeCalls(api_client, 5)
        dep = await calls.deployment(NAMESPACE, "payments")
        history = revisions(dep, await calls.replicasets(NAMESPACE, selector(dep)))
        assert [(r.number, r.images) for r in history] == [(1, "registry.local/payments:2.3.1"), (2, "registry.local/payments:2.4.0")]
        target = undo_target(history)
        assert not isinstance(target, str) and target.number == 1
        await calls.patch_deployment(NAMESPACE, "payments", undo_patch(dep, target), JSON_PATCH)
        cluster.tick(61)
        assert cluster.rolled_back == ["payments to 2.3.1"]
        pods = [p for (ns, _), p in server.cluster.objects["pods"].items() if p["metadata"]["labels"]["app"] == "payments"]
        assert len(pods) == 3
        assert {p["status"]["containerStatuses"][0]["image"] for p in pods} == {"registry.local/payments:2.3.1"}
        assert all("running" in p["status"]["containerStatuses"][0]["state"] for p in pods)
        after = await calls.deployment(NAMESPACE, "payments")
        assert after["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"  # as the controller numbers it
        cluster.tick(62)
        assert cluster.rolled_back == ["payments to 2.3.1"]  # said once
    finally:
        await api_client.close()
        server.stop()
