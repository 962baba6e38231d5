"""READY / STATUS / RESTARTS / AGE for every pod shape, by kubectl's printer rules."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from app.collectors.kubectl_printer import human_duration, pod_columns, since
from tests.kubernetes.pod_shapes import NOW, SHAPES, pod


@pytest.mark.parametrize(("shape", "ready", "status", "restarts"), SHAPES, ids=[s[0]["metadata"]["name"] for s in SHAPES])
def test_pod_shape_prints_like_kubectl(shape, ready, status, restarts):
    columns = pod_columns(shape)
    assert (columns.ready, columns.status, columns.restarts_text(NOW)) == (ready, status, restarts)


def test_there_are_at_least_30_shapes():
    assert len(SHAPES) >= 30
    assert len({s[2] for s in SHAPES}) >= 25  # distinct STATUS values


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(-5, "<invalid>"), (-1, "0s"), (0, "0s"), (45, "45s"), (119, "119s"), (120, "2m"), (200, "3m20s"),
     (599, "9m59s"), (600, "10m"), (179 * 60, "179m"), (3 * 3600, "3h"), (5 * 3600 + 180, "5h3m"),
     (8 * 3600, "8h"), (47 * 3600, "47h"), (48 * 3600, "2d"), (3 * 86400 + 4 * 3600, "3d4h"),
     (8 * 86400, "8d"), (400 * 86400, "400d"), (730 * 86400, "2y"), (760 * 86400, "2y30d"), (9 * 365 * 86400, "9y")],
)
def test_human_duration_matches_apimachinery(seconds, text):
    assert human_duration(timedelta(seconds=seconds)) == text


def test_missing_time_is_unknown():
    assert since(None, NOW) == "<unknown>"


KUBECTL = shutil.which("kubectl")


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed (Debian package kubernetes-client)")
def test_names_and_ages_match_real_kubectl(fake_k8s):
    """Real kubectl against the same PodList.

    A real API server prints pods server-side (kubectl asks for a meta.k8s.io Table), so
    against plain v1 JSON kubectl falls back to its generic NAME / AGE columns. Those it
    computes itself, with the same HumanDuration we follow: compare them for every shape.
    STATUS / READY / RESTARTS are covered by the table-driven test above.
    """
    now = datetime.now(UTC)
    ages = [timedelta(seconds=s) for s in (30, 150, 500, 1800, 4 * 3600 + 600, 20 * 3600, 3 * 86400 + 7200, 50 * 86400, 800 * 86400)]
    for i, (shape, *_rest) in enumerate(SHAPES):
        age = ages[i % len(ages)]
        obj = pod(shape["metadata"]["name"], age=age) | {"spec": shape["spec"], "status": shape["status"]}
        obj["metadata"]["creationTimestamp"] = (now - age).strftime("%Y-%m-%dT%H:%M:%SZ")
        fake_k8s.cluster.put("pods", obj)
    out = subprocess.run([KUBECTL, "--kubeconfig", str(fake_k8s.kubeconfig), "get", "pods", "--no-headers"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    kubectl_rows = dict(line.split() for line in out.splitlines())
    ours = {}
    for obj in fake_k8s.cluster.objects["pods"].values():
        created = datetime.fromisoformat(obj["metadata"]["creationTimestamp"].replace("Z", "+00:00"))
        ours[obj["metadata"]["name"]] = since(created, datetime.now(UTC))
    assert kubectl_rows == ours
