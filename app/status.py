"""`warroom status`: every configured collector once, concurrently; Nagios exit codes.

Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN: the worst check decides (CRIT > WARN >
UNKNOWN > OK). Each source's run is bounded by its largest per-check timeout plus a little
while every check can run at once; health checks beyond the connection limits
(app/collectors/check_runs.py) wait their turn, and each gets its timeout once it runs.

From the command line, each source starts as soon as its own config section is read
(app/config/staged.py), before the next source's modules are even imported; the rest of
the config is validated while the checks run, and an error there is still the command's
one line and exit code 2.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import sys
from collections.abc import Iterable
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app.collectors.base import Check, Collector, Level, Snapshot, collect_safely, worst
from app.collectors.registry import SOURCES, Source, configured_sources
from app.domain.scrub import Scrubber
from app.errors import ConfigError

if TYPE_CHECKING:
    from app.config import Config
    from app.config.staged import StagedConfig

# Beyond the largest timeout: collectors' own grace (health adds 0.5 s) and process overhead.
BUDGET_MARGIN = 1.0
# A rate needs two samples: collectors with `needs_warmup` (direct /metrics scrapes) are
# collected twice this far apart, so `warroom status` reports a real ratio, not "collecting".
WARMUP_SECONDS = 1.0
CLOSE_SECONDS = 2.0
"""Closing connections after the checks, all together, waits at most this long."""
SWITCH_INTERVAL = 0.001
"""Seconds another thread may hold the GIL once a probe's answer is in (Python's default: 5 ms).
While one source's modules are imported or the config validated, health checks run on
their own thread and time their targets: the default would add up to 5 ms to a latency
each time an answer arrives."""


QUIET_START = 0.05
"""Seconds the checks have to themselves before the rest of the config is validated."""


def _build(source: Source, entries: list[Any]) -> tuple[list[Collector], list[Check]]:
    """The source's collectors; a source whose module is missing becomes UNKNOWN."""
    try:
        return source.build_for(entries), []
    except ImportError as exc:
        return [], [Check(source.name, source.name, Level.UNKNOWN, f"not available in this build ({exc})")]


async def _collect(collectors: list[Collector]) -> list[Check]:
    """The checks of one source's collectors, each once, then their connections closed."""
    for collector in collectors:
        collector.once()
    budget = max(c.timeout for c in collectors) + BUDGET_MARGIN

    async def collect_once_or_twice(collector: Collector) -> Snapshot:
        snapshot = await collect_safely(collector)
        if getattr(collector, "needs_warmup", False) and snapshot.error is None:
            await asyncio.sleep(WARMUP_SECONDS)
            snapshot = await collect_safely(collector)
        return snapshot

    if any(getattr(c, "needs_warmup", False) for c in collectors):
        budget = 2 * budget + WARMUP_SECONDS

    async def one(collector: Collector) -> list[list[Check]]:
        try:
            snapshot = await asyncio.wait_for(collect_once_or_twice(collector), budget)
        except TimeoutError:
            return [[Check(collector.source, collector.name, Level.UNKNOWN, f"no answer within {budget:g}s")]]
        return [collector.checks(snapshot)]

    async def together(group: list[Collector]) -> list[list[Check]]:
        # Thousands of health checks: one trip to where they run, and no more connections
        # at once than their gate allows (queued ones are not yet on the clock).
        snapshots = await type(group[0]).collect_many(group, budget)  # type: ignore[attr-defined]
        return [c.checks(s) for c, s in zip(group, snapshots, strict=True)]

    groups: dict[type, list[Collector]] = {}
    for collector in collectors:
        if hasattr(type(collector), "collect_many"):
            groups.setdefault(type(collector), []).append(collector)
    singles = [c for c in collectors if not hasattr(type(c), "collect_many")]
    try:
        runs = await asyncio.gather(*(one(c) for c in singles), *(together(g) for g in groups.values()))
    finally:
        with contextlib.suppress(TimeoutError):  # closing must not hold the result back
            async with asyncio.timeout(CLOSE_SECONDS):
                await asyncio.gather(*(c.aclose() for c in collectors), return_exceptions=True)
    ordered = singles + [c for group in groups.values() for c in group]
    by_collector = dict(zip(map(id, ordered), (checks for run in runs for checks in run), strict=True))
    return [check for c in collectors for check in by_collector[id(c)]]


async def _run_sources(sections: Iterable[tuple[Source, list[Any] | None]]) -> tuple[list[Check], list[asyncio.Future]]:
    """Start each source's checks before reading and building the next (whose imports may
    take a while); stop at a section that is None (not valid: nothing more is started)."""
    missing: list[Check] = []
    runs: list[asyncio.Future] = []
    for source, entries in sections:
        if entries is None:
            break
        collectors, unavailable = _build(source, entries) if entries else ([], [])
        missing += unavailable
        if collectors:
            runs.append(asyncio.ensure_future(_collect(collectors)))
            # Under way before the next import: a source's first request is three task steps
            # from here (_collect, gather's child, wait_for's task), each one loop turn.
            for _ in range(3):
                await asyncio.sleep(0)
    return missing, runs


async def _results(missing: list[Check], runs: list[asyncio.Future]) -> list[Check]:
    return missing + [check for checks in await asyncio.gather(*runs) for check in checks]


async def _cancel(runs: list[asyncio.Future]) -> None:
    for run in runs:
        run.cancel()
    await asyncio.gather(*runs, return_exceptions=True)


async def gather_checks(config: Config, only: list[str] | None = None) -> list[Check]:
    chosen = [(s, getattr(config, s.section)) for s in configured_sources(config) if not only or s.name in only]
    missing, runs = await _run_sources(chosen)
    return await _results(missing, runs)


async def gather_staged(staged: StagedConfig, only: list[str] | None = None) -> tuple[Config, list[Check]]:
    """As gather_checks, each source started once its own section is valid; the whole config
    is validated (in a thread) while they run. Its error cancels them and is the result."""
    chosen = (source for source in SOURCES.values() if not only or source.name in only)
    invalid: list[Source] = []
    preloading: list[Future[Any]] = []

    def sections() -> Iterable[tuple[Source, list[Any] | None]]:
        for source in chosen:
            entries = staged.section(source.section)
            if entries is None:  # not valid alone, so the whole is not valid either
                invalid.append(source)
            elif entries and source.preload is not None:
                preloading.append(source.preload())  # off this loop, which runs other checks
            yield source, entries

    def whole() -> Config:
        # After those imports: waiting for them, not competing with them for the GIL.
        for loading in preloading:
            with contextlib.suppress(Exception):  # the source's own start says what went wrong
                loading.result()
        return staged.whole()

    missing, runs = await _run_sources(sections())
    # Answers that come at once (a few ms) are timed with nothing of ours competing for the
    # GIL (this validation is ~50 ms of Python); slower ones are waited for meanwhile.
    if runs:
        await asyncio.wait(runs, timeout=QUIET_START)
    try:
        config = await asyncio.to_thread(whole)
    except BaseException:
        await _cancel(runs)
        raise
    _start_up_over()
    if invalid:  # cannot be (the whole would not validate), but then: run them all now
        await _cancel(runs)
        return config, await gather_checks(config, only)
    return config, await _results(missing, runs)


def status_document(checks: list[Check], overall: Level, generated_at: datetime | None = None) -> dict:
    at = (generated_at or datetime.now(UTC)).astimezone(UTC)
    return {
        "overall": overall.json_name,
        "generated_at": at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "checks": [c.as_json() for c in checks],
    }


def _one_line(text: str) -> str:
    return " ".join(text.split())


def status_table(checks: list[Check], overall: Level, symbols: bool = True) -> list[str]:
    if not checks:
        return ["? UNKNOWN: nothing to check (configure health, error_rates, postgres or kubernetes)"]
    shown = [c for c in checks if c.listed or c.level is not Level.OK]
    name_width = min(40, max((len(c.name) for c in shown), default=0))
    source_width = max((len(c.source) for c in shown), default=0)
    lines = []
    for c in shown:
        mark = f"{c.level.symbol} " if symbols else ""
        lines.append(f"{mark}{c.level.word:<7}  {c.source:<{source_width}}  {c.name:<{name_width}}  {_one_line(c.summary)}")
    counts = ", ".join(
        f"{sum(1 for c in checks if c.level == lv)} {lv.word}" for lv in (Level.CRIT, Level.WARN, Level.UNKNOWN, Level.OK)
        if any(c.level == lv for c in checks)
    )
    mark = f"{overall.symbol} " if symbols else ""
    hidden = len(checks) - len(shown)
    note = f"; {hidden} healthy not listed, see --json" if hidden else ""
    lines.append(f"{mark}overall: {overall.word} ({counts}{note})")
    return lines


def _can_print_symbols() -> bool:
    try:
        "✔▲✖?".encode(sys.stdout.encoding or "ascii")
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def _start_up_over() -> None:
    """Start-up made long-lived objects only (modules, config models), uncollected meanwhile
    (see _gather): set aside for good, later collections no longer walk them."""
    gc.freeze()
    gc.enable()


def run_status(config: Config | StagedConfig, *, as_json: bool, only: list[str] | None) -> int:
    from app.config.staged import StagedConfig

    if only:
        unknown = [s for s in only if s not in SOURCES]
        if unknown:
            if isinstance(config, StagedConfig):
                config.whole()  # an error in the config is said first, as before
            raise ConfigError(f"--only: unknown source {unknown[0]!r} (known: {', '.join(SOURCES)})")
    checks, config = asyncio.run(_gather(config, only))
    overall = worst([c.level for c in checks]) if checks else Level.UNKNOWN
    # Last line of defence: whatever a collector put in a summary or detail (a URL with
    # ?access_token=, a header value echoed in an error) is masked before it is printed.
    scrub = Scrubber.from_config(config)
    if as_json:
        document = scrub.data(status_document(checks, overall))
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=not _can_print_symbols()) + "\n")
    else:
        sys.stdout.write("\n".join(scrub(line) for line in status_table(checks, overall, _can_print_symbols())) + "\n")
    sys.stdout.flush()
    return int(overall)


async def _gather(config: Config | StagedConfig, only: list[str] | None) -> tuple[list[Check], Config]:
    from app.config.staged import StagedConfig

    if not isinstance(config, StagedConfig):
        return await gather_checks(config, only), config
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    collecting = gc.isenabled()
    gc.disable()  # until _start_up_over
    try:
        whole, checks = await gather_staged(config, only)
        return checks, whole
    finally:
        sys.setswitchinterval(interval)
        if collecting and not gc.isenabled():
            gc.enable()
