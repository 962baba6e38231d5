"""What `/` narrows a table to: words typed, each one found in the row's visible text.

Every word must match (a second word narrows further); case does not matter. Panes add
their own word forms: the pods pane `label=value` and `namespace/`, the timeline `kind:`.
A filter narrows only what is drawn: levels, counts and observations read the panes'
data, never the table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text

MAX_QUERY = 200
"""A filter longer than this is cut: a paste of a whole log line is not a filter."""


def row_text(cells: Any) -> str:
    """The row as a reader sees it, lower case: what a plain word is looked for in."""
    return " ".join(cell.plain if isinstance(cell, Text) else str(cell) for cell in cells).lower()


class RowFilter:
    """Plain words only; subclasses take some words as a form of their own (`special`)."""

    def __init__(self, query: str) -> None:
        self.query = " ".join(query.split())[:MAX_QUERY]
        self.words = self.query.lower().split()

    def __bool__(self) -> bool:
        return bool(self.words)

    def matches(self, key: str, text: str) -> bool:
        for word in self.words:
            special = self.special(key, word)
            if special is None:
                if word not in text:
                    return False
            elif not special:
                return False
        return True

    def special(self, key: str, word: str) -> bool | None:
        """Whether the row with `key` matches `word`, or None when `word` is a plain word."""
        return None


class PodFilter(RowFilter):
    """`app=payments` (a label), `payments/` (a namespace; `payments/api` also a name part)."""

    def __init__(self, query: str, pod: Callable[[str], Any]) -> None:
        super().__init__(query)
        self.pod = pod

    def special(self, key: str, word: str) -> bool | None:
        label, eq, value = word.partition("=")
        namespace, slash, name = word.partition("/")
        if not eq and not slash:
            return None
        pod = self.pod(key)
        if pod is None:
            return False
        if eq and label:
            return any(k.lower() == label and v.lower() == value for k, v in pod.labels)
        if slash and namespace:
            return pod.namespace.lower() == namespace and name in pod.name.lower()
        return None  # "=x" or "/x": looked for as typed


class KindFilter(RowFilter):
    """`kind:decision` (or the start of a kind, `kind:obs`) in the timeline."""

    def __init__(self, query: str, kind: Callable[[str], tuple[str, ...]]) -> None:
        super().__init__(query)
        self.kind = kind

    def special(self, key: str, word: str) -> bool | None:
        if not word.startswith("kind:"):
            return None
        wanted = word.removeprefix("kind:")
        return any(name.lower().startswith(wanted) for name in self.kind(key))
