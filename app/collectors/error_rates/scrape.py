"""Error rates straight from a /metrics endpoint, without Prometheus.

Each collect() scrapes once and compares with the previous scrape: the error ratio is
delta(errors) / delta(total) over that span, where errors are the counter's series whose
labels match the configured regexes. Counters only go up, so a series whose value dropped
was reset (the process restarted) and its whole new value is the increase, as Prometheus'
rate() counts it. A series first seen after the first scrape started at zero in between
(client libraries create a labelled child on its first increment), so its value counts too.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families

from app.collectors.base import Level, Snapshot, now_utc
from app.collectors.error_rates.collector import ErrorRateCollector
from app.collectors.error_rates.model import ErrorRateData, ErrorRateRow, RowHistory, level_for
from app.collectors.http_client import TOTAL_GRACE, SharedClient, deadline_text, describe_http_error, read_bounded
from app.config.error_rates import ErrorRate

SeriesKey = tuple[tuple[str, str], ...]

# Ask for the classic text format: the parser we use does not read OpenMetrics.
ACCEPT = "text/plain;version=0.0.4;q=1.0, */*;q=0.1"


@dataclass(frozen=True)
class Scrape:
    at: float
    """Monotonic seconds when the answer arrived."""
    series: dict[SeriesKey, float]
    """Every series of the counter, by its sorted labels."""


def counter_series(text: str, counter: str) -> dict[SeriesKey, float] | None:
    """The counter's samples by labels, or None if the exposition has no such counter.

    `counter` may be the sample name (http_requests_total, latency_seconds_count) or the
    family name (http_requests, latency_seconds), which we complete with _total / _count.
    """
    wanted = [counter, f"{counter}_total", f"{counter}_count"]
    # The parser is pure Python (~1 s per MiB); hand it only our counter's sample lines.
    prefixes = tuple(f"{name}{sep}" for name in wanted for sep in ("{", " ", "\t"))
    relevant = "".join(line for line in text.splitlines(keepends=True) if line.startswith(prefixes))
    if relevant and not relevant.endswith("\n"):
        relevant += "\n"
    found: dict[str, dict[SeriesKey, float]] = {}
    for family in text_string_to_metric_families(relevant):
        for sample in family.samples:
            if sample.name in wanted:
                key = tuple(sorted(sample.labels.items()))
                found.setdefault(sample.name, {})[key] = float(sample.value)
    for name in wanted:
        if name in found:
            return found[name]
    return None


def increases(previous: dict[SeriesKey, float], current: dict[SeriesKey, float]) -> dict[SeriesKey, float]:
    """Per series, how much the counter went up between two scrapes (resets handled)."""
    out: dict[SeriesKey, float] = {}
    for key, value in current.items():
        before = previous.get(key)
        if before is None or value < before:
            out[key] = value  # new series, or reset: it counted up from zero since
        else:
            out[key] = value - before
    return out


class LabelMatchers:
    """`{code: "5.."}` as anchored regexes, like PromQL's =~ (a missing label is "")."""

    def __init__(self, patterns: dict[str, str]) -> None:
        self.patterns = {label: re.compile(pattern) for label, pattern in patterns.items()}

    def match(self, key: SeriesKey) -> bool:
        labels = dict(key)
        return all(rx.fullmatch(labels.get(label, "")) for label, rx in self.patterns.items())

    def text(self) -> str:
        return ",".join(f'{label}=~"{rx.pattern}"' for label, rx in self.patterns.items())


class MetricsScrapeCollector(ErrorRateCollector):
    needs_warmup = True
    """A rate needs two scrapes: the first snapshot only says "collecting…"."""

    def __init__(
        self,
        config: ErrorRate,
        client: SharedClient | httpx.AsyncClient,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(config, client)
        assert config.metrics_url and config.counter
        self.url = config.metrics_url
        self.counter = config.counter
        self.matchers = LabelMatchers(config.errors)
        self.monotonic = monotonic
        self._previous: Scrape | None = None
        self._history = RowHistory()
        matchers = self.matchers.text()
        self.expression = f"{self.counter}{{{matchers}}}" if matchers else self.counter

    async def collect(self) -> Snapshot[ErrorRateData]:
        try:
            async with asyncio.timeout(self.timeout + TOTAL_GRACE), self.client.stream(
                "GET", self.url, headers={"Accept": ACCEPT}, timeout=self.timeout
            ) as response:
                if response.status_code >= 400:
                    return self._failed(f"HTTP {response.status_code} {response.reason_phrase}".strip())
                body = await read_bounded(response)
        except TimeoutError:
            return self._failed(deadline_text(self.timeout))
        except Exception as exc:  # noqa: BLE001 - any transport failure is news, not a crash
            return self._failed(describe_http_error(exc, self.timeout, self.url))
        arrived = self.monotonic()
        text = body.decode("utf-8", errors="replace")
        try:
            # Parsing megabytes takes a while: keep it off the UI's event loop.
            series = await asyncio.to_thread(counter_series, text, self.counter)
        except Exception as exc:  # noqa: BLE001 - a malformed exposition is the target's fault
            return self._failed(f"cannot parse /metrics: {exc}")
        if series is None:
            # A labelled counter has no samples until its first increment: remember "none yet"
            # so the first series to appear counts in full on the next scrape.
            self._previous = Scrape(arrived, {})
            row = self._row(None, Level.UNKNOWN, f"counter {self.counter!r} not found")
            return self._snapshot((row,))
        return self._snapshot((self._rate_row(Scrape(arrived, series)),))

    def _rate_row(self, scrape: Scrape) -> ErrorRateRow:
        previous, self._previous = self._previous, scrape
        if previous is None:
            return self._row(None, Level.UNKNOWN, "collecting…")
        deltas = increases(previous.series, scrape.series)
        errors = sum(v for key, v in deltas.items() if self.matchers.match(key))
        if self.config.unit == "per_second":
            elapsed = scrape.at - previous.at
            value = errors / elapsed if elapsed > 0 else None
            if value is None:
                return self._row(None, Level.UNKNOWN, "scrapes too close together")
        else:
            total = sum(deltas.values())
            if total <= 0:
                # No traffic is not an error rate problem; the health pane says if it is down.
                return self._row(None, Level.OK, "no requests", record=True)
            value = errors / total * (100 if self.config.unit == "percent" else 1)
        return self._row(value, level_for(value, self.config.warn, self.config.crit), None, record=True)

    def _row(self, value: float | None, level: Level, note: str | None, *, record: bool = False) -> ErrorRateRow:
        history = self._history.record("", value) if record else ()
        return ErrorRateRow("", "", value, level, note, history, self._history.times("") if record else ())

    def _snapshot(self, rows: tuple[ErrorRateRow, ...]) -> Snapshot[ErrorRateData]:
        level = rows[0].level if rows else Level.UNKNOWN
        return Snapshot(self.source, self.name, now_utc(), level, None, self._data(rows))

    def _failed(self, reason: str) -> Snapshot[ErrorRateData]:
        return Snapshot(self.source, self.name, now_utc(), Level.UNKNOWN, reason, self._data(()))

    def _data(self, rows: tuple[ErrorRateRow, ...]) -> ErrorRateData:
        cfg = self.config
        return ErrorRateData(cfg.unit, cfg.warn, cfg.crit, self.url, self.expression, rows)
