"""Startup to first frame (headless), empty store and with 10,000 timeline entries. Prints JSON."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.tui_support import clock, config, seed  # noqa: E402


async def measure(db: Path) -> dict[str, float]:
    from app.store.sqlite import SQLiteStore
    from app.ui.app import WarroomApp

    t0 = time.perf_counter()
    app = WarroomApp(config(), SQLiteStore(db), clock())
    first_frame = first_rows = loaded = None
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first_frame = time.perf_counter() - t0
        while app.state is None or app.timeline.row_count < len(app.state.timeline):
            if first_rows is None and app.timeline.row_count:
                first_rows = time.perf_counter() - t0
            await pilot.pause(0.01)
            if time.perf_counter() - t0 > 60:
                break
        await pilot.pause()
        loaded = time.perf_counter() - t0
        rows = app.timeline.row_count
    first_rows = first_rows if first_rows is not None else loaded
    return {
        "first_frame_s": round(first_frame, 3),
        "first_rows_s": round(first_rows, 3),
        "all_rows_s": round(loaded, 3),
        "rows": rows,
    }


async def main() -> None:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for entries in (0, 10_000):
            db = Path(tmp) / f"bench-{entries}.db"
            seed(db, entries)
            results[f"entries_{entries}"] = await measure(db)
    print(json.dumps({"benchmark": "tui_startup", "size": "120x40", **results,
                      "goal": "no regression of first frame and all 10,000 rows (README table)"}, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
