"""What both error-rate sources share: their config, the HTTP client, `warroom status` lines."""

from __future__ import annotations

import math

import httpx

from app.collectors.base import Check, Collector, Level, Snapshot, worst
from app.collectors.error_rates.model import ErrorRateData, ErrorRateRow, format_thresholds, row_text
from app.collectors.http_client import SharedClient
from app.config.error_rates import ErrorRate


class ErrorRateCollector(Collector[ErrorRateData]):
    """Common part of both kinds: config, thresholds, and `warroom status` lines."""

    source = "errors"

    def __init__(self, config: ErrorRate, client: SharedClient | httpx.AsyncClient) -> None:
        self.config = config
        self.name = config.name
        self.interval = config.interval.total_seconds()
        self.timeout = config.timeout.total_seconds()
        self._shared = client if isinstance(client, SharedClient) else SharedClient(client, users=1)
        self.client = self._shared.client
        self._closed = False

    def checks(self, snapshot: Snapshot[ErrorRateData]) -> list[Check]:
        cfg = self.config
        detail: dict = {"value": None, "unit": cfg.unit, "warn": cfg.warn, "crit": cfg.crit}
        if snapshot.error is not None or snapshot.data is None:
            detail["error"] = snapshot.error or "no data"
            return [Check(self.source, self.name, snapshot.level, snapshot.error or "no data", detail)]
        rows = snapshot.data.rows
        # The row that decides the level speaks for the check.
        top = max(rows, key=lambda r: (r.level.severity_rank, _sortable(r.value))) if rows else None
        if top is not None:
            detail["value"] = _json_number(top.value)
            if top.note:
                detail["note"] = top.note
        if len(rows) > 1:
            detail["series"] = [
                {"labels": r.labels, "value": _json_number(r.value), "level": r.level.json_name}
                | ({"note": r.note} if r.note else {})
                for r in rows
            ]
        summary = _summary(rows, top, cfg)
        return [Check(self.source, self.name, worst([r.level for r in rows]) if rows else Level.UNKNOWN, summary, detail)]

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self._shared.release()


def _sortable(value: float | None) -> float:
    if value is None or math.isnan(value):
        return -math.inf
    return value


def _json_number(value: float | None) -> float | str | None:
    """JSON has no NaN/Inf: say them as strings rather than emit invalid JSON."""
    if value is None:
        return None
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return value


def _summary(rows: tuple[ErrorRateRow, ...], top: ErrorRateRow | None, cfg: ErrorRate) -> str:
    if top is None:
        return "no data"
    text = row_text(top, cfg.unit)
    if len(rows) > 1:
        # Which series speaks: the worst, or with every series OK simply the highest.
        which = "highest" if top.level is Level.OK else "worst"
        text = f"{len(rows)} series, {which} {top.labels} {text}"
    elif top.labels:
        text = f"{top.labels} {text}"
    limits = format_thresholds(cfg.warn, cfg.crit, cfg.unit)
    return f"{text} ({limits})" if limits else text
