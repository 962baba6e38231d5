"""Durable append latency (p50/p99) and `warroom log` wall time, printed as JSON.

    python benchmarks/timeline_append.py [--appends 2000] [--cli-runs 30]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.domain.events import EventType, NewEvent  # noqa: E402
from app.store.sqlite import SQLiteStore  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--cli-runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        store = SQLiteStore(db)
        incident = store.open_incident(
            title="bench", severity="SEV2", actor="bench", at=datetime.now(UTC), id_format="INC-{year}-{seq:03d}"
        ).incident_id
        latencies = []
        for i in range(args.appends):
            event = NewEvent(EventType.ENTRY_ADDED, datetime.now(UTC), "bench", {"kind": "note", "text": f"entry {i}"})
            start = time.perf_counter()
            store.append(incident, event)
            latencies.append((time.perf_counter() - start) * 1000)
        store.close()

        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        cli = []
        for i in range(args.cli_runs):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "app", "log", "--store", f"sqlite:///{db}", f"cli entry {i}"],
                check=True, capture_output=True, env=env, cwd=tmp,
            )
            cli.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        python_start_ms = (time.perf_counter() - start) * 1000

    print(json.dumps({
        "benchmark": "timeline_append",
        "appends": args.appends,
        "append_ms_p50": round(statistics.median(latencies), 3),
        "append_ms_p99": round(percentile(latencies, 0.99), 3),
        "append_ms_max": round(max(latencies), 3),
        "cli_log_runs": args.cli_runs,
        "cli_log_ms_p50": round(statistics.median(cli), 1),
        "cli_log_ms_p99": round(percentile(cli, 0.99), 1),
        "bare_python_start_ms": round(python_start_ms, 1),
        "durability": "WAL, synchronous=FULL; append returns after COMMIT",
        "goal": "no regression of append p99 and `warroom log` p50 (README table)",
    }, indent=2))


if __name__ == "__main__":
    main()
