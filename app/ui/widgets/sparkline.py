"""Text sparklines for table cells (Textual's Sparkline widget cannot live in a cell)."""

from __future__ import annotations

import math
from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None], width: int = 12, floor: float | None = None) -> str:
    """Last `width` values as bars; gaps (None/NaN) as spaces; flat series as a low line.

    With `floor` (0 for rates and latencies) the bars start there rather than at the lowest
    value, so 12.8% -> 13.1% stays a flat row instead of filling the whole height.
    """
    tail = list(values)[-width:]
    if all(v is None or math.isnan(v) for v in tail):
        return " " * len(tail)
    finite = [v for v in tail if v is not None and math.isfinite(v)] or [0.0]  # ±Inf: top / bottom
    low, high = min(finite), max(finite)
    if floor is not None:
        low = min(low, floor)
    span = high - low
    out = []
    for v in tail:
        if v is None or math.isnan(v):
            out.append(" ")
        elif math.isinf(v):
            out.append(BARS[-1] if v > 0 else BARS[0])
        elif span == 0:
            out.append(BARS[0])
        else:
            out.append(BARS[min(len(BARS) - 1, int((v - low) / span * (len(BARS) - 1) + 0.5))])
    return "".join(out)
