"""The shared store, measured: PostgreSQL beside SQLite in the same run, each figure with its goal.

1. append latency (durable: returns after COMMIT), p50/p99;
2. `warroom log` wall time (a new process each run, as from a script), p50/p95;
3. entry to other terminal: one store appends, another (its own connections) learns of it
   and reads it back. PostgreSQL wakes on NOTIFY (`wait_for_change`); SQLite is polled
   every 0.4 s, as the dashboard does. Measured from just before `append` to the moment the
   entry was read by the other store, p50/p95.

Starts its own PostgreSQL with pgserver (a local socket) unless --dsn names one (e.g. a
server across the LAN, for the "LAN-like link" figure).

    python benchmarks/store_sync.py [--dsn postgresql://...] [--appends 1000] [--cli-runs 20] [--sync 100]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.domain.events import EventType, NewEvent  # noqa: E402
from app.store import IncidentStore, open_store  # noqa: E402

SQLITE_POLL_S = 0.4  # app/ui/app.py POLL_SECONDS
GOALS = {"append_ms_p99": 25.0, "cli_log_ms": 300.0, "sync_ms_p95": 300.0}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _entry(text: str) -> NewEvent:
    return NewEvent(EventType.ENTRY_ADDED, datetime.now(UTC), "bench", {"kind": "note", "text": text})


def _incident(store: IncidentStore) -> str:
    return store.open_incident(title="bench", severity="SEV2", actor="bench", at=datetime.now(UTC), id_format="INC-{year}-{seq:03d}").incident_id


def append_latency(url: str, count: int) -> dict[str, float]:
    with open_store(url) as store:
        incident = _incident(store)
        times = []
        for i in range(count):
            event = _entry(f"entry {i}")
            start = time.perf_counter()
            store.append(incident, event)
            times.append((time.perf_counter() - start) * 1000)
    return {"p50": round(statistics.median(times), 3), "p99": round(percentile(times, 0.99), 3), "max": round(max(times), 3)}


def cli_log(url: str, runs: int, cwd: str) -> dict[str, float]:
    with open_store(url) as store:
        incident = _incident(store)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    for i in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "app", "log", "--store", url, "--incident", incident, f"cli {i}"], check=True, capture_output=True, env=env, cwd=cwd)
        times.append((time.perf_counter() - start) * 1000)
    return {"p50": round(statistics.median(times), 1), "p95": round(percentile(times, 0.95), 1)}


def entry_to_other_terminal(url: str, samples: int, pushes: bool) -> dict[str, float]:
    with open_store(url) as writer, open_store(url) as watcher:
        incident = _incident(writer)
        sent: dict[str, float] = {}
        seen: dict[str, float] = {}
        done = threading.Event()

        def watch() -> None:
            last = watcher.events(incident)[-1].seq
            while not done.is_set():
                if pushes:
                    woke = watcher.wait_for_change(0.5)
                else:
                    time.sleep(SQLITE_POLL_S)
                    woke = watcher.changed()
                if woke:
                    for event in watcher.events(incident, after_seq=last):
                        seen[event.data["text"]] = time.perf_counter()
                        last = event.seq

        thread = threading.Thread(target=watch, daemon=True)
        thread.start()
        time.sleep(0.5)  # the watcher is listening
        for i in range(samples):
            text = f"sync {i}"
            sent[text] = time.perf_counter()
            writer.append(incident, _entry(text))
            time.sleep(random.uniform(0.05, 0.15))  # typing pace, out of step with any poll
        deadline = time.monotonic() + 3
        while len(seen) < samples and time.monotonic() < deadline:
            time.sleep(0.05)
        done.set()
        thread.join(timeout=3)
    latencies = [(seen[t] - sent[t]) * 1000 for t in sent if t in seen]
    return {"p50": round(statistics.median(latencies), 1), "p95": round(percentile(latencies, 0.95), 1), "missed": samples - len(latencies)}


@contextlib.contextmanager
def lan_link(dsn: str, one_way_ms: float) -> Iterator[str]:
    """The server behind a TCP proxy on 127.0.0.1 that holds every chunk `one_way_ms` each
    way: a LAN-like round trip for a server that only listens on a local socket."""
    import asyncio

    from psycopg import conninfo

    params = conninfo.conninfo_to_dict(dsn)
    socket_path = f"{params.get('host') or '/tmp'}/.s.PGSQL.{params.get('port') or 5432}"
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    port: list[int] = []

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await asyncio.sleep(one_way_ms / 1000)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_unix_connection(socket_path)
        await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w))

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port.append(server.sockets[0].getsockname()[1])
        ready.set()
        async with server:
            await server.serve_forever()

    thread = threading.Thread(target=lambda: loop.run_until_complete(serve()), daemon=True)
    thread.start()
    ready.wait(5)
    try:
        yield conninfo.make_conninfo(dsn, host="127.0.0.1", port=str(port[0]))
    finally:
        loop.call_soon_threadsafe(loop.stop)


@contextlib.contextmanager
def postgres(dsn: str | None) -> Iterator[tuple[str, str]]:
    if dsn:
        yield dsn, "given by --dsn"
        return
    import pgserver

    base = Path(tempfile.mkdtemp(prefix="warroom-bench-store-"))
    base.chmod(0o755)  # postgres runs as another OS user when we are root
    server = pgserver.get_server(base / "data", cleanup_mode="stop")
    try:
        yield server.get_uri(), "pgserver, local socket"
    finally:
        server.cleanup()
        shutil.rmtree(base, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dsn", help="an existing PostgreSQL (default: start one with pgserver)")
    parser.add_argument("--appends", type=int, default=1000)
    parser.add_argument("--cli-runs", type=int, default=20)
    parser.add_argument("--sync", type=int, default=100, help="entries timed from one terminal to the other")
    parser.add_argument("--lan-ms", type=float, default=1.0, help="one-way delay of the LAN-like link (0: skip it)")
    args = parser.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    result: dict[str, object] = {"benchmark": "store_sync"}
    with postgres(args.dsn) as (dsn, where), tempfile.TemporaryDirectory() as tmp:
        pg = f"{dsn}{'&' if '?' in dsn else '?'}warroom_schema={schema}" if "://" in dsn else f"{dsn} warroom_schema={schema}"
        stores = {"postgresql": pg, "sqlite": f"sqlite:///{tmp}/bench.db"}
        result["postgresql_server"] = where
        for name, url in stores.items():
            result[name] = {
                "append_ms": append_latency(url, args.appends) | {"goal_p99": GOALS["append_ms_p99"]},
                "warroom_log_ms": cli_log(url, args.cli_runs, tmp) | {"goal": GOALS["cli_log_ms"]},
                "entry_to_other_terminal_ms": entry_to_other_terminal(url, args.sync, pushes=name == "postgresql")
                | {"goal_p95": GOALS["sync_ms_p95"], "how": "LISTEN/NOTIFY" if name == "postgresql" else f"polling every {SQLITE_POLL_S}s"},
            }
        if args.lan_ms > 0 and not args.dsn:
            with lan_link(dsn, args.lan_ms) as lan_dsn:
                lan = f"{lan_dsn} warroom_schema={schema}_lan"
                result["postgresql_lan_like"] = {
                    "link": f"TCP via a proxy holding each chunk {args.lan_ms:g} ms each way",
                    "append_ms": append_latency(lan, min(args.appends, 300)) | {"goal_p99": GOALS["append_ms_p99"]},
                    "entry_to_other_terminal_ms": entry_to_other_terminal(lan, args.sync, pushes=True) | {"goal_p95": GOALS["sync_ms_p95"]},
                }
        if args.dsn:
            import psycopg
            from psycopg import sql

            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
    result["appends"], result["cli_runs"], result["sync_samples"] = args.appends, args.cli_runs, args.sync
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
