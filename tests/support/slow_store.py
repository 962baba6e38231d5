"""A real SQLite store whose writes are made slow, as a store across a network is."""

from __future__ import annotations

import time

from app.store.sqlite import SQLiteStore


class SlowStore(SQLiteStore):
    def __init__(self, path, *, write_delay: float) -> None:
        super().__init__(path)
        self.write_delay = write_delay

    def append(self, incident_id, event):
        time.sleep(self.write_delay)
        return super().append(incident_id, event)
