"""Keypress-to-screen latency with 10,000 timeline entries (headless). Prints JSON.

Measures: one character typed into the entry line; Enter until the new entry's row is on
screen (append is durable first, so this includes an fsync); `z` re-rendering all times;
and a new event from another connection until it is shown (poll interval included).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.tui_support import START, clock, config, seed  # noqa: E402

ENTRIES = 10_000


def _ms(samples: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(samples) * 1000, 1), "max_ms": round(max(samples) * 1000, 1), "n": len(samples)}


async def main() -> None:
    from app.domain import actions
    from app.store.sqlite import SQLiteStore
    from app.ui.app import WarroomApp

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        seed(db, ENTRIES)
        app = WarroomApp(config(), SQLiteStore(db), clock())
        async with app.run_test(size=(120, 40)) as pilot:
            while app.state is None:
                await pilot.pause(0.01)
            await pilot.pause()
            await pilot.press("t")
            typing, enter, utc, remote = [], [], [], []
            for i in range(10):
                t0 = time.perf_counter()
                await pilot.press("a")
                typing.append(time.perf_counter() - t0)
                rows = app.timeline.row_count
                t0 = time.perf_counter()
                await pilot.press("enter")
                while app.timeline.row_count == rows:
                    await pilot.pause(0.001)
                await pilot.pause()
                enter.append(time.perf_counter() - t0)
            await pilot.press("escape")
            for _ in range(4):
                t0 = time.perf_counter()
                await pilot.press("z")
                await pilot.pause()
                utc.append(time.perf_counter() - t0)
            with SQLiteStore(db) as other:
                for i in range(5):
                    rows = app.timeline.row_count
                    t0 = time.perf_counter()
                    other.append(app.state.id, actions.entry_added(f"remote {i}", "note", "other", START))
                    while app.timeline.row_count == rows:
                        await pilot.pause(0.005)
                    remote.append(time.perf_counter() - t0)
            print(json.dumps({
                "benchmark": "tui_keypress",
                "timeline_rows": app.timeline.row_count,
                "type_one_key": _ms(typing),
                "enter_to_row_shown": _ms(enter),
                "toggle_utc_all_rows": _ms(utc),
                "other_process_to_row_shown": _ms(remote),
            }, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
