"""What an idle dashboard repaints (issue 12): each second the app asks every countdown
again; a line whose text did not change is not touched, one that changed is repainted
once, and a text field's cursor does not blink (each blink was a repaint).
Real app, real SQLite, frozen clock."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input

from app.domain.clock import FrozenClock
from app.ui.incident.countdowns import CountdownsPanel
from app.ui.incident.panel import EntryInput
from app.ui.screens.open_incident import OpenIncidentScreen
from app.ui.widgets.one_line import OneLine
from tests.support import START, make_app, settle

# SEV2 (the default config): update every 30m, acknowledge within 15m, escalations at 30m and 2h.
UPDATE, ACK = "Next status update", "Acknowledge"


def line_text(app, label: str) -> str:
    return next(str(w.render()) for w in app.query_one(CountdownsPanel).query(".countdown").results(OneLine) if str(w.render()).endswith(label))


class Refreshes:
    """Counts refresh() on each countdown line: every repaint of a line goes through it."""

    def __init__(self, app) -> None:
        self.counts: dict[str, int] = {}
        for widget in app.query_one(CountdownsPanel).query(".countdown").results(OneLine):
            self._wrap(widget)

    def _wrap(self, widget: OneLine) -> None:
        original = widget.refresh
        name = widget.name or ""

        def counted(*args, **kwargs):
            self.counts[name] = self.counts.get(name, 0) + 1
            return original(*args, **kwargs)

        widget.refresh = counted  # type: ignore[method-assign]

    def reset(self) -> None:
        self.counts.clear()


async def test_a_second_that_changes_no_countdown_text_repaints_no_countdown(tmp_path):
    clock = FrozenClock(START)
    app = make_app(tmp_path / "idle.db", clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"Idle", "enter")
        await settle(app, pilot)
        clock.set(START + timedelta(seconds=10))
        app.refresh_clock()
        await pilot.pause()
        # Far deadlines in whole minutes: what the commander reads, and what changes rarely.
        assert "29m left" in line_text(app, UPDATE) and "14m left" in line_text(app, ACK)
        refreshes = Refreshes(app)

        for second in range(11, 60, 7):  # seconds pass; no countdown's text changes
            clock.set(START + timedelta(seconds=second))
            app.refresh_clock()
            await pilot.pause()
        assert refreshes.counts == {}
        assert "T+0:00:53" in app.status_strip.text  # the clock itself did move

        clock.set(START + timedelta(seconds=61))  # a minute boundary: every far deadline moves
        app.refresh_clock()
        app.refresh_clock()  # asked twice in the same second: still one repaint per line
        await pilot.pause()
        assert "28m left" in line_text(app, UPDATE) and "13m left" in line_text(app, ACK)
        assert refreshes.counts == {"update": 1, "ack": 1, "escalation:0": 1, "escalation:1": 1}

        # Within ten minutes a deadline shows seconds: only that line repaints each second.
        clock.set(START + timedelta(minutes=5, seconds=10))
        app.refresh_clock()
        await pilot.pause()
        assert "9:50 left" in line_text(app, ACK)
        refreshes.reset()
        clock.advance(seconds=1)
        app.refresh_clock()
        await pilot.pause()
        assert "9:49 left" in line_text(app, ACK) and "24m left" in line_text(app, UPDATE)
        assert refreshes.counts == {"ack": 1}


async def test_the_text_cursor_does_not_blink(tmp_path):
    app = make_app(tmp_path / "cursor.db", FrozenClock(START))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        # First start: "Open a new incident" is up with the title field focused.
        assert isinstance(app.screen, OpenIncidentScreen)
        title = app.screen.query_one(Input)
        await pilot.pause()
        assert title.has_focus and title.cursor_blink is False
        await pilot.press(*"Idle", "enter")
        await settle(app, pilot)
        await pilot.press("t")
        await pilot.pause()
        entry = app.query_one(EntryInput)
        assert entry.has_focus and entry.cursor_blink is False


async def test_a_new_theme_repaints_the_strip_in_its_colours(tmp_path):
    # The strip compares text, not colours, before repainting: a theme change must still reach it.
    clock = FrozenClock(START)
    app = make_app(tmp_path / "theme.db", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"Idle", "enter")
        await settle(app, pilot)
        clock.set(START + timedelta(minutes=16))  # the acknowledgement is overdue: in the error colour
        app.refresh_clock()
        await pilot.pause()
        strip = app.status_strip

        def overdue_style() -> str:
            line = strip.render()
            return next(str(s.style) for s in line.spans if "OVERDUE" in line.plain[s.start:s.end])

        before = overdue_style()
        app.theme = "nord"
        await pilot.pause()
        await pilot.pause()
        assert "OVERDUE" in strip.text and overdue_style() != before
