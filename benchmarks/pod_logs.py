"""A pod's logs (`l`) against the fake API server: opening, and following a chatty container.

Prints JSON; each figure has its goal and whether it is met next to it:

- `l` on a pod whose container wrote --lines lines (120 characters each): time from the key
  to the last 200 lines on screen (the API server cuts the tail, as a real one does); median
  over --rounds;
- follow (`F`) while the container writes --follow-lines lines in bursts of 1,000 every
  100 ms (10,000 lines/s): time from the last write to the last line on screen, the table's
  row count (the buffer's bound), and the worst event-loop stall meanwhile (a task that
  sleeps 5 ms at a time records how late it wakes: a stall is a frozen screen).

The fake API server runs in this process's threads, so its CPU is counted with ours: the
figures are an upper bound. Run: python benchmarks/pod_logs.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.collectors.kubernetes import KubernetesCollector  # noqa: E402
from app.config.kubernetes import KubernetesTarget  # noqa: E402
from app.drill.kube_api import SimulatedApiServer  # noqa: E402
from app.drill.kube_objects import pod, running  # noqa: E402
from app.ui.panes.kubernetes import PodsPane  # noqa: E402
from app.ui.panes.kubernetes_logs import FOLLOW_BUFFER, PodLogsScreen  # noqa: E402
from tests.support import PaneHost, until  # noqa: E402

OPEN_GOAL_S = 0.5
CATCH_UP_GOAL_S = 1.0
STALL_GOAL_S = 0.25


def figure(value: float, goal: str, met: bool) -> dict:
    return {"value": round(value, 3), "goal": goal, "met": met}


async def run(rounds: int, lines: int, follow_lines: int) -> dict:
    server = SimulatedApiServer().start()
    os.environ["KUBECONFIG"] = str(server.write_kubeconfig(Path(tempfile.mkdtemp()) / "kubeconfig"))
    cluster = server.cluster
    cluster.put("pods", pod("chatty", containers=[running()], labels={"app": "chatty"}, now=datetime.now(UTC)))
    cluster.write_log("default", "chatty", "app", *(f"{i:08d} " + "x" * 111 for i in range(lines)))
    collector = KubernetesCollector(KubernetesTarget(name="bench", timeout=5, interval=0.5))
    app = PaneHost("kubernetes", {"timezone": "UTC"}, [collector])
    opened: list[float] = []
    result: dict = {}
    async with app.run_test(size=(160, 48)) as pilot:
        pane = app.query_one(PodsPane)
        await until(pilot, lambda: pane.table.row_count == 1, timeout=30)
        pane.table.focus()
        for _ in range(rounds):
            started = time.perf_counter()
            await pilot.press("l")
            await until(pilot, lambda: isinstance(app.screen, PodLogsScreen) and len(app.screen.lines) == 200, timeout=30)
            opened.append(time.perf_counter() - started)
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, PodLogsScreen))
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, PodLogsScreen) and len(app.screen.lines) == 200, timeout=30)
        screen = app.screen
        assert isinstance(screen, PodLogsScreen)
        await pilot.press("F")
        await until(pilot, lambda: screen.following and len(screen.lines) == 200, timeout=30)
        stalls: list[float] = []
        done = asyncio.Event()

        async def ticker() -> None:
            while not done.is_set():
                t0 = time.perf_counter()
                await asyncio.sleep(0.005)
                stalls.append(time.perf_counter() - t0 - 0.005)

        tick = asyncio.create_task(ticker())
        last = f"{lines + follow_lines - 1:08d} "
        for start in range(lines, lines + follow_lines, 1000):
            await asyncio.to_thread(cluster.write_log, "default", "chatty", "app",
                                    *(f"{i:08d} " + "x" * 111 for i in range(start, min(start + 1000, lines + follow_lines))))
            await asyncio.sleep(0.1)
        written = time.perf_counter()
        await until(pilot, lambda: screen.lines and screen.lines[-1].startswith(last), timeout=60)
        caught_up = time.perf_counter() - written
        done.set()
        await tick
        rows = len(screen.lines)
        result = {
            "open_200_lines_s": figure(statistics.median(opened), f"<= {OPEN_GOAL_S}", statistics.median(opened) <= OPEN_GOAL_S),
            "follow_catch_up_s": figure(caught_up, f"<= {CATCH_UP_GOAL_S}", caught_up <= CATCH_UP_GOAL_S),
            "follow_buffer_rows": figure(rows, f"<= {FOLLOW_BUFFER}", rows <= FOLLOW_BUFFER),
            "follow_worst_stall_s": figure(max(stalls), f"<= {STALL_GOAL_S}", max(stalls) <= STALL_GOAL_S),
            "log_lines_in_container": lines, "followed_lines": follow_lines, "rounds": rounds,
        }
    await collector.aclose()
    server.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--follow-lines", type=int, default=20_000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.rounds, args.lines, args.follow_lines)), indent=2))


if __name__ == "__main__":
    main()
