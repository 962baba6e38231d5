"""Small things a commander reads or presses: corrections and entry numbers, the kind a
typed prefix gives, checklist headings, milestones offered by the checklist, the zone."""

from __future__ import annotations

from datetime import timedelta

from app.domain.clock import FrozenClock
from app.domain.events import Milestone
from app.incident import LogEntry
from app.ui.incident.checklist import ChecklistTable
from app.ui.incident.milestone_offer import MilestoneOfferScreen
from app.ui.incident.timeline import TimelineTable
from tests.support import START, make_app, make_config, settle
from tests.ui.test_incident_flow import countdown_lines
from tests.ui.test_timeline_follow import on_screen, open_incident, screen_lines

ACK = "triage/triage/acknowledge-the-alert"


def kind_label(app) -> str:
    return str(app.query_one("#entry-kind").render()).strip()


async def test_correction_is_marked_and_its_number_is_on_the_row_it_names(tmp_path):
    db = tmp_path / "corr.db"
    open_incident(db)
    clock = FrozenClock(START)
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for text in ("db primary failed over", "wrong host named", "rolled back"):
            clock.advance(seconds=30)
            app.submit(LogEntry(text))
        await settle(app, pilot)
        wrong = next(i for i in app.state.timeline if i.text == "wrong host named")
        await pilot.press("t", "escape", "up", "x", *"it was db-2", "enter")
        await settle(app, pilot)
        correction = app.state.timeline[-1]
        assert correction.text == f"Correction of #{wrong.seq}: it was db-2"
        # The row the correction names carries that number, and says it is corrected.
        struck_line = next(line for line in screen_lines(app) if "wrong host named" in line)
        assert f"#{wrong.seq} " in struck_line and f"✎ wrong host named  corrected by #{correction.seq}" in struck_line
        assert on_screen(app, f"#{correction.seq}") and on_screen(app, f"Correction of #{wrong.seq}: it was db-2")
        row = app.query_one(TimelineTable).get_row(str(wrong.seq))
        assert row[0].plain == f"#{wrong.seq}"
        assert any("strike" in str(span.style) for span in row[-1].spans)  # struck as well as marked


async def test_kind_label_follows_the_typed_prefix(tmp_path):
    db = tmp_path / "kind.db"
    open_incident(db)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        assert kind_label(app) == "note"
        for prefix, label in (("!", "decision"), (">", "action"), ("?", "observe"), ("~", "observe"), ("@", "comms")):
            await pilot.press(prefix)
            await pilot.pause()
            assert kind_label(app) == label, prefix
            await pilot.press("backspace")
            await pilot.pause()
            assert kind_label(app) == "note"
        # Ctrl+T chose action; a typed `!` still makes a decision, and the label says so.
        await pilot.press("ctrl+t")
        assert kind_label(app) == "action"
        await pilot.press(*"!roll back")
        await pilot.pause()
        assert kind_label(app) == "decision"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.state.timeline[-1].kind == "decision"
        assert kind_label(app) == "note"  # the next line starts plain again


async def test_checklist_headings_are_not_cursor_stops(tmp_path):
    db = tmp_path / "heads.db"
    open_incident(db)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        checklist = app.query_one(ChecklistTable)
        await pilot.press("c")
        await pilot.pause()
        assert checklist._current().text == "Acknowledge the alert"
        await pilot.press("up")  # the TRIAGE heading is above: the cursor stays on the item
        assert checklist._current().text == "Acknowledge the alert"
        await pilot.press(*["down"] * 5)  # past "Check recent deployments", over MITIGATION
        assert checklist._current().text == "Decide: roll back or fix forward"
        await pilot.press("up")
        assert checklist._current().text == "Check recent deployments and changes"
        await pilot.press("pageup")
        assert checklist._current().text == "Acknowledge the alert"
        # A click on a heading ticks nothing (it only moves to an item).
        await pilot.press("down", "down")
        assert checklist.scroll_offset.y == 0  # so the top line is the TRIAGE heading
        await pilot.click(ChecklistTable, offset=(8, 0))
        await pilot.click(ChecklistTable, offset=(8, 0))  # twice: a second click would select
        await settle(app, pilot)
        assert checklist._current().text == "Acknowledge the alert"
        assert checklist.ticked == set() and not isinstance(app.screen, MilestoneOfferScreen)
        assert not any(i.text.startswith("Checked") for i in app.state.timeline)


async def test_ticking_a_milestone_item_offers_the_milestone_and_stops_its_countdown(tmp_path):
    db = tmp_path / "ack.db"
    open_incident(db)
    clock = FrozenClock(START + timedelta(minutes=4, seconds=10))
    app = make_app(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        ack = next(line for line in countdown_lines(app) if "Acknowledge" in line)
        assert "left" in ack
        await pilot.press("c", "space")
        await settle(app, pilot)
        assert isinstance(app.screen, MilestoneOfferScreen)
        assert on_screen(app, "Mark acknowledged at 09:04:10?")
        clock.advance(seconds=30)  # time spent reading the question is not the milestone's
        await pilot.press("enter")  # Yes is the default
        await settle(app, pilot)
        assert app.state.milestones[Milestone.ACKNOWLEDGED] == START + timedelta(minutes=4, seconds=10)
        ack = next(line for line in countdown_lines(app) if "Acknowledge" in line)
        assert ack.startswith("✔ met") and "done 09:04" in ack
        # Unticking and ticking again asks nothing: the milestone is marked.
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        assert not isinstance(app.screen, MilestoneOfferScreen)
        assert ACK in app.query_one(ChecklistTable).ticked


async def test_declining_the_offer_keeps_the_tick_and_marks_nothing(tmp_path):
    db = tmp_path / "no.db"
    open_incident(db)
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("c", "space")
        await settle(app, pilot)
        assert isinstance(app.screen, MilestoneOfferScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert Milestone.ACKNOWLEDGED not in app.state.milestones
        assert ACK in app.query_one(ChecklistTable).ticked


async def test_z_names_the_zone_in_the_time_column_header(tmp_path):
    db = tmp_path / "zone.db"
    open_incident(db)
    app = make_app(db, config=make_config().model_copy(update={"timezone": "Europe/Berlin"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert on_screen(app, "time CET")
        assert on_screen(app, "10:00:00")  # START is 09:00 UTC
        await pilot.press("z")
        await pilot.pause()
        assert on_screen(app, "time UTC") and on_screen(app, "09:00:00Z")
        await pilot.press("z")
        await pilot.pause()
        assert on_screen(app, "time CET")
