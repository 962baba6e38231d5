"""A team on one PostgreSQL store: two dashboards typing while scripts log, all at once.

The commander's and the scribe's dashboards (both real apps, driven by keys) and three
`warroom log` loops from other processes append to one incident at the same time. Every
entry is stored exactly once, the seqs have no gaps, and both screens end up showing the
same timeline as the store.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from textual import events

from app.config import Config
from app.domain.clock import FrozenClock
from app.domain.events import EventType
from app.incident import IncidentCore
from app.store import open_store
from app.ui.incident.panel import EntryInput
from tests.support import START, RecordingApp, until

ROOT = Path(__file__).resolve().parents[2]
PER_SCRIPT = 20
PER_SCREEN = 40

LOG_LOOP = """
import subprocess, sys
dsn, incident, name, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
for i in range(count):
    subprocess.run([sys.executable, "-m", "app", "--operator", name, "log", "--store", dsn, "--incident", incident,
                    f"{name} {i}"], check=True, stdout=subprocess.DEVNULL)
"""


def screen(dsn: str, operator: str) -> RecordingApp:
    return RecordingApp(Config(operator=operator, timezone="UTC"), open_store(dsn), FrozenClock(START))


async def type_lines(pilot, lines: list[str]) -> None:
    """Keys as the terminal delivers them to each app: posted, a line every 20 ms."""
    await pilot.press("t")
    names = {" ": "space"}
    for line in lines:
        for char in line:
            pilot.app.post_message(events.Key(names.get(char, char), char))
        pilot.app.post_message(events.Key("enter", None))
        await asyncio.sleep(0.02)


def shown(app) -> list[str]:
    return [i.text for i in app.state.timeline if i.event_type is EventType.ENTRY_ADDED] if app.state else []


async def test_two_dashboards_and_three_scripts_append_each_entry_once(pg_dsn, tmp_path):
    with open_store(pg_dsn) as store:
        incident = IncidentCore(store, Config(operator="alice", timezone="UTC")).open("Team drill", "SEV2").incident_id
    env = {**os.environ, "HOME": str(tmp_path)}
    scripts = [subprocess.Popen([sys.executable, "-c", LOG_LOOP, pg_dsn, incident, f"bot{n}", str(PER_SCRIPT)], cwd=ROOT, env=env)
               for n in range(3)]
    commander, scribe = screen(pg_dsn, "alice"), screen(pg_dsn, "bob")
    expected = {f"bot{n} {i}" for n in range(3) for i in range(PER_SCRIPT)}
    expected |= {f"{who} line {i}" for who in ("alice", "bob") for i in range(PER_SCREEN)}
    try:
        async with commander.run_test(size=(120, 40)) as alice, scribe.run_test(size=(120, 40)) as bob:
            await until(alice, lambda: commander.state is not None and scribe.state is not None)
            await asyncio.gather(
                type_lines(alice, [f"alice line {i}" for i in range(PER_SCREEN)]),
                type_lines(bob, [f"bob line {i}" for i in range(PER_SCREEN)]),
            )
            for script in scripts:
                assert await asyncio.to_thread(script.wait, 120) == 0
            for app, pilot in ((commander, alice), (scribe, bob)):
                await until(pilot, lambda app=app: len(shown(app)) >= len(expected), timeout=30,
                            message=f"{app.config.operator} sees {len(shown(app))} of {len(expected)}")
                assert app.query_one(EntryInput).value == ""
            assert shown(commander) == shown(scribe)  # the same order on both screens
    finally:
        for script in scripts:
            script.kill()
    with open_store(pg_dsn, read_only=True) as store:
        events = store.events(incident)
    texts = [e.data["text"] for e in events if e.type is EventType.ENTRY_ADDED]
    assert sorted(texts) == sorted(expected)  # each exactly once
    assert [e.seq for e in events] == list(range(1, len(events) + 1))  # no gaps, no duplicates
    assert texts == shown(commander)
