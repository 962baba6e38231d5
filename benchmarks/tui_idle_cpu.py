"""What leaving warroom open costs: CPU of the TUI process, state by state, beside its peers.

Each state runs warroom in its own tmux session (a real terminal, 160x48) with its peer
started beside it in another, and both processes' CPU time (utime + stime of every thread,
/proc/PID/stat) is read over the same window after a warm-up: on a shared machine the two
see the same load. Peers:
- a Textual app that shows only a clock ticking once a second (what any Textual UI costs);
- pg_activity at --refresh 2 on the same PostgreSQL, when `pg_activity` is on PATH
  (`pip install pg_activity "psycopg[binary]"`, it needs a driver) or given with --pg-activity;
- for pg_incident also the Textual floor (benchmarks/textual_floor_app.py --clock): warroom's
  collector on the same server, its result as plain text, and a clock ticking each second in
  a bare Textual app. It is the least any Textual UI of that state can cost, printed with its
  ratio to pg_activity so that a goal below it is seen to be out of reach for Textual.

    python benchmarks/tui_idle_cpu.py [--seconds 60] [--rounds 3] [--only dialog,incident,...]

States: dialog (no config, "Open a new incident" up), incident (no live panes, an incident
open), pg_incident / pg_dialog (the PostgreSQL pane alone at interval 2s on a server with 70
client connections and a lock chain), all_panes (every pane on benchmarks/live_targets.py at
the panes' default intervals, as issue 12's goal says, an incident open), all_panes_fast (the
same targets at live_targets' own shorter intervals: health and error rates 5 s, PostgreSQL
3 s; no goal, for comparison). Prints JSON: cpu-s per minute per state (median of the
rounds), its peer's in the same windows, the goal (issue 12) and whether it is met.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TICKS = os.sysconf("SC_CLK_TCK")
SIZE = ("160", "48")
# A tmux server of this run's own, kept up by one idle session between measurements: on the
# shared default server, a state's session could start just as the server quit.
TMUX = ["tmux", "-L", f"wr-idle-{os.getpid()}"]

FLOOR = "textual_floor"
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


def measure(programs: dict[str, list[str]], seconds: float, warmup: float, env: dict[str, str]) -> dict[str, float]:
    """cpu-s per minute of each program, all running at once (each in its own 160x48 tmux
    session) and read over the same window: a peer and warroom see the same machine load."""
    sessions = {name: f"wr-idle-{name}-{os.getpid()}" for name in programs}
    try:
        pids = {}
        for name, command in programs.items():
            shell = " ".join(_quote(part) for part in command)
            subprocess.run([*TMUX, "new-session", "-d", "-s", sessions[name], "-x", SIZE[0], "-y", SIZE[1], f"exec {shell}"],
                           check=True, env=env)
            pids[name] = int(subprocess.run([*TMUX, "list-panes", "-t", sessions[name], "-F", "#{pane_pid}"],
                                            check=True, capture_output=True, text=True).stdout.split()[0])
        time.sleep(warmup)
        try:
            start = {name: cpu_seconds(pid) for name, pid in pids.items()}
            time.sleep(seconds)
            return {name: round((cpu_seconds(pid) - start[name]) / seconds * 60, 3) for name, pid in pids.items()}
        except FileNotFoundError:
            raise SystemExit(f"tui_idle_cpu: a program exited before it could be measured ({', '.join(programs)})") from None
    finally:
        for session in sessions.values():
            subprocess.run([*TMUX, "kill-session", "-t", session], check=False, capture_output=True)


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
    parser.add_argument("--seconds", type=float, default=60.0, help="measuring window per state (CPU is counted in 10 ms ticks: 60 s resolves 0.01 cpu-s/min)")
    parser.add_argument("--warmup", type=float, default=6.0, help="seconds before measuring (start-up is not idle)")
    parser.add_argument("--rounds", type=int, default=1, help="measure every state this many times; the median is kept")
    parser.add_argument("--only", help="comma-separated states: dialog,incident,pg_incident,pg_dialog,all_panes,all_panes_fast")
    parser.add_argument("--pg-activity", default=shutil.which("pg_activity"), help="pg_activity executable")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    if not shutil.which("tmux"):
        sys.exit("tui_idle_cpu: needs tmux (Debian package tmux)")
    wanted = lambda state: only is None or state in only  # noqa: E731
    # state -> [(warroom cpu, peer cpu)] per round; the peer runs in the same window
    pairs: dict[str, list[tuple[float, float | None]]] = {}
    peers: dict[str, str] = {}
    loads: list[float] = []
    floors: dict[str, list[float]] = {}  # state -> the Textual floor's cpu per round, same windows
    try:
        measure_states(args, wanted, pairs, peers, loads, floors)
    finally:
        subprocess.run([*TMUX, "kill-server"], check=False, capture_output=True)
    report(args, pairs, peers, loads, floors)


def measure_states(args, wanted, pairs, peers, loads, floors) -> None:
    warroom = [sys.executable, "-m", "app"]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = {**os.environ, "TERM": "xterm-256color", "XDG_STATE_HOME": str(tmp / "state"), "PYTHONPATH": str(ROOT)}
        # The server's environment is what every session gets: started here, with this one.
        subprocess.run([*TMUX, "new-session", "-d", "-s", "keeper", "sleep 86400"], check=True, env=env)
        empty = tmp / "empty.yaml"
        empty.write_text("operator: bench\n")
        clock = tmp / "clock.py"
        clock.write_text(CLOCK_APP)
        clock_cmd = [sys.executable, str(clock)]

        def run(state: str, command: list[str], peer: str, peer_cmd: list[str] | None, floor_cmd: list[str] | None = None) -> None:
            loads.append(os.getloadavg()[0])
            programs = {state: command, **({peer: peer_cmd} if peer_cmd else {}), **({FLOOR: floor_cmd} if floor_cmd else {})}
            got = measure(programs, args.seconds, args.warmup, env)
            pairs.setdefault(state, []).append((got[state], got.get(peer)))
            if floor_cmd:
                floors.setdefault(state, []).append(got[FLOOR])
            peers[state] = peer

        for _ in range(args.rounds):
            if wanted("dialog"):
                run("dialog", [*warroom, "--config", str(empty), "--store", f"sqlite:///{tmp / 'none.db'}"], "clock", clock_cmd)
            if wanted("incident"):
                store = tmp / "open.db"
                if not store.exists():
                    open_incident(store)
                run("incident", [*warroom, "--config", str(empty), "--store", f"sqlite:///{store}"], "clock", clock_cmd)
        if any(wanted(s) for s in ("pg_incident", "pg_dialog")):
            with busy_postgres(tmp) as dsn:
                pg_config = tmp / "pg.yaml"
                pg_config.write_text(json.dumps({"operator": "bench", "postgres": [{"name": "main", "dsn": dsn, "interval": "2s"}]}))
                pg_cmd = [args.pg_activity, "--refresh", "2", dsn] if args.pg_activity else None
                store = tmp / "pg-open.db"
                open_incident(store)
                for _ in range(args.rounds):
                    if wanted("pg_incident"):
                        run("pg_incident", [*warroom, "--config", str(pg_config), "--store", f"sqlite:///{store}"], "pg_activity", pg_cmd,
                            [sys.executable, str(ROOT / "benchmarks" / "textual_floor_app.py"), dsn, "--clock"])
                    if wanted("pg_dialog"):
                        run("pg_dialog", [*warroom, "--config", str(pg_config), "--store", f"sqlite:///{tmp / 'pg-none.db'}"],
                            "pg_activity", pg_cmd)
        if wanted("all_panes") or wanted("all_panes_fast"):
            with live_targets(tmp) as config:
                store = tmp / "all-open.db"
                open_incident(store)
                defaults = default_intervals(Path(config), tmp / "all-default.yaml")
                for _ in range(args.rounds):
                    if wanted("all_panes"):
                        run("all_panes", [*warroom, "--config", str(defaults), "--store", f"sqlite:///{store}"], "clock", clock_cmd)
                    if wanted("all_panes_fast"):
                        run("all_panes_fast", [*warroom, "--config", config, "--store", f"sqlite:///{store}"], "clock", clock_cmd)


def default_intervals(config: Path, out: Path) -> Path:
    """live_targets' config with every `interval:` taken out: each pane at its default."""
    data = json.loads(config.read_text())
    for entries in data.values():
        for entry in entries if isinstance(entries, list) else []:
            entry.pop("interval", None)
    out.write_text(json.dumps(data))
    return out


def report(args, pairs, peers, loads, floors) -> None:
    states = {}
    for state, rounds in pairs.items():
        mine = statistics.median(r[0] for r in rounds)
        theirs = [r[1] for r in rounds if r[1] is not None]
        peer = round(statistics.median(theirs), 3) if theirs else None
        if state in ("dialog", "incident"):
            limit, goal = (1.2 * peer if peer else None), "<= 1.2 x the clock app in the same window"
        elif state.startswith("pg_"):
            limit, goal = (peer if peer else None), "<= 1.0 x pg_activity in the same window"
        elif state == "all_panes":
            limit, goal = 1.0, "<= 1.0 cpu-s/min (every pane at its default interval)"
        else:
            limit, goal = None, "none: intervals shorter than the defaults, for comparison"
        states[state] = {
            "cpu_s_per_min": round(mine, 3),
            "reference": {"program": peers[state], "cpu_s_per_min": peer} if peer is not None
            else f"{peers[state]} not installed (pip install pg_activity \"psycopg[binary]\", or --pg-activity PATH)",
            "goal": goal,
            "limit": round(limit, 3) if limit is not None else None,
            "met": (mine <= limit) if limit is not None else None,
            "rounds": [list(r) for r in rounds],
        }
        if state in floors:
            floor = round(statistics.median(floors[state]), 3)
            states[state]["textual_floor"] = {
                "program": "benchmarks/textual_floor_app.py --clock: the same collector, its result as plain text and a 1 s clock",
                "cpu_s_per_min": floor,
                "vs_reference": round(floor / peer, 2) if peer else None,
                "rounds": floors[state],
            }
    print(json.dumps({
        "benchmark": "tui_idle_cpu",
        "unit": "cpu-seconds per minute of the TUI process",
        "window_s": args.seconds,
        "terminal": "x".join(SIZE),
        "load_average_1m_at_start": [round(x, 2) for x in loads],
        "cpus": os.cpu_count(),
        "states": states,
    }, indent=2))


if __name__ == "__main__":
    main()
