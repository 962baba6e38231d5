"""What leaving warroom open costs: CPU of the TUI process, state by state, beside its peers.

Each program runs in its own tmux session (a real terminal, 160x48), one after another in
this one run, and its process's CPU time (utime + stime of every thread, /proc/PID/stat)
is read over the same window after a warm-up. Peers measured in the same run:
- a Textual app that shows only a clock ticking once a second (what any Textual UI costs);
- pg_activity at --refresh 2 on the same PostgreSQL, when `pg_activity` is on PATH
  (`pip install pg_activity "psycopg[binary]"`, it needs a driver) or given with --pg-activity.

    python benchmarks/tui_idle_cpu.py [--seconds 30] [--only dialog,incident,...]

States: clock, dialog (no config, "Open a new incident" up), incident (no live panes, an
incident open), pg_incident / pg_dialog (the PostgreSQL pane alone at interval 2s on a
server with 70 client connections and a lock chain), pg_activity, all_panes (every pane on
benchmarks/live_targets.py, an incident open). Prints JSON: cpu-s per minute per state,
each with its goal (issue 12).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TICKS = os.sysconf("SC_CLK_TCK")
SIZE = ("160", "48")

CLOCK_APP = '''
from datetime import datetime
from textual.app import App
from textual.widgets import Static

class Clock(App):
    def compose(self):
        yield Static(id="clock")
    def on_mount(self):
        self.set_interval(1, self.tick)
        self.tick()
    def tick(self):
        self.query_one("#clock", Static).update(datetime.now().strftime("%H:%M:%S"))

Clock().run()
'''


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def measure(name: str, command: list[str], seconds: float, warmup: float, env: dict[str, str]) -> float:
    """cpu-s per minute of `command` running in a 160x48 tmux session."""
    session = f"wr-idle-{name}-{os.getpid()}"
    shell = " ".join(_quote(part) for part in command)
    # remain-on-exit keeps a program that dies at once on screen for whoever looks
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", SIZE[0], "-y", SIZE[1], f"exec {shell}"],
                   check=True, env=env)
    try:
        pid = int(subprocess.run(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"],
                                 check=True, capture_output=True, text=True).stdout.split()[0])
        time.sleep(warmup)
        try:
            start = cpu_seconds(pid)
            time.sleep(seconds)
            return round((cpu_seconds(pid) - start) / seconds * 60, 3)
        except FileNotFoundError:
            raise SystemExit(f"tui_idle_cpu: {name} exited before it could be measured ({' '.join(command)})") from None
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, capture_output=True)


def _quote(part: str) -> str:
    return "'" + part.replace("'", "'\\''") + "'"


def open_incident(store: Path) -> None:
    subprocess.run([sys.executable, "-m", "app", "incident", "open", "--severity", "SEV2", "--title", "idle benchmark",
                    "--store", f"sqlite:///{store}"], check=True, cwd=ROOT, capture_output=True)


@contextlib.contextmanager
def busy_postgres(tmp: Path):
    """A server with 70 idle client connections and a row-lock chain (A holds, B waits)."""
    import psycopg

    dsn = os.environ.get("WARROOM_TEST_DSN")
    server = None
    if not dsn:
        import pgserver

        server = pgserver.get_server(tmp / "pg", cleanup_mode="stop")
        dsn = server.get_uri()
    conns = [psycopg.connect(dsn, autocommit=True, application_name="idle-client") for _ in range(70)]
    holder = psycopg.connect(dsn, application_name="holder")
    waiter = psycopg.connect(dsn, application_name="waiter")
    holder.execute("CREATE TABLE IF NOT EXISTS idle_bench (id int primary key, v int)")
    holder.execute("INSERT INTO idle_bench VALUES (1, 0) ON CONFLICT DO NOTHING")
    holder.commit()
    holder.execute("UPDATE idle_bench SET v = v + 1 WHERE id = 1")  # stays open: holds the row
    import threading

    blocked = threading.Thread(target=lambda: _wait_on_row(waiter), daemon=True)
    blocked.start()
    try:
        yield dsn
    finally:
        holder.rollback()
        blocked.join(5)
        for conn in [*conns, holder, waiter]:
            conn.close()
        if server is not None:
            server.cleanup()


def _wait_on_row(conn) -> None:
    with contextlib.suppress(Exception):
        conn.execute("UPDATE idle_bench SET v = v + 1 WHERE id = 1")
        conn.rollback()


@contextlib.contextmanager
def live_targets(tmp: Path):
    proc = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "live_targets.py"), "--dir", str(tmp / "targets")],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert proc.stdout is not None
        config = proc.stdout.readline().strip()
        proc.stdout.readline()
        yield config
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="measuring window per state")
    parser.add_argument("--warmup", type=float, default=6.0, help="seconds before measuring (start-up is not idle)")
    parser.add_argument("--only", help="comma-separated states")
    parser.add_argument("--pg-activity", default=shutil.which("pg_activity"), help="pg_activity executable")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    if not shutil.which("tmux"):
        sys.exit("tui_idle_cpu: needs tmux (Debian package tmux)")
    wanted = lambda state: only is None or state in only  # noqa: E731
    warroom = [sys.executable, "-m", "app"]
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = {**os.environ, "TERM": "xterm-256color", "XDG_STATE_HOME": str(tmp / "state"), "PYTHONPATH": str(ROOT)}
        empty = tmp / "empty.yaml"
        empty.write_text("operator: bench\n")
        run = lambda name, cmd: measure(name, cmd, args.seconds, args.warmup, env)  # noqa: E731
        if wanted("clock"):
            clock = tmp / "clock.py"
            clock.write_text(CLOCK_APP)
            results["clock"] = run("clock", [sys.executable, str(clock)])
        if wanted("dialog"):
            results["dialog"] = run("dialog", [*warroom, "--config", str(empty), "--store", f"sqlite:///{tmp / 'none.db'}"])
        if wanted("incident"):
            store = tmp / "open.db"
            open_incident(store)
            results["incident"] = run("incident", [*warroom, "--config", str(empty), "--store", f"sqlite:///{store}"])
        if any(wanted(s) for s in ("pg_incident", "pg_dialog", "pg_activity")):
            with busy_postgres(tmp) as dsn:
                pg_config = tmp / "pg.yaml"
                pg_config.write_text(json.dumps({"operator": "bench", "postgres": [{"name": "main", "dsn": dsn, "interval": "2s"}]}))
                if wanted("pg_incident"):
                    store = tmp / "pg-open.db"
                    open_incident(store)
                    results["pg_incident"] = run("pg_incident", [*warroom, "--config", str(pg_config), "--store", f"sqlite:///{store}"])
                if wanted("pg_dialog"):
                    results["pg_dialog"] = run("pg_dialog", [*warroom, "--config", str(pg_config), "--store", f"sqlite:///{tmp / 'pg-none.db'}"])
                if wanted("pg_activity"):
                    if args.pg_activity:
                        results["pg_activity"] = run("pg_activity", [args.pg_activity, "--refresh", "2", dsn])
                    else:
                        results["pg_activity"] = "not installed (pip install pg_activity \"psycopg[binary]\", or --pg-activity PATH)"
        if wanted("all_panes"):
            with live_targets(tmp) as config:
                store = tmp / "all-open.db"
                open_incident(store)
                results["all_panes"] = run("all_panes", [*warroom, "--config", config, "--store", f"sqlite:///{store}"])
    clock_cost = results.get("clock")
    pg_peer = results.get("pg_activity")
    goals = {
        "dialog": f"<= 1.2 x clock ({round(1.2 * clock_cost, 3)})" if isinstance(clock_cost, float) else "<= 1.2 x clock",
        "incident": f"<= 1.2 x clock ({round(1.2 * clock_cost, 3)})" if isinstance(clock_cost, float) else "<= 1.2 x clock",
        "pg_incident": f"<= 1.0 x pg_activity ({pg_peer})" if isinstance(pg_peer, float) else "<= 1.0 x pg_activity",
        "pg_dialog": f"<= 1.0 x pg_activity ({pg_peer})" if isinstance(pg_peer, float) else "<= 1.0 x pg_activity",
        "all_panes": "<= 1.0",
    }
    print(json.dumps({
        "benchmark": "tui_idle_cpu",
        "unit": "cpu-seconds per minute of the TUI process",
        "window_s": args.seconds,
        "terminal": "x".join(SIZE),
        "states": {name: {"cpu_s_per_min": value, "goal": goals.get(name, "reference")} for name, value in results.items()},
    }, indent=2))


if __name__ == "__main__":
    main()
