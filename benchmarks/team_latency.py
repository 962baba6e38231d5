"""Entry typed on one terminal → on another terminal's screen: the latency, per store. Prints JSON.

Two incident sessions (the TUI's store-side half: its store thread and its sync thread) on
one store, as the commander's and the scribe's terminals are; A submits an entry, the time
until B's session posts it (EventsAppended, which the screen renders in the same loop turn)
is measured. PostgreSQL (pgserver, or $WARROOM_TEST_DSN) wakes B by NOTIFY; SQLite has no
push, so B asks every 0.4 s (app/incident/sync.py), shown beside it.

Run: python benchmarks/team_latency.py [--entries 200]   (in the project's venv)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.config import Config  # noqa: E402
from app.incident import IncidentCore, LogEntry  # noqa: E402
from app.incident import results as r  # noqa: E402
from app.incident.session import IncidentSession  # noqa: E402
from app.store import open_store  # noqa: E402

GOAL_P95_MS = 300


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(url: str, entries: int) -> dict:
    arrived: dict[str, float] = {}
    seen = threading.Condition()

    def on_b(result) -> None:
        if isinstance(result, r.EventsAppended):
            now = time.perf_counter()
            with seen:
                for event in result.events:
                    arrived.setdefault(str(event.data.get("text", "")), now)
                seen.notify_all()

    with open_store(url) as setup:
        incident = IncidentCore(setup, Config(operator="alice", timezone="UTC")).open("Latency drill", "SEV3").incident_id
    a = IncidentSession(IncidentCore(open_store(url), Config(operator="alice", timezone="UTC")), lambda result: None)
    b = IncidentSession(IncidentCore(open_store(url), Config(operator="bob", timezone="UTC")), on_b)
    for session in (a, b):
        session.load(incident)
        session.drain()
        session.start()
    latencies = []
    try:
        for i in range(entries):
            text = f"entry {i}"
            sent = time.perf_counter()
            a.submit(incident, LogEntry(text))
            with seen:
                if not seen.wait_for(lambda: text in arrived, timeout=10):
                    raise SystemExit(f"{url.split(':')[0]}: entry {i} never reached the other terminal")
            latencies.append((arrived[text] - sent) * 1000)
            time.sleep(random.uniform(0.05, 0.45))  # people type at any moment, not in step with a poll
    finally:
        for session in (a, b):
            session.close()
            session.core.store.close()
    return {"p50_ms": round(statistics.median(latencies), 1), "p95_ms": round(_quantile(latencies, 0.95), 1),
            "max_ms": round(max(latencies), 1), "entries": entries}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200)
    args = parser.parse_args()
    out: dict = {"goal": f"p95 ≤ {GOAL_P95_MS} ms on a local PostgreSQL"}
    with tempfile.TemporaryDirectory() as tmp:
        dsn = os.environ.get("WARROOM_TEST_DSN")
        server = None
        if not dsn:
            import pgserver

            server = pgserver.get_server(Path(tmp) / "pg", cleanup_mode="stop")
            dsn = server.get_uri()
        try:
            pg = measure(dsn, args.entries)
            pg["meets_goal"] = pg["p95_ms"] <= GOAL_P95_MS
            out["postgresql"] = pg
            out["sqlite_polled_every_0.4s"] = measure(f"sqlite:///{tmp}/team.db", min(args.entries, 50))
        finally:
            if server is not None:
                server.cleanup()
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
