"""Error rates from Prometheus' HTTP API: /api/v1/query, optionally /api/v1/query_range."""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx

from app.collectors.base import Level, Snapshot, now_utc, worst
from app.collectors.error_rates.collector import ErrorRateCollector
from app.collectors.error_rates.model import ErrorRateData, ErrorRateRow, RowHistory, format_labels, level_for
from app.collectors.http_client import TOTAL_GRACE, SharedClient, deadline_text, describe_http_error, read_bounded
from app.config.error_rates import ErrorRate

RANGE_POINTS = 30
"""Points asked of query_range: about one sparkline's width."""


class PrometheusUnreachable(Exception):
    """No Prometheus API answer at all (refused, timeout, a proxy's HTML 502)."""


class PrometheusError(Exception):
    """Prometheus answered with status "error": a bad query, a timeout inside it, ..."""


class PrometheusErrorRateCollector(ErrorRateCollector):
    def __init__(
        self,
        config: ErrorRate,
        client: SharedClient | httpx.AsyncClient,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(config, client)
        assert config.prometheus and config.query
        self.base_url = config.prometheus.rstrip("/")
        self.query = config.query
        self.clock = clock
        """Evaluation time source (unix seconds); tests pin it to compare with Prometheus."""
        self._history = RowHistory()

    async def collect(self) -> Snapshot[ErrorRateData]:
        at = self.clock()
        try:
            if self.config.range is None:
                result, ranges = await self._instant(at), None
            else:
                result, ranges = await asyncio.gather(self._instant(at), self._range(at, self.config.range))
        except PrometheusUnreachable as exc:
            return Snapshot(self.source, self.name, now_utc(), Level.UNKNOWN, str(exc), self._data(()))
        except PrometheusError as exc:
            row = ErrorRateRow(key="", labels="", value=None, level=Level.UNKNOWN, note=str(exc))
            return Snapshot(self.source, self.name, now_utc(), Level.UNKNOWN, None, self._data((row,)))
        rows = self._rows(result, ranges, at)
        return Snapshot(self.source, self.name, now_utc(), worst([r.level for r in rows]), None, self._data(rows))

    def _data(self, rows: tuple[ErrorRateRow, ...]) -> ErrorRateData:
        cfg = self.config
        return ErrorRateData(cfg.unit, cfg.warn, cfg.crit, self.base_url, self.query, rows)

    async def _instant(self, at: float) -> dict[str, Any]:
        return await self._api("/api/v1/query", {"query": self.query, "time": _timestamp(at)})

    async def _range(self, at: float, range_: timedelta) -> dict[str, list[tuple[float, float | None]]] | None:
        """History per label text; a failing range query only costs the sparkline."""
        span = range_.total_seconds()
        step = max(1.0, span / RANGE_POINTS)
        params = {"query": self.query, "start": _timestamp(at - span), "end": _timestamp(at), "step": f"{step:g}"}
        try:
            data = await self._api("/api/v1/query_range", params)
        except (PrometheusUnreachable, PrometheusError):
            return None
        if data.get("resultType") != "matrix":
            return None
        return {
            format_labels(series.get("metric", {})): [(_number(v[0]) or 0.0, _number(v[1])) for v in series.get("values", [])]
            for series in data.get("result", [])
        }

    async def _api(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        try:
            async with asyncio.timeout(self.timeout + TOTAL_GRACE), self.client.stream(
                "GET", self.base_url + path, params=params, timeout=self.timeout
            ) as response:
                body = await read_bounded(response)
        except TimeoutError as exc:
            raise PrometheusUnreachable(deadline_text(self.timeout)) from exc
        except Exception as exc:  # noqa: BLE001 - any transport failure is "unreachable"
            raise PrometheusUnreachable(describe_http_error(exc, self.timeout, self.base_url)) from exc
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if not isinstance(document, dict) or document.get("status") not in ("success", "error"):
            if response.status_code >= 400:
                raise PrometheusUnreachable(f"HTTP {response.status_code} {response.reason_phrase}".strip())
            raise PrometheusUnreachable("not a Prometheus API response")
        if document["status"] == "error":
            message = f"{document.get('errorType', 'error')}: {document.get('error', '')}".strip()
            if response.status_code >= 500:
                message = f"HTTP {response.status_code} {message}"
            raise PrometheusError(message)
        data = document.get("data")
        if not isinstance(data, dict):
            raise PrometheusUnreachable("Prometheus answer without data")
        return data

    def _rows(self, data: dict[str, Any], ranges: dict[str, list[tuple[float, float | None]]] | None,
              at: float | None = None) -> tuple[ErrorRateRow, ...]:
        kind, result = data.get("resultType"), data.get("result")
        series: list[tuple[str, float | None, str | None]]
        if kind == "scalar" and isinstance(result, list) and len(result) == 2:
            series = [("", _number(result[1]), None)]
        elif kind == "vector" and isinstance(result, list):
            series = [self._vector_item(item) for item in result]
            series.sort(key=lambda s: s[0])
        elif kind == "matrix":
            return (self._note_row("range vector result: wrap it in rate() or similar"),)
        else:
            return (self._note_row(f"unexpected result type {kind!r}"),)
        if not series:
            self._history.keep_only(set())
            return (self._note_row("no data"),)
        rows = []
        for labels, value, note in series:
            if ranges is not None:
                points = ranges.get(labels, [])
                history, history_at = tuple(v for _, v in points), tuple(t for t, _ in points)
            else:
                history, history_at = self._history.record(labels, value, at), self._history.times(labels)
            if note is None and value is not None and math.isnan(value):
                note = "NaN"
            rows.append(ErrorRateRow(labels, labels, value, level_for(value, self.config.warn, self.config.crit), note, history,
                                     history_at))
        self._history.keep_only({s[0] for s in series})
        return tuple(rows)

    @staticmethod
    def _vector_item(item: dict[str, Any]) -> tuple[str, float | None, str | None]:
        labels = format_labels(item.get("metric") or {})
        value = item.get("value")
        if not isinstance(value, list) or len(value) != 2:
            return labels, None, "sample without a float value"
        return labels, _number(value[1]), None

    def _note_row(self, note: str) -> ErrorRateRow:
        return ErrorRateRow(key="", labels="", value=None, level=Level.UNKNOWN, note=note)


def _number(text: Any) -> float | None:
    """Prometheus sends sample values as strings: "0.5", "NaN", "+Inf"."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _timestamp(at: float) -> str:
    return f"{at:.3f}"
