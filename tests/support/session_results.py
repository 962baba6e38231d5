"""An IncidentSession without a screen: what it posts is collected here and waited for."""

from __future__ import annotations

import threading
import time
from typing import Any, TypeVar

T = TypeVar("T")


class Results:
    """The `post` callable of a session: thread-safe, and every result kept in order."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._changed = threading.Condition()

    def __call__(self, result: Any) -> None:
        with self._changed:
            self.items.append(result)
            self._changed.notify_all()

    def of(self, kind: type[T]) -> list[T]:
        with self._changed:
            return [r for r in self.items if isinstance(r, kind)]

    def wait(self, kind: type[T], count: int = 1, timeout: float = 20.0, where=lambda r: True) -> list[T]:
        """The first `count` results of `kind` (matching `where`), waiting up to `timeout` s."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [r for r in self.items if isinstance(r, kind) and where(r)]
                if len(found) >= count:
                    return found[:count]
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [type(r).__name__ for r in self.items][-12:]
                    raise AssertionError(f"{count} × {kind.__name__} not posted within {timeout:g}s; last posted: {seen}")
                self._changed.wait(left)
