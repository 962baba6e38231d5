"""Keypress-to-screen latency with 10,000 timeline entries (headless). Prints JSON.

Measures: one character typed into the entry line; Enter until the new entry's row is on
screen (append is durable first, so this includes an fsync); `z` re-rendering all times;
and a new event from another connection until it is shown (poll interval included).

Keys are posted to the app as the terminal driver would and timed until their effect is
in the widgets (painted at the next frame, at most 1/60 s later). Pilot's press() is not
used for timing: it waits for the whole process to go idle and adds ~85 ms even with an
empty timeline.
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
    from textual import events

    from app.domain import actions
    from app.store.sqlite import SQLiteStore
    from app.ui.app import WarroomApp
    from app.ui.incident.panel import EntryInput

    async def key(app, name: str, char: str | None, done) -> float:
        t0 = time.perf_counter()
        app.post_message(events.Key(name, char))
        while not done():
            await asyncio.sleep(0.0005)
        return time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        seed(db, ENTRIES)
        app = WarroomApp(config(), SQLiteStore(db), clock())
        async with app.run_test(size=(120, 40)) as pilot:
            while app.state is None:
                await pilot.pause(0.01)
            await pilot.pause()
            await pilot.press("t")
            entry = app.query_one(EntryInput)
            typing, enter, utc, remote = [], [], [], []
            for i in range(10):
                before = entry.value
                typing.append(await key(app, "a", "a", lambda: entry.value != before))
                rows = app.timeline.row_count
                enter.append(await key(app, "enter", None, lambda: app.timeline.row_count > rows))
                await pilot.pause()
            await pilot.press("escape")
            for _ in range(4):
                was = app.timeline.utc
                utc.append(await key(app, "z", "z", lambda: app.timeline.utc != was))
                await pilot.pause()
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
                "type_one_key": {**_ms(typing), "goal": "max <= 50 ms (issue 11: keys answered within 50 ms)",
                                 "met": max(typing) <= 0.05},
                "enter_to_row_shown": {**_ms(enter), "goal": "no regression (README table)"},
                "toggle_utc_all_rows": {**_ms(utc), "goal": "no regression (README table)"},
                "other_process_to_row_shown": {**_ms(remote), "goal": "max <= 1000 ms (another terminal's entry within a second)",
                                               "met": max(remote) <= 1.0},
            }, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
