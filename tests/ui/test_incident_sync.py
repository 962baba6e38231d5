"""Other writers, start-up choices, layout by size, and panes asking for timeline entries."""

from __future__ import annotations

import asyncio
import sys

from app.domain import actions
from app.store.sqlite import SQLiteStore
from app.ui.incident.header import IncidentHeader
from app.ui.incident.timeline import TimelineTable
from app.ui.messages import TimelineRequest
from app.ui.screens.open_incident import OpenIncidentScreen
from app.ui.screens.pickers import ChoiceScreen
from tests.ui.test_incident_flow import _plain, timeline_rows
from tests.support.incident_app import START, make_app, settle


def _open(db, title="Queue backlog", severity="SEV2") -> str:
    with SQLiteStore(db) as store:
        return store.open_incident(title=title, severity=severity, actor="bob", at=START, id_format="INC-{year}-{seq:03d}").incident_id


async def _wait_for_row(app, pilot, text: str, seconds: float = 3.0) -> float:
    """Let the app's own poll timer run (real time), up to `seconds`; returns the wait."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while loop.time() - start < seconds:
        if any(r[3] == text for r in timeline_rows(app)):
            return loop.time() - start
        await pilot.pause(0.05)
    raise AssertionError(f"{text!r} did not appear within {seconds}s: {timeline_rows(app)[-3:]}")


async def test_entry_from_warroom_log_in_another_process_appears(tmp_path):
    db = tmp_path / "shared.db"
    incident = _open(db)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.state.id == incident
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app", "log", "--store", f"sqlite:///{db}", "--operator", "carol", "--kind", "action",
            "scaled", "workers", "[red]x",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        waited = await _wait_for_row(app, pilot, "scaled workers [red]x")
        assert waited < 1.5
        assert timeline_rows(app)[-1][1:] == ("carol", "action", "scaled workers [red]x")


async def test_events_from_another_connection_fold_in_order(tmp_path):
    db = tmp_path / "shared.db"
    incident = _open(db)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        with SQLiteStore(db) as other:
            other.append(incident, actions.role_assigned("Scribe", "erin", "erin", START))
            other.append(incident, actions.severity_changed("SEV1", "SEV2", "erin", START))
            other.append(incident, actions.entry_added("from the other terminal", "note", "erin", START))
        await _wait_for_row(app, pilot, "from the other terminal")
        assert app.state.roles == {"Scribe": "erin"}
        assert " SEV1 " in app.status_strip.text


async def test_several_open_incidents_ask_which_one(tmp_path):
    db = tmp_path / "two.db"
    _open(db, "First")
    second = _open(db, "Second")
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("enter")  # newest first
        await settle(app, pilot)
        assert app.state.id == second
        # Switch from the list.
        await pilot.press("i", "down", "enter")
        await settle(app, pilot)
        assert app.state.title == "First"
        assert "First" in _plain(app.query_one(IncidentHeader).render())


async def test_dismissed_open_screen_says_how_to_open(tmp_path):
    app = make_app(tmp_path / "none.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, OpenIncidentScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert "Press o to open one" in _plain(app.query_one(IncidentHeader).render())
        # A pane's request with nothing open is not lost silently: it says so.
        app.post_message(TimelineRequest("pinned: 5xx spike", "observation"))
        await settle(app, pilot)
        assert any("Not logged" in n.message for n in app._notifications)
        # An automatic observation with nothing open is no news: no pop-up for it.
        app.post_message(TimelineRequest("api CRIT: 503 (since 09:00:01)", "observation", automatic=True))
        await settle(app, pilot)
        assert not any("api CRIT" in n.message for n in app._notifications)
        await pilot.press("o", *"Now open", "enter")
        await settle(app, pilot)
        assert app.state.title == "Now open"


async def test_timeline_request_from_a_pane_is_appended(tmp_path):
    db = tmp_path / "pin.db"
    _open(db)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        app.query_one("#live").post_message(TimelineRequest("pinned: 5xx spike", "observation"))
        await settle(app, pilot)
        assert timeline_rows(app)[-1][2:] == ("observe", "pinned: 5xx spike")
        assert any(n.message == "Logged to INC-2026-001's timeline." for n in app._notifications)  # said once durable


async def test_layout_follows_terminal_size(tmp_path):
    db = tmp_path / "size.db"
    _open(db)
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        live, incident = app.query_one("#live"), app.query_one("#incident")
        side, timeline = app.query_one("#incident-side"), app.query_one("#timeline-box")
        assert app.screen.has_class("-narrow")
        assert incident.display and not live.display
        await pilot.press("w")
        assert live.display and not incident.display
        await pilot.press("w")
        # Short terminal: checklist + roles are a view of their own.
        assert timeline.display and not side.display
        await pilot.press("c")
        assert side.display and not timeline.display
        await pilot.press("t")
        assert timeline.display and not side.display

        await pilot.resize_terminal(200, 60)
        await pilot.pause()
        assert not app.screen.has_class("-narrow") and app.screen.has_class("-wide")
        assert all(w.display for w in (live, incident, side, timeline))
        assert side.region.y == timeline.region.y  # side by side at 200 columns


async def test_utc_toggle_and_literal_titles(tmp_path):
    db = tmp_path / "tz.db"
    _open(db, title="[b]bold?[/b] title")
    from tests.support.incident_app import make_config

    app = make_app(db, config=make_config().model_copy(update={"timezone": "Asia/Kolkata"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert "[b]bold?[/b] title" in _plain(app.query_one(IncidentHeader).render())
        assert timeline_rows(app)[0][0] == "14:30:00"
        await pilot.press("z")
        assert timeline_rows(app)[0][0] == "09:00:00Z"
        assert app.query_one(TimelineTable).utc


async def test_long_entry_is_cut_with_ellipsis_and_enter_shows_it_whole(tmp_path):
    from app.ui.screens.entry_detail import EntryDetailScreen

    db = tmp_path / "long.db"
    incident = _open(db)
    words = "Impact: card payments fail for about 13 percent of EU checkouts since the 14:02 deploy; PayPal unaffected [b]x[/b]"
    with SQLiteStore(db) as store:
        store.append(incident, actions.entry_added(words + "\nsecond line", "note", "carol", START))
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.pause()
        table = app.query_one(TimelineTable)
        region = table.scrollable_content_region
        assert table.virtual_size.width <= region.width  # no sideways scrolling to read it
        shown = "".join(seg.text for seg in table.render_line(table.row_count)).rstrip()
        assert shown.endswith("…") and "Impact: card payments" in shown
        table.focus()
        table.move_cursor(row=table.row_count - 1)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EntryDetailScreen)
        detail = _plain(app.screen.query_one("#entry-detail Static").render())
        assert words in detail  # whole, and literal: [b] is not markup
        assert "second line" in detail and "by carol" in detail
        await pilot.press("escape")
        assert not isinstance(app.screen, EntryDetailScreen)
