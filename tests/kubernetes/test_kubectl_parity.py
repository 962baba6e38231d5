"""Every pod shape served to the real kubectl, the pane and `warroom status --json`: same strings.

kubectl (1.27-1.33) asks the API server for a meta.k8s.io Table and prints its cells: the
READY / STATUS / RESTARTS rules (printPod) run in the API server, not in the kubectl
binary. Against plain v1 JSON, as any server without those printers returns, kubectl falls
back to its built-in columns, NAMESPACE / NAME / AGE, and prints NODE through
custom-columns. Those we compare with the real binary, string for string. READY / STATUS /
RESTARTS are compared with what printPod prints for each shape (pod_shapes.SHAPES), with
warroom's clock set to the moment the shapes are timed from. Those expectations follow
printPod as of Kubernetes 1.35, which includes PR #124766 (a pod whose first container
Completed while another failed prints the failure, e.g. Error, not Completed).

kubectl's clock cannot be set, so an AGE under 10 minutes (printed to the second) is
checked against the strings warroom prints over the seconds kubectl ran; longer ages sit
mid-minute so they have a single right answer.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.collectors import kubernetes as kube_module
from app.collectors.kubectl_printer import parse_time, since
from app.collectors.kubernetes import KubernetesCollector
from app.config.kubernetes import KubernetesTarget
from app.ui.panes.kubernetes import PodsPane
from app.drill.kube_api import SimulatedApiServer
from tests.kubernetes.pod_shapes import NOW, SHAPES
from tests.kubernetes.test_pods_pane import pods_host
from tests.support import until

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed (Debian package kubernetes-client)")

ROOT = Path(__file__).resolve().parents[2]
NAMESPACES = ("default", "shop", "kube-system")
S = timedelta(seconds=1)
AGES = [45 * S, 150 * S, 599 * S, timedelta(minutes=30, seconds=30), timedelta(hours=4, minutes=10, seconds=30),
        timedelta(hours=20, seconds=30), timedelta(days=3, hours=2, seconds=30), timedelta(days=50, seconds=30),
        timedelta(days=800, seconds=30)]
_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
COLUMNS = ("ready", "status", "restarts", "age", "node")


def retimed(value, shift: timedelta):
    """The same object with every timestamp moved by `shift`."""
    if isinstance(value, dict):
        return {k: retimed(v, shift) for k, v in value.items()}
    if isinstance(value, list):
        return [retimed(v, shift) for v in value]
    if isinstance(value, str) and _STAMP.match(value):
        return (parse_time(value) + shift).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


class Served:
    """The shapes on a fake API server, timed from `base` (a whole second in the recent past)."""

    def __init__(self, tmp: Path) -> None:
        self.base = datetime.now(UTC).replace(microsecond=0)
        self.server = SimulatedApiServer().start()
        self.kubeconfig = self.server.write_kubeconfig(tmp / "kubeconfig")
        self.expected: dict[tuple[str, str], dict[str, str]] = {}
        for i, (shape, ready, status, restarts) in enumerate(SHAPES):
            obj = retimed(shape, self.base - NOW)
            meta = obj["metadata"]
            meta["namespace"] = NAMESPACES[i % len(NAMESPACES)]
            meta["uid"] = f"uid-{i}"
            created = self.base - AGES[i % len(AGES)]
            meta["creationTimestamp"] = created.strftime("%Y-%m-%dT%H:%M:%SZ")
            self.server.cluster.put("pods", obj)
            self.expected[(meta["namespace"], meta["name"])] = {
                "ready": ready, "status": status, "restarts": restarts, "age": since(created, self.base),
                "node": obj["spec"].get("nodeName") or "<none>", "created": created,
            }

    def kubectl(self, *args: str) -> tuple[list[list[str]], datetime, datetime]:
        started = datetime.now(UTC)
        out = subprocess.run([KUBECTL, "--kubeconfig", str(self.kubeconfig), "get", "pods", "-A", "--no-headers", *args],
                             capture_output=True, text=True, timeout=60, check=True).stdout
        return [line.split() for line in out.splitlines()], started, datetime.now(UTC)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("k8s"))
    yield s
    s.server.stop()


def ages_between(created: datetime, start: datetime, end: datetime) -> set[str]:
    moments = [start + k * S for k in range(int((end - start).total_seconds()) + 1)] + [end]
    return {since(created, t) for t in moments}


def test_names_namespaces_ages_and_nodes_are_kubectls(served):
    wide, start, end = served.kubectl("-o", "wide")
    nodes, _, _ = served.kubectl("-o", "custom-columns=NAMESPACE:.metadata.namespace,NAME:.metadata.name,NODE:.spec.nodeName")
    assert {(r[0], r[1]) for r in wide} == set(served.expected), "kubectl and the shapes list different pods"
    wrong = []
    for namespace, name, age in wide:
        want = served.expected[(namespace, name)]
        # warroom's AGE at any moment kubectl was running (one string for ages over 10 min)
        if age not in ages_between(want["created"], start, end):
            wrong.append((namespace, name, "AGE", age, since(want["created"], start)))
    for namespace, name, node in nodes:
        if node != served.expected[(namespace, name)]["node"]:
            wrong.append((namespace, name, "NODE", node, served.expected[(namespace, name)]["node"]))
    assert wrong == []


FROZEN_STATUS = (
    "import sys, datetime; import app.collectors.kubernetes as k;"
    "frozen = datetime.datetime.fromisoformat(sys.argv[1]); k.now_utc = lambda: frozen;"
    "from app.cli import main; sys.exit(main(['status', '--json', '--config', sys.argv[2]]))"
)


def test_status_json_lists_every_pod_as_kubectl_prints_it(served, tmp_path):
    config = tmp_path / "warroom.yaml"
    config.write_text(json.dumps({"kubernetes": [{"name": "prod", "kubeconfig": str(served.kubeconfig), "timeout": "10s"}]}))
    result = subprocess.run([sys.executable, "-c", FROZEN_STATUS, served.base.isoformat(), str(config)],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2, result.stderr  # CRIT: crash loops among the shapes
    pods = [c for c in json.loads(result.stdout)["checks"] if c.get("detail", {}).get("kind") == "pod"]
    assert len(pods) == len(SHAPES)
    got = {(c["detail"]["namespace"], c["detail"]["pod"]): {k: c["detail"][k] for k in COLUMNS} for c in pods}
    want = {key: {k: v[k] for k in COLUMNS} for key, v in served.expected.items()}
    mismatches = {key: (got[key], want[key]) for key in want if got.get(key) != want[key]}
    assert mismatches == {}
    assert all(c["source"] == "kubernetes" for c in pods)


async def test_pane_rows_say_what_kubectl_says(served, monkeypatch):
    monkeypatch.setattr(kube_module, "now_utc", lambda: served.base)
    collector = KubernetesCollector(KubernetesTarget(name="prod", kubeconfig=str(served.kubeconfig), timeout=10, interval=0.2))
    app = pods_host([collector])
    async with app.run_test(size=(200, 60)) as pilot:
        pane = app.query_one(PodsPane)
        await until(pilot, lambda: pane.table.row_count == len(SHAPES), timeout=20)
        assert [c.label.plain for c in pane.table.columns.values()] == [
            "", "NS/NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE"]
        got = {}
        for i in range(pane.table.row_count):
            _level, namespaced, *cells = (cell.plain for cell in pane.table.get_row_at(i))
            namespace, _, name = namespaced.partition("/")
            got[(namespace, name)] = dict(zip(COLUMNS, cells, strict=True))
    await collector.aclose()
    want = {key: {k: v[k] for k in COLUMNS} for key, v in served.expected.items()}
    assert {key: (got.get(key), want[key]) for key in want if got.get(key) != want[key]} == {}
