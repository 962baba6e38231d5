"""How long the exports take for a long incident (5,000 timeline events); prints JSON."""

from __future__ import annotations

import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.config import Config
from app.domain.events import EventType, NewEvent
from app.domain.incident import fold
from app.domain.record import export
from app.store.sqlite import SQLiteStore

EVENTS = 5000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "bench.db")
        start = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
        iid = store.open_incident(title="bench", severity="SEV1", actor="a", at=start, id_format="INC-{year}-{seq:03d}").incident_id
        with store._lock:  # one transaction for setup speed; appends are measured elsewhere
            for i in range(EVENTS):
                kind = "action" if i % 10 == 0 else "note"
                store.append(iid, NewEvent(EventType.ENTRY_ADDED, start + timedelta(seconds=i), "a", {"kind": kind, "text": f"entry {i} postgresql://u:pw{i}@db/x"}))
        config = Config.model_validate({"timezone": "Europe/Berlin", "operator": "a"})
        figures: dict[str, float | int] = {"events": EVENTS + 1}
        events = store.events(iid)
        t0 = time.perf_counter()
        state = fold(iid, events)
        figures["fold_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        now = start + timedelta(hours=3)
        for fmt in ("json", "yaml", "markdown"):
            t0 = time.perf_counter()
            out = export(fmt, state, events, config, now)
            figures[f"{fmt}_ms"] = round((time.perf_counter() - t0) * 1000, 1)
            figures[f"{fmt}_kb"] = round(len(out.encode()) / 1024, 1)
        store.close()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
