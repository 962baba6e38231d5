"""`warroom demo` start-up as a person sees it, in tmux at 120x40: from the command to the
dashboard on screen (goal <= 1 s) and to every pane showing data (goal <= 5 s). Prints JSON.

    python benchmarks/demo_startup.py [--runs 3]

Each run starts `warroom demo` (this checkout's Python) in a fresh tmux session with its
own user dirs, reads the screen with `tmux capture-pane` every 20 ms, then quits with
ctrl+q and waits for the drill to be gone. The drill store holds an open incident, so the
dashboard resumes it instead of asking to open one (the dialog would cover the panes).
Beside it, interleaved, the ordinary dashboard on the same four panes: the part of the
start-up that is the dashboard's own.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SESSION = "warroom-demo-bench"
GOALS = {"dashboard_on_screen_s": 1.0, "every_pane_has_data_s": 5.0}


def screen() -> str:
    result = subprocess.run(["tmux", "capture-pane", "-p", "-t", SESSION], capture_output=True, text=True)
    return result.stdout


def on_screen(text: str) -> bool:
    return all(title in text for title in ("Health", "Error rates", "PostgreSQL", "Kubernetes pods"))


def has_data(text: str) -> dict[str, bool]:
    return {
        # a latency in every health row (checkout, payments, search)
        "health": all(re.search(rf"{name}\s+\S+ \w+\s+\d{{3}}\s+\d+ ms", text) for name in ("checkout", "payments", "search")),
        # a rate from two scrapes in every error-rate row, not "collecting…"
        "errors": all(re.search(rf"{name} 5xx\s+[\d.]+%", text) for name in ("checkout", "payments", "search")),
        "postgres": re.search(r"shop-db\s+\[.*\]\s+\d+/40", text) is not None,
        "kubernetes": text.count("Running") >= 3,
    }


def run_once(home: Path) -> dict[str, float | None]:
    env = f"XDG_DATA_HOME={home}/data XDG_STATE_HOME={home}/state XDG_CONFIG_HOME={home}/config"
    store = f"sqlite:///{home}/drills.db"
    subprocess.run(f"{env} {sys.executable} -m app incident open --store {store} --severity SEV2 --title bench",
                   shell=True, check=True, capture_output=True, cwd=ROOT)
    command = f"cd {ROOT} && {env} exec {sys.executable} -m app demo --store {store}"
    started = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", command], check=True)
    shown = data = None
    deadline = started + 30
    while time.perf_counter() < deadline and data is None:
        text = screen()
        now = time.perf_counter() - started
        if shown is None and on_screen(text):
            shown = now
        if shown is not None and all(has_data(text).values()):
            data = now
        time.sleep(0.02)
    last = screen()
    subprocess.run(["tmux", "send-keys", "-t", SESSION, "C-q"], check=False)
    for _ in range(300):
        if subprocess.run(["tmux", "has-session", "-t", SESSION], capture_output=True).returncode != 0:
            break
        time.sleep(0.1)
    else:
        subprocess.run(["tmux", "kill-session", "-t", SESSION], check=False)
    if data is None:
        print(f"every pane did not show data within 30 s: {has_data(last)}\n{last}", file=sys.stderr)
    return {"dashboard_on_screen_s": shown, "every_pane_has_data_s": data}


def baseline_once(home: Path) -> float | None:
    """The ordinary dashboard on four configured panes (targets down: the first frame does
    not wait for them), for comparison: what the drill adds to it."""
    kubeconfig = home / "kubeconfig"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "x",
        "clusters": [{"name": "x", "cluster": {"server": "http://127.0.0.1:9"}}],
        "users": [{"name": "x", "user": {"token": "t"}}], "contexts": [{"name": "x", "context": {"cluster": "x", "user": "x"}}]}))
    config = home / "warroom.yaml"
    config.write_text(json.dumps({
        "health": [{"name": n, "url": f"http://127.0.0.1:9/{n}"} for n in ("checkout", "payments", "search")],
        "error_rates": [{"name": f"{n} 5xx", "metrics_url": "http://127.0.0.1:9/metrics", "counter": "http_requests_total",
                         "errors": {"code": "5.."}} for n in ("checkout", "payments", "search")],
        "postgres": [{"name": "shop-db", "dsn": f"postgresql://postgres@/postgres?host={home}"}],
        "kubernetes": [{"name": "shop", "kubeconfig": str(kubeconfig), "namespaces": ["shop"]}]}))
    env = f"XDG_DATA_HOME={home}/data XDG_STATE_HOME={home}/state XDG_CONFIG_HOME={home}/config"
    command = f"cd {ROOT} && {env} exec {sys.executable} -m app --config {config} --store sqlite:///{home}/b.db"
    started = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", command], check=True)
    shown = None
    while time.perf_counter() < started + 30 and shown is None:
        if on_screen(screen()):
            shown = time.perf_counter() - started
        time.sleep(0.02)
    subprocess.run(["tmux", "kill-session", "-t", SESSION], check=False)
    return shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print(json.dumps({"benchmark": "demo_startup", "skipped": "tmux is not installed"}))
        return
    runs, baseline = [], []
    for _ in range(args.runs):  # interleaved: both see the same machine load
        with tempfile.TemporaryDirectory(prefix="warroom-demo-bench-") as home:
            runs.append(run_once(Path(home)))
        with tempfile.TemporaryDirectory(prefix="warroom-demo-bench-") as home:
            baseline.append(baseline_once(Path(home)))
    figures = {}
    for key, goal in GOALS.items():
        values = [r[key] for r in runs if r[key] is not None]
        figures[key] = {
            "median": round(statistics.median(values), 3) if values else None,
            "max": round(max(values), 3) if values else None,
            "goal": goal,
            "met": bool(values) and len(values) == len(runs) and max(values) <= goal,
        }
    shown = [b for b in baseline if b is not None]
    figures["plain_dashboard_same_panes_on_screen_s"] = {
        "median": round(statistics.median(shown), 3) if shown else None, "max": round(max(shown), 3) if shown else None}
    print(json.dumps({"benchmark": "demo_startup", "size": "120x40", "runs": len(runs),
                      "load_average_1m": round(os.getloadavg()[0], 2), **figures}, indent=2))


if __name__ == "__main__":
    main()
