"""The status strip: one line with the incident, the next deadline and the worst live level,
on screen at 80x24, 120x40, 200x60 and in the narrow mode where the halves take turns.
Real app, real SQLite, frozen clock, real health targets on 127.0.0.1."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from app.collectors.base import Level
from app.config import Config
from app.domain.clock import FrozenClock
from app.domain.timers import Countdown, TimerState
from app.ui.status_strip import Piece, StatusStrip, deadline_piece, fit, live_piece, next_deadline
from tests.health.health_servers import TargetServer
from tests.support import START, make_app, until

SIZES = [(80, 24), (120, 40), (200, 60)]


@pytest.fixture
def target():
    server = TargetServer().start()
    yield server
    server.stop()


def live_config(target: TargetServer) -> Config:
    return Config.model_validate({
        "operator": "alice",
        "timezone": "UTC",
        "health": [
            {"name": "payments", "url": target.url("/down"), "interval": "0.2s"},
            {"name": "search", "url": target.url("/down"), "interval": "0.2s"},
            {"name": "api", "url": target.url("/warn"), "interval": "0.2s"},
        ],
    })


async def settle_live(app, pilot) -> None:
    # The collector loops never end, so no waiting for workers; only for the incident session.
    for _ in range(3):
        await asyncio.to_thread(app.session.drain)
        await pilot.pause()


def on_screen(app, strip: StatusStrip) -> bool:
    """The strip is laid out inside the terminal, and it is what is drawn on its row."""
    region = strip.region
    width, height = app.size
    if region.height != 1 or not (0 <= region.y < height) or region.width < min(width, 80) - 2:
        return False
    widget, _ = app.screen.get_widget_at(region.x + 1, region.y)
    return widget is strip


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_strip_shows_incident_next_deadline_and_worst_level_at_every_size(tmp_path, target, size):
    clock = FrozenClock(START)
    app = make_app(tmp_path / "s.db", clock, live_config(target))
    async with app.run_test(size=size) as pilot:
        await settle_live(app, pilot)
        await pilot.press(*"Checkout down", "enter")
        await settle_live(app, pilot)
        strip = app.status_strip
        # Two checks down: CRIT wins over the WARN, counted, with symbol and word.
        await until(pilot, lambda: "✖ 2 CRIT" in strip.text, message=strip.text)
        assert on_screen(app, strip)
        assert strip.text.startswith("INC-2026-001   SEV2   investigating  T+0:00:00  ⏰ ack in 15m  ✖ 2 CRIT")

        # Four minutes on: a deadline over ten minutes away in whole minutes; within ten,
        # it counts down each second; then it is overdue.
        clock.set(START + timedelta(minutes=4, seconds=48))
        app.refresh_clock()
        await pilot.pause()
        assert "T+0:04:48  ⏰ ack in 10m" in strip.text
        clock.set(START + timedelta(minutes=5, seconds=1))
        app.refresh_clock()
        await pilot.pause()
        assert "T+0:05:01  ⏰ ack in 9:59" in strip.text
        clock.set(START + timedelta(minutes=16, seconds=3))
        app.refresh_clock()
        await pilot.pause()
        assert "▲ ack OVERDUE 1:03" in strip.text
        assert on_screen(app, strip)

        if size[0] < 100:
            # Narrow: `w` swaps the incident half for the live half; the strip stays.
            await pilot.press("escape", "w")
            await pilot.pause()
            assert app.main_screen.has_class("-narrow", "-show-live")
            assert on_screen(app, strip) and "✖ 2 CRIT" in strip.text and "▲ ack OVERDUE" in strip.text
        if size[0] >= 120:
            assert strip.text.endswith("Checkout down")  # room for the title too


async def test_strip_follows_the_worst_level_down_to_ok(tmp_path, target):
    target.routes["/flaky"] = (503, '{"status":"DOWN"}', 0.0)
    config = Config.model_validate({
        "operator": "alice", "timezone": "UTC",
        "health": [{"name": "flaky", "url": target.url("/flaky"), "interval": "0.2s"}],
    })
    app = make_app(tmp_path / "o.db", FrozenClock(START), config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_live(app, pilot)
        strip = app.status_strip
        # No incident yet (the open dialog is up): the strip still says what is broken.
        await until(pilot, lambda: "✖ 1 CRIT" in strip.text, message=strip.text)
        assert strip.text.startswith("No incident open")
        target.routes["/flaky"] = (200, '{"status":"UP"}', 0.0)
        await until(pilot, lambda: "✔ live OK" in strip.text, message=strip.text)


async def test_strip_repaints_only_when_its_text_changes(tmp_path):
    clock = FrozenClock(START)
    app = make_app(tmp_path / "r.db", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_live(app, pilot)
        await pilot.press(*"Idle", "enter")
        await settle_live(app, pilot)
        strip = app.status_strip
        painted = []
        original = strip.refresh
        strip.refresh = lambda *a, **kw: (painted.append(strip.render()), original(*a, **kw))[1]
        for _ in range(5):  # the clock stands still: the 1 s refresh finds nothing new
            app.refresh_clock()
        assert painted == []
        clock.advance(seconds=1)
        app.refresh_clock()
        app.refresh_clock()
        assert len(painted) == 1 and "T+0:00:01" in painted[0].plain


def _countdown(key: str, minutes: float, state: TimerState) -> Countdown:
    return Countdown(key, key, START + timedelta(minutes=minutes), timedelta(minutes=minutes), state)


def test_next_deadline_is_the_soonest_still_running():
    items = [_countdown("update", 12, TimerState.OK), _countdown("ack", 3, TimerState.MET), _countdown("monitoring", 20, TimerState.OK)]
    assert next_deadline(items).key == "update"
    overdue = _countdown("ack", -2, TimerState.OVERDUE)
    assert next_deadline([*items, overdue]) is overdue
    assert deadline_piece(overdue).text == "▲ ack OVERDUE 2:00"
    assert deadline_piece(_countdown("update", 4, TimerState.DUE_SOON)).text == "▲ update in 4:00"
    assert deadline_piece(_countdown("monitoring", 20, TimerState.OK)).text == "⏰ watch ends in 20m"
    assert next_deadline([]) is None


def test_live_piece_and_fit():
    assert live_piece(None) is None  # nothing heard yet: claim nothing
    assert live_piece((Level.OK, 0)).text == "✔ live OK"
    assert live_piece((Level.UNKNOWN, 3)).text == "? 3 UNKNOWN"
    pieces = [Piece("INC-1", priority=7), Piece("T+0:01:00", priority=4), Piece("⏰ update in 4:12", priority=9),
              Piece("a long title", priority=1, crop=True)]
    assert [p.text for p in fit(pieces, 200)] == [p.text for p in pieces]
    # The title goes first (kept only with 12 cells for it), then elapsed, then the id.
    assert [p.text for p in fit(pieces, 40)] == ["INC-1", "T+0:01:00", "⏰ update in 4:12"]
    assert [p.text for p in fit(pieces, 30)] == ["INC-1", "⏰ update in 4:12"]
    assert [p.text for p in fit(pieces, 20)] == ["⏰ update in 4:12"]
