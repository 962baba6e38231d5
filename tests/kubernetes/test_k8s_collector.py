"""The collector against a fake API server: list, watch, 410, faults, recovery, checks."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import timedelta

import pytest

from app.collectors.base import Level
from app.collectors.kubernetes import KubernetesCollector
from app.config import Config
from app.config.kubernetes import KubernetesTarget
from app.status import gather_checks
from app.drill.kube_api import SimulatedApiServer
from app.drill.kube_objects import deployment, warning
from tests.kubernetes.pod_shapes import SHAPES, pod, running, waiting


async def eventually(predicate, timeout: float = 10.0):
    """Poll a condition that depends on a background watch over real HTTP (bounded)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


@pytest.fixture
async def collector(fake_k8s):
    made = []

    def make(**kwargs) -> KubernetesCollector:
        c = KubernetesCollector(KubernetesTarget(name="prod", timeout=2, **kwargs))
        made.append(c)
        return c

    yield make
    for c in made:
        await c.aclose()


def names(snapshot) -> list[str]:
    return [row.name for row in snapshot.data.pods]


async def test_list_shows_every_pod_problems_first(fake_k8s, collector):
    for shape, *_ in SHAPES:
        fake_k8s.cluster.put("pods", shape)
    snap = await collector().collect()
    assert snap.error is None
    assert len(snap.data.pods) == len(SHAPES)
    levels = [row.level.severity_rank for row in snap.data.pods]
    assert levels == sorted(levels, reverse=True)
    assert snap.data.pods[0].level is Level.CRIT
    assert snap.level is Level.CRIT
    assert snap.data.counts[Level.CRIT] > 0 and snap.data.counts[Level.OK] > 0


async def test_watch_added_modified_deleted_and_bookmark(fake_k8s, collector):
    fake_k8s.cluster.put("pods", pod("api-1"))
    c = collector()
    await c.collect()
    fake_k8s.cluster.put("pods", pod("api-2"))
    await eventually(lambda: "api-2" in names(c.snapshot()))
    crashing = pod("api-1", containers=[waiting("CrashLoopBackOff", restarts=3, last_exit_ago=timedelta(seconds=30))])
    fake_k8s.cluster.put("pods", crashing)
    await eventually(lambda: c.snapshot().data.pods[0].status == "CrashLoopBackOff")
    fake_k8s.cluster.delete("pods", "default", "api-2")
    await eventually(lambda: names(c.snapshot()) == ["api-1"])
    fake_k8s.cluster.bookmark()
    await eventually(lambda: c.pods[0].resource_version == str(fake_k8s.cluster.rv))
    assert c.pods[0].lists == 1  # all of that came through the one watch


async def test_quiet_pods_keep_their_rows_between_snapshots(fake_k8s, collector):
    """Fresh rows for 5,000 pods every snapshot outlived the young GC generations and brought
    120-300 ms full collections (a frozen screen) under churn: benchmarks/pods_scale.py."""
    for name in ("api-1", "api-2", "api-3"):
        fake_k8s.cluster.put("pods", pod(name))
    c = collector()
    first = {row.name: row for row in (await c.collect()).data.pods}
    fake_k8s.cluster.put("pods", pod("api-3", containers=[running(restarts=1)]))
    await eventually(lambda: any(r.name == "api-3" and r.restarts == "1" for r in c.snapshot().data.pods))
    second = {row.name: row for row in c.snapshot().data.pods}
    assert [name for name in second if second[name] is first[name]] == ["api-1", "api-2"]


async def test_410_gone_relists_and_keeps_up(fake_k8s, collector):
    fake_k8s.cluster.put("pods", pod("api-1"))
    c = collector()
    await c.collect()
    fake_k8s.cluster.expire_history()  # open watches end; resuming from our resourceVersion gets 410
    fake_k8s.cluster.put("pods", pod("api-3"))
    await eventually(lambda: c.pods[0].lists >= 2 and "api-3" in names(c.snapshot()))
    assert c.snapshot().error is None


@pytest.mark.parametrize(
    ("fault", "expected"),
    [("401", "HTTP 401 Unauthorized"), ("500", "HTTP 500 Internal server error: etcdserver: request timed out"),
     ("malformed", "malformed JSON"), ("hang", "did not answer in time")],
)
async def test_faults_on_first_list_are_clear_errors(fake_k8s, collector, fault, expected):
    fake_k8s.cluster.set_fault(fault)
    snap = await collector().collect()
    assert snap.level is Level.UNKNOWN
    assert expected in snap.error
    fake_k8s.cluster.set_fault(None)


async def test_api_server_going_away_is_stale_then_recovers_by_itself(fake_k8s, collector):
    fake_k8s.cluster.put("pods", pod("api-1"))
    c = collector()
    assert (await c.collect()).error is None
    fake_k8s.stop()
    await eventually(lambda: c.snapshot().error is not None)
    stale = c.snapshot()
    assert "API server" in stale.error
    assert names(stale) == ["api-1"]  # the last data is kept, marked stale by the error
    fake_k8s.cluster.put("pods", pod("api-2"))  # changes while we could not see
    fake_k8s.start()
    await eventually(lambda: c.snapshot().error is None and "api-2" in names(c.snapshot()), timeout=15)


async def test_after_a_long_outage_the_api_server_coming_back_is_seen_within_seconds(fake_k8s, collector):
    fake_k8s.cluster.put("pods", pod("api-1"))
    c = collector()
    await c.collect()
    fake_k8s.stop()
    await eventually(lambda: c.snapshot().error is not None)
    assert "Connection refused" in c.snapshot().error
    for reflector in c.reflectors:
        reflector.backoff.failures = 12  # as after minutes down: a full backoff would wait 30 s
    await eventually(lambda: all(r.backoff.failures > 12 for r in c.reflectors))  # each waits again
    fake_k8s.start()
    await eventually(lambda: c.snapshot().error is None, timeout=6)


async def test_a_partition_marks_stale_and_the_watches_start_over(fake_k8s, collector):
    """Open watches that say nothing look like a quiet cluster: /readyz tells them apart."""
    fake_k8s.cluster.put("pods", pod("api-1"))
    c = collector(interval=0.3)  # /readyz every 1.5 s
    await c.collect()
    await eventually(lambda: sum("watch=true" in r for r in fake_k8s.cluster.requests) >= 3)  # all three watching
    fake_k8s.cluster.set_fault("silent")  # open watches stay open and go quiet for good; new requests hang
    fake_k8s.cluster.put("pods", pod("api-2"))  # a change the dead watch never delivers
    await eventually(lambda: c.snapshot().error is not None)
    assert c.snapshot().error == "API server did not answer in time"
    assert names(c.snapshot()) == ["api-1"]
    fake_k8s.cluster.set_fault(None)
    await eventually(lambda: c.snapshot().error is None and "api-2" in names(c.snapshot()), timeout=15)


async def test_back_from_an_outage_the_probe_does_not_hold_the_stale_marker(fake_k8s, collector):
    fake_k8s.cluster.put("pods", pod("api-1"))
    c = collector()
    c.probe_every = 60  # the probe's next look is far away
    await c.collect()
    fake_k8s.stop()
    await eventually(lambda: c.snapshot().error is not None)
    c._probe_error, c._unreachable = "API server did not answer in time", True  # as a probe that found nobody leaves it
    fake_k8s.start()
    await eventually(lambda: c.snapshot().error is None, timeout=8)  # the watches' relist clears it


async def test_api_server_not_ready_says_which_check_failed(fake_k8s, collector):
    fake_k8s.cluster.put("pods", pod("api-1"))
    c = collector(interval=0.3)
    await c.collect()
    fake_k8s.cluster.set_fault("not-ready")  # as with etcd down: /readyz fails, the watch cache still answers
    await eventually(lambda: c.snapshot().error is not None)
    assert c.snapshot().error == "API server not ready (HTTP 500: etcd failed)"
    fake_k8s.cluster.set_fault(None)
    await eventually(lambda: c.snapshot().error is None)
    assert c.pods[0].lists == 1  # it answered all along: no reason to start the watches over


async def test_watch_fault_mid_stream_marks_stale_and_relists(fake_k8s, collector):
    fake_k8s.cluster.put("pods", pod("api-1"))
    c = collector()
    await c.collect()
    fake_k8s.cluster.set_fault("500", "pods")
    await eventually(lambda: c.snapshot().error is not None)
    assert "HTTP 500" in c.snapshot().error and names(c.snapshot()) == ["api-1"]
    fake_k8s.cluster.set_fault(None, "pods")
    await eventually(lambda: c.snapshot().error is None, timeout=15)


async def test_namespaces_and_label_selector(fake_k8s, collector):
    fake_k8s.cluster.put("pods", pod("a", namespace="shop"))
    fake_k8s.cluster.put("pods", pod("b", namespace="shop", labels={"app": "worker"}))
    fake_k8s.cluster.put("pods", pod("c", namespace="other"))
    fake_k8s.cluster.put("pods", pod("d", namespace="pay"))
    snap = await collector(namespaces=["shop", "pay"], label_selector="app=api").collect()
    assert sorted((r.namespace, r.name) for r in snap.data.pods) == [("pay", "d"), ("shop", "a")]
    assert any(r.startswith("/api/v1/namespaces/shop/pods?") and "labelSelector=app%3Dapi" in r for r in fake_k8s.cluster.requests)
    assert any("fieldSelector=type%3DWarning" in r for r in fake_k8s.cluster.requests)


async def test_deployments_and_deduplicated_warning_events(fake_k8s, collector):
    fake_k8s.cluster.put("deployments", deployment("api"))
    fake_k8s.cluster.put("deployments", deployment("web", updated=1, ready=2, available=2, total=4, rolled_ago=timedelta(minutes=2)))
    fake_k8s.cluster.put("events", warning("e1", obj="api-1", count=3))
    fake_k8s.cluster.put("events", warning("e2", obj="api-1", count=2))  # same object, reason, message
    fake_k8s.cluster.put("events", warning("e3", obj="api-2", reason="Unhealthy", message="Readiness probe failed"))
    fake_k8s.cluster.put("events", warning("old", obj="api-3", ago=timedelta(minutes=40)))
    snap = await collector().collect()
    deps = {d.name: d for d in snap.data.deployments}
    assert deps["api"].rollout == "rolled out 12m ago" and deps["api"].level is Level.OK
    # "2m1s" when the machine is slow between writing the object and reading it back
    assert deps["web"].rollout.startswith("rolling out (since 2m") and deps["web"].level is Level.WARN
    events = {(e.name, e.reason): e.count for e in snap.data.events}
    assert events == {("api-1", "BackOff"): 5, ("api-2", "Unhealthy"): 1}


async def test_observations_for_crash_loops_and_rollouts(fake_k8s, collector):
    fake_k8s.cluster.put("pods", pod("api-1"))
    fake_k8s.cluster.put("pods", pod("already-broken", containers=[waiting("CrashLoopBackOff", restarts=9)]))
    fake_k8s.cluster.put("deployments", deployment("api"))
    c = collector()
    assert (await c.collect()).observations == ()  # pods broken before we looked are not "entering"
    fake_k8s.cluster.put("pods", pod("api-1", containers=[waiting("CrashLoopBackOff", restarts=1)]))
    fake_k8s.cluster.put("deployments", deployment("api", generation=2, observed=2, updated=1, total=4))
    await eventually(lambda: len(c._observations.pending) >= 2)
    said = c.snapshot().observations
    assert "[prod] pod entered CrashLoopBackOff: default/api-1" in said
    assert "[prod] rollout started: default/api (1/3 updated)" in said
    # flapping back and forth does not repeat the observation within 10 minutes
    fake_k8s.cluster.put("pods", pod("api-1"))
    fake_k8s.cluster.put("pods", pod("api-1", containers=[waiting("CrashLoopBackOff", restarts=2)]))
    fake_k8s.cluster.put("deployments", deployment("api", generation=2, observed=2))
    await eventually(lambda: len(c._observations.pending) >= 1)
    assert c.snapshot().observations == ("[prod] rollout finished: default/api (3/3 available)",)


async def test_observations_for_oom_kills_and_image_pulls(fake_k8s, collector):
    fake_k8s.cluster.put("pods", pod("api-1"))
    fake_k8s.cluster.put("pods", pod("api-2"))
    c = collector()
    await c.collect()
    oom = running(restarts=1, last_exit_ago=timedelta(seconds=5), last_reason="OOMKilled", exit_code=137)
    fake_k8s.cluster.put("pods", pod("api-1", containers=[oom]))  # killed and already running again
    fake_k8s.cluster.put("pods", pod("api-2", phase="Pending", containers=[waiting("ErrImagePull")]))
    fake_k8s.cluster.put("pods", pod("api-2", phase="Pending", containers=[waiting("ImagePullBackOff")]))  # same trouble
    await eventually(lambda: c.pods[0].resource_version == str(fake_k8s.cluster.rv))  # all three changes seen
    assert sorted(c.snapshot().observations) == [
        "[prod] pod OOMKilled: default/api-1", "[prod] pod entered ImagePullBackOff: default/api-2"]


async def test_status_json_lists_every_pod_with_pane_strings(fake_k8s, monkeypatch):
    for shape, *_ in SHAPES[:10]:
        fake_k8s.cluster.put("pods", shape)
    fake_k8s.cluster.put("deployments", deployment("api"))
    config = Config.model_validate({"kubernetes": [{"name": "prod", "timeout": "3s"}]})
    checks = await gather_checks(config, ["kubernetes"])
    pods = [c for c in checks if c.detail.get("kind") == "pod"]
    assert len(pods) == 10
    crash = next(c for c in pods if c.detail["pod"] == "crashloop")
    assert crash.level is Level.CRIT and crash.source == "kubernetes"
    assert set(crash.detail) >= {"namespace", "pod", "ready", "status", "restarts", "age", "node"}
    assert crash.detail["status"] == "CrashLoopBackOff" and crash.detail["ready"] == "0/1"
    assert crash.detail["restarts"].startswith("7 (") and crash.detail["restarts"].endswith(" ago)")
    assert [c.detail["deployment"] for c in checks if c.detail.get("kind") == "deployment"] == ["api"]
    json.dumps([c.as_json() for c in checks])  # serialisable


async def test_kubeconfig_list_named_context_and_exec_plugin(fake_k8s, tmp_path, monkeypatch):
    plugin = tmp_path / "token-plugin"
    plugin.write_text(f"#!{sys.executable}\nimport json\nprint(json.dumps({{'apiVersion': 'client.authentication.k8s.io/v1',"
                      " 'kind': 'ExecCredential', 'status': {'token': 'from-exec'}}))\n")
    plugin.chmod(plugin.stat().st_mode | stat.S_IEXEC)
    first = tmp_path / "first.yaml"
    first.write_text(json.dumps({"apiVersion": "v1", "kind": "Config", "current-context": "elsewhere",
                                 "clusters": [], "users": [], "contexts": []}))
    second = tmp_path / "second.yaml"
    second.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": fake_k8s.url}}],
        "users": [{"name": "u", "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": str(plugin),
                                                   "interactiveMode": "Never"}}}],
        "contexts": [{"name": "staging", "context": {"cluster": "c", "user": "u"}}],
    }))
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(first), str(second)]))
    fake_k8s.cluster.put("pods", pod("api-1"))
    c = KubernetesCollector(KubernetesTarget(name="staging", context="staging", timeout=5))
    try:
        snap = await c.collect()
        assert snap.error is None and names(snap) == ["api-1"]
        assert "Bearer from-exec" in fake_k8s.cluster.authorizations
    finally:
        await c.aclose()


async def test_no_kubeconfig_falls_back_to_in_cluster_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    c = KubernetesCollector(KubernetesTarget(name="prod", timeout=2))
    snap = await c.collect()
    await c.aclose()
    assert snap.level is Level.UNKNOWN
    assert snap.error.startswith("cannot load Kubernetes config")
    assert c.checks(snap)[0].level is Level.UNKNOWN


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make the test server's certificate")
async def test_no_kubeconfig_uses_the_pods_service_account(tmp_path, monkeypatch):
    from kubernetes.aio.config import incluster_config

    cert, key, token = tmp_path / "ca.crt", tmp_path / "tls.key", tmp_path / "token"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=30)
    token.write_text("service-account-token")
    server = SimulatedApiServer(tls=(cert, key)).start()
    server.cluster.put("pods", pod("api-1"))
    monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(token))
    monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(cert))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", str(server.port))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    c = KubernetesCollector(KubernetesTarget(name="in-cluster", timeout=5))
    try:
        snap = await c.collect()
        assert snap.error is None and names(snap) == ["api-1"]
        assert "bearer service-account-token" in {a.lower() for a in server.cluster.authorizations}
    finally:
        await c.aclose()
        server.stop()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make the test server's certificate")
async def test_https_api_server_is_verified_against_the_kubeconfigs_own_ca(tmp_path):
    """The common case: a cluster's kubeconfig names its CA inline (certificate-authority-data).
    A server whose certificate that CA did not sign is refused, not read."""
    from tests.health.health_servers import self_signed_cert

    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    server = SimulatedApiServer(tls=self_signed_cert(tmp_path / "ours")).start()
    server.cluster.put("pods", pod("api-1"))
    impostor_ca = SimulatedApiServer(port=server.port, tls=self_signed_cert(tmp_path / "theirs"))
    good = server.write_kubeconfig(tmp_path / "good")
    bad = impostor_ca.write_kubeconfig(tmp_path / "bad")
    try:
        assert json.loads(good.read_text())["clusters"][0]["cluster"]["server"].startswith("https://")
        c = KubernetesCollector(KubernetesTarget(name="prod", kubeconfig=str(good), timeout=5))
        try:
            snap = await c.collect()
            assert snap.error is None and names(snap) == ["api-1"]
        finally:
            await c.aclose()
        c = KubernetesCollector(KubernetesTarget(name="prod", kubeconfig=str(bad), timeout=5))
        try:
            snap = await c.collect()
            assert snap.level is Level.UNKNOWN and snap.data is None
            assert snap.error.startswith("API server certificate not trusted (127.0.0.1:")
            assert "self-signed certificate" in snap.error and "unreachable" not in snap.error
        finally:
            await c.aclose()
    finally:
        server.stop()


async def test_https_named_for_a_plain_http_api_server_says_tls_failed(tmp_path):
    """A kubeconfig saying https:// for a port that speaks plain HTTP (or the reverse proxy's
    wrong port): the handshake fails, which is not "unreachable: Operation not permitted"."""
    server = SimulatedApiServer().start()
    try:
        kubeconfig = server.write_kubeconfig(tmp_path / "kubeconfig")
        doc = json.loads(kubeconfig.read_text())
        doc["clusters"][0]["cluster"]["server"] = server.url.replace("http://", "https://")
        doc["clusters"][0]["cluster"]["insecure-skip-tls-verify"] = True
        kubeconfig.write_text(json.dumps(doc))
        c = KubernetesCollector(KubernetesTarget(name="prod", kubeconfig=str(kubeconfig), timeout=5))
        try:
            snap = await c.collect()
            assert snap.level is Level.UNKNOWN and snap.data is None
            assert snap.error.startswith(f"TLS with the API server failed (127.0.0.1:{server.port}: ")
            assert "\n" not in snap.error
        finally:
            await c.aclose()
    finally:
        server.stop()


async def test_closing_right_after_the_first_collect_is_prompt(fake_k8s):
    """`warroom status` closes the collector as soon as it has the list, while the watches
    are being opened: a cancel swallowed there (wait_for on Python 3.11) cost a full second."""
    for i in range(50):
        fake_k8s.cluster.put("pods", pod(f"api-{i}"))
    slowest = 0.0
    for _ in range(10):
        c = KubernetesCollector(KubernetesTarget(name="prod", timeout=5))
        await c.collect()
        started = asyncio.get_running_loop().time()
        await c.aclose()
        slowest = max(slowest, asyncio.get_running_loop().time() - started)
    assert slowest < 0.5


async def test_status_lists_every_page_as_the_dashboard_does(fake_k8s):
    """`warroom status` asks for a list's next page before compacting the current one; the
    dashboard reads them one after another: both end with every pod, once."""
    for i in range(1_200):  # three pages of 500
        fake_k8s.cluster.put("pods", pod(f"api-{i:04d}", namespace=f"team-{i % 3}"))
    config = Config.model_validate({"kubernetes": [{"name": "prod", "timeout": "10s"}]})
    checks = await gather_checks(config, ["kubernetes"])
    listed = sorted(c.detail["pod"] for c in checks if c.detail.get("kind") == "pod")
    dashboard = KubernetesCollector(KubernetesTarget(name="prod", timeout=10))
    try:
        shown = sorted(row.name for row in (await dashboard.collect()).data.pods)
    finally:
        await dashboard.aclose()
    assert listed == shown == [f"api-{i:04d}" for i in range(1_200)]
