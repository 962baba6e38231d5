"""Small messages panes post upward; the app decides what to do with them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from app.collectors.base import Snapshot
from app.incident.results import SessionResult


class SnapshotArrived(Message):
    """A collector finished one run (successful or not)."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


@dataclass
class TimelineRequest(Message):
    """Ask the app to append an entry to the open incident (pins, auto observations)."""

    text: str
    kind: str = "observation"
    automatic: bool = False
    """A level change every open terminal sees alike: only one terminal logs it (see the app)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Machine-readable data kept with the entry (a silence made from the alerts pane)."""


class SessionPosted(Message):
    """The incident session finished something (app/incident/results.py says what)."""

    def __init__(self, result: SessionResult) -> None:
        super().__init__()
        self.result = result
