"""`warroom status`: every configured collector once, concurrently; Nagios exit codes."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime

from app.collectors.base import Check, Level, collect_safely, worst
from app.collectors.registry import SOURCES, build_collectors
from app.config import Config
from app.errors import ConfigError


async def gather_checks(config: Config, only: list[str] | None = None) -> list[Check]:
    collectors = build_collectors(config, only)
    if not collectors:
        return []
    budget = max(c.timeout for c in collectors) + 1.0

    async def one(collector) -> list[Check]:
        try:
            snapshot = await asyncio.wait_for(collect_safely(collector), budget)
        except TimeoutError:
            return [Check(collector.source, collector.name, Level.UNKNOWN, f"no answer within {budget:.0f}s")]
        finally:
            try:
                await collector.aclose()
            except Exception:  # noqa: BLE001 - closing must not hide the result
                pass
        return collector.checks(snapshot)

    results = await asyncio.gather(*(one(c) for c in collectors))
    return [check for group in results for check in group]


def run_status(config: Config, *, as_json: bool, only: list[str] | None) -> int:
    if only:
        unknown = [s for s in only if s not in SOURCES]
        if unknown:
            raise ConfigError(f"--only: unknown source {unknown[0]!r} (known: {', '.join(SOURCES)})")
    checks = asyncio.run(gather_checks(config, only))
    overall = worst([c.level for c in checks]) if checks else Level.UNKNOWN
    if as_json:
        document = {
            "overall": overall.json_name,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "checks": [c.as_json() for c in checks],
        }
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        if not checks:
            print("UNKNOWN: nothing to check (configure health, error_rates, postgres or kubernetes)")
        width = max((len(c.name) for c in checks), default=0)
        for c in checks:
            print(f"{c.level.symbol} {c.level.word:<7} {c.source:<10} {c.name:<{width}}  {c.summary}")
        if checks:
            print(f"overall: {overall.word}")
    return int(overall)
