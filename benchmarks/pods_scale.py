"""5,000 pods: first full table vs `kubectl get pods -A`, CPU under 50 pod changes/s, memory, key latency.

The fake API server runs in a child process so its CPU is not counted as ours.
Run:  python benchmarks/pods_scale.py [--pods 5000] [--churn-seconds 60]   (prints JSON)

Key latency is a Down key posted to the app until the cursor has moved (the screen is
painted at the next frame, at most 1/60 s later); Pilot's own press() waits for the CPU to
go idle and adds about 100 ms whatever the app does. While the pods churn, a task that
sleeps 5 ms at a time records how late it wakes: a stall there is a frozen screen and a
late key. Full garbage collections are timed too (they were the 120-300 ms freezes).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import gc
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _pods(count: int) -> list[dict]:
    from tests.kubernetes.pod_shapes import SHAPES

    pods = []
    for i in range(count):
        obj = copy.deepcopy(SHAPES[i % len(SHAPES)][0])
        meta = obj["metadata"]
        meta["name"] = f"{meta['name']}-{i:05d}"
        meta["namespace"] = f"team-{i % 20:02d}"
        meta["uid"] = f"uid-{i:05d}"
        pods.append(obj)
    return pods


def serve(count: int) -> None:
    """Child process: serve `count` pods; after a line on stdin, change 50 pods per second."""
    from tests.kubernetes.fake_apiserver import FakeApiServer

    server = FakeApiServer().start()
    pods = _pods(count)
    for obj in pods:
        server.cluster.put("pods", obj)
    print(server.url, flush=True)
    sys.stdin.readline()
    i = 0
    while True:  # bounded by the parent, which kills us
        started = time.monotonic()
        for _ in range(5):
            obj = copy.deepcopy(pods[i % count])
            obj["status"]["containerStatuses"] = [
                dict(c, restartCount=int(c.get("restartCount") or 0) + i // count + 1) for c in obj["status"].get("containerStatuses") or []
            ]
            server.cluster.put("pods", obj)
            i += 1
        time.sleep(max(0.0, 0.1 - (time.monotonic() - started)))


def _summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"median": round(ordered[len(ordered) // 2] * 1000, 1), "p99": round(ordered[int(len(ordered) * 0.99)] * 1000, 1),
            "max": round(ordered[-1] * 1000, 1), "samples": len(ordered)}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure_deserialization(url: str) -> dict:
    """Same PodList body: the client's models vs json.loads + our compact records."""
    import urllib.request

    from app.collectors.k8s_records import compact_pod
    from kubernetes.aio.client import ApiClient

    body = urllib.request.urlopen(f"{url}/api/v1/pods", timeout=60).read()
    t0 = time.perf_counter()
    [compact_pod(p) for p in json.loads(body)["items"]]
    raw = time.perf_counter() - t0
    client = ApiClient()
    t0 = time.perf_counter()
    client.deserialize(body.decode(), "V1PodList", "application/json")
    models = time.perf_counter() - t0
    return {"body_mb": round(len(body) / 1e6, 2), "raw_json_plus_compact_s": round(raw, 3), "client_models_s": round(models, 3)}


async def run_app(kubeconfig: Path, count: int, churn_seconds: float, start_churn) -> dict:
    from textual import events
    from textual.app import App, ComposeResult

    from app.collectors.kubernetes import KubernetesCollector
    from app.config.kubernetes import KubernetesTarget
    from app.ui.panes.kubernetes import PodsPane
    from app.ui.styles import css_paths

    collector = KubernetesCollector(KubernetesTarget(name="bench", kubeconfig=str(kubeconfig), timeout=60))

    class Bench(App[None]):
        CSS_PATH = css_paths()

        def compose(self) -> ComposeResult:
            yield PodsPane([collector], title="Kubernetes pods")

    result: dict = {}
    app = Bench()
    started = time.perf_counter()
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(PodsPane)
        while pane.table.row_count == 0:
            await pilot.pause(0.02)
        result["first_rows_on_screen_s"] = round(time.perf_counter() - started, 2)
        while pane.table.row_count < count:
            await pilot.pause(0.02)
        result["first_full_table_s"] = round(time.perf_counter() - started, 2)
        await pilot.pause(1.0)
        pane.table.focus()
        stalls: list[float] = []
        full_gcs: list[float] = []
        gc_started = [0.0]

        def on_gc(phase: str, info: dict) -> None:
            if info["generation"] == 2:
                if phase == "start":
                    gc_started[0] = time.perf_counter()
                else:
                    full_gcs.append(time.perf_counter() - gc_started[0])

        async def watch_loop() -> None:
            while True:
                t0 = time.perf_counter()
                await asyncio.sleep(0.005)
                stalls.append(time.perf_counter() - t0 - 0.005)

        watcher = asyncio.create_task(watch_loop())
        gc.callbacks.append(on_gc)
        start_churn()
        cpu0, wall0 = cpu_seconds(), time.perf_counter()
        latencies = []
        while time.perf_counter() - wall0 < churn_seconds:
            before = pane.table.cursor_row
            t0 = time.perf_counter()
            app.post_message(events.Key("down", None))
            while pane.table.cursor_row == before and before < count - 1:
                await asyncio.sleep(0.001)
            latencies.append(time.perf_counter() - t0)
            await asyncio.sleep(0.25)
        cpu = cpu_seconds() - cpu0
        wall = time.perf_counter() - wall0
        watcher.cancel()
        gc.callbacks.remove(on_gc)
        result["churn"] = {"changes_per_s": 50, "seconds": round(wall, 1), "cpu_s": round(cpu, 2),
                           "cpu_s_per_minute": round(cpu / wall * 60, 1), "cpu_percent_of_one_core": round(cpu / wall * 100, 1)}
        result["keypress_to_cursor_moved_ms"] = _summary(latencies)
        result["event_loop_stall_ms"] = _summary(stalls) | {"over_100ms": sum(s > 0.1 for s in stalls)}
        result["full_gc_pause_ms"] = _summary(full_gcs) if full_gcs else {"samples": 0}
        result["pods_in_table"] = pane.table.row_count
        result["watch_relists"] = collector.pods[0].lists
    await collector.aclose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=5000)
    parser.add_argument("--churn-seconds", type=float, default=60.0)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.pods)
    child = subprocess.Popen([sys.executable, __file__, "--serve", "--pods", str(args.pods)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        url = child.stdout.readline().strip()
        from tests.kubernetes.fake_apiserver import FakeApiServer

        tmp = Path(tempfile.mkdtemp())
        fake = FakeApiServer(port=int(url.rsplit(":", 1)[1]))
        kubeconfig = fake.write_kubeconfig(tmp / "kubeconfig")
        out: dict = {"pods": args.pods}
        kubectl = shutil.which("kubectl")
        if kubectl:
            t0 = time.perf_counter()
            subprocess.run([kubectl, "--kubeconfig", str(kubeconfig), "get", "pods", "-A"], check=True,
                           capture_output=True, timeout=120)
            out["kubectl_get_pods_A_s"] = round(time.perf_counter() - t0, 2)

        def start_churn() -> None:
            child.stdin.write("go\n")
            child.stdin.flush()

        out.update(asyncio.run(run_app(kubeconfig, args.pods, args.churn_seconds, start_churn)))
        out["peak_rss_mb_app"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        out["deserialize_5000"] = measure_deserialization(url)  # after: the models' own peak is not ours
        print(json.dumps(out, indent=2))
    finally:
        child.kill()
        child.wait(timeout=10)


if __name__ == "__main__":
    main()
