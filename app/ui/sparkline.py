"""Text sparklines for table cells (Textual's Sparkline widget cannot live in a cell)."""

from __future__ import annotations

import math
from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None], width: int = 12) -> str:
    """Last `width` values as bars; gaps (None/NaN) as spaces; flat series as a low line."""
    tail = list(values)[-width:]
    finite = [v for v in tail if v is not None and not math.isnan(v)]
    if not finite:
        return " " * len(tail)
    low, high = min(finite), max(finite)
    span = high - low
    out = []
    for v in tail:
        if v is None or math.isnan(v):
            out.append(" ")
        elif span == 0:
            out.append(BARS[0])
        else:
            out.append(BARS[min(len(BARS) - 1, int((v - low) / span * (len(BARS) - 1) + 0.5))])
    return "".join(out)
