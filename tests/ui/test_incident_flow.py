"""The scribe and commander flow, end to end, on a real SQLite file under a frozen clock."""

from __future__ import annotations

from datetime import timedelta

from app.ui.screens_update import UpdateComposer
from app.domain.clock import FrozenClock
from app.domain.events import EventType
from app.ui.incident.checklist import ChecklistTable
from app.ui.incident.countdowns import CountdownsPanel
from app.ui.incident.header import IncidentHeader
from app.ui.incident.panel import EntryInput
from app.ui.incident.roles import RolesTable
from app.ui.incident.timeline import TimelineTable
from app.ui.screens.open_incident import OpenIncidentScreen
from tests.support.incident_app import START, make_app, settle

ROLES = ["Incident Commander", "Tech Lead", "Communications Lead", "Scribe"]
PEOPLE = ["alice", "bob", "carol", "dave"]
# Short texts: each key press is a full Pilot round trip.
ENTRIES = ["!roll back", ">restart", "?p99 ok", "~flat", "note", "@posted"] * 3 + ["[b]x[/b]", "last"]


def _plain(renderable) -> str:
    return getattr(renderable, "plain", str(renderable))


def timeline_rows(app) -> list[tuple[str, str, str, str]]:
    table = app.query_one(TimelineTable)
    # (time, who, kind, entry): the entry number column is left out
    return [tuple(_plain(c) for c in table.get_row_at(i))[1:] for i in range(table.row_count)]


def countdown_lines(app) -> list[str]:
    return [_plain(w.render()) for w in app.query_one(CountdownsPanel).query(".countdown")]


async def type_entry(app, pilot, line: str) -> None:
    # After Enter the focus stays on the entry line: the scribe keeps typing.
    if not app.query_one(EntryInput).has_focus:
        await pilot.press("t")
    await pilot.press(*line, "enter")
    await settle(app, pilot)


async def test_scribe_and_commander_flow_survives_restart(tmp_path):
    db = tmp_path / "incidents.db"
    clock = FrozenClock(START)
    app = make_app(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        # No incident yet: the open screen is up. Title + severity, Enter.
        assert isinstance(app.screen, OpenIncidentScreen)
        await pilot.press(*"Checkout returns 500s", "enter")
        await settle(app, pilot)
        assert "Checkout returns 500s" in _plain(app.query_one(IncidentHeader).render())
        assert app.status_strip.text.startswith("INC-2026-001   SEV2   investigating")

        # Four roles, by keyboard: `r` opens on the first role nobody holds.
        for person in PEOPLE:
            await pilot.press("r", *person, "enter")
            await settle(app, pilot)
        roles = app.query_one(RolesTable)
        assert [_plain(roles.get_cell(r, "person")) for r in ROLES] == PEOPLE
        # A handoff is one more event, and the history keeps who held it before. With every
        # role held, `r` opens on the first; ↓ is Tech Lead.
        await pilot.press("r", "down", *"erin", "enter")
        await settle(app, pilot)
        assert _plain(roles.get_cell("Tech Lead", "person")) == "erin"
        assert [(h.previous, h.person) for h in app.state.role_history if h.role == "Tech Lead"] == [(None, "bob"), ("bob", "erin")]

        # Twenty entries of mixed kinds, each shown once durable.
        for line in ENTRIES:
            clock.advance(seconds=20)
            await type_entry(app, pilot, line)
        entries = [r for r in timeline_rows(app) if r[2] != "event"]
        assert len(entries) == 20
        assert [r[2] for r in entries[:6]] == ["decision", "action", "observe", "observe", "note", "comms"]
        assert entries[0][3] == "roll back"
        assert entries[18][3] == "[b]x[/b]"  # typed text, shown as typed
        assert app.query_one(EntryInput).value == ""

        # Correct one: leave the line, select the entry above the newest, x, reason.
        await pilot.press("escape", "up", "x", *"typo", "enter")
        await settle(app, pilot)
        struck = [i for i in app.state.timeline if i.struck]
        assert [i.text for i in struck] == ["[b]x[/b]"]
        row = app.query_one(TimelineTable).get_row(str(struck[0].seq))
        assert "corrected by #" in _plain(row[-1]) and _plain(row[-1]).endswith(": typo")
        assert _plain(row[-1]).startswith("✎ ") and any("strike" in str(span.style) for span in row[-1].spans)

        # Tick two checklist items (c lands on the first open item, not its heading), untick one.
        # "Acknowledge the alert" offers to mark the milestone: n declines, so its countdown runs on.
        await pilot.press("c", "space")
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press("down", "enter", "up", "space")
        await settle(app, pilot)
        checklist = app.query_one(ChecklistTable)
        assert checklist.ticked == {"triage/triage/take-command-and-announce-it-in-the-incident-channel"}
        assert any(r[3] == "Checked: Acknowledge the alert" for r in timeline_rows(app))
        assert any(r[3] == "Unchecked: Acknowledge the alert" for r in timeline_rows(app))

        # The acknowledgement deadline (SEV2: 15 min) passes: overdue, one bell only.
        assert app.bells == 0
        clock.set(START + timedelta(minutes=15, seconds=1))
        app.refresh_clock()
        app.refresh_clock()
        await pilot.pause()
        ack = next(line for line in countdown_lines(app) if "Acknowledge" in line)
        assert ack.startswith("✖ overdue")
        assert app.bells == 1
        clock.advance(seconds=5)
        app.refresh_clock()
        assert app.bells == 1

        # Record an update: the update countdown restarts from now (SEV2: every 30 min).
        clock.advance(minutes=5)
        await pilot.press("u")
        await settle(app, pilot)
        assert isinstance(app.screen, UpdateComposer)  # pre-filled from the periodic template
        await pilot.press(*"Rolled back. ", "ctrl+s")
        await settle(app, pilot)
        assert "Rolled back." in app.state.updates[-1].text
        update = next(line for line in countdown_lines(app) if "status update" in line)
        assert "30m left" in update and update.startswith("● ok")
        state_before = (len(app.state.timeline), dict(app.state.roles), set(checklist.ticked), app.state.last_seq)

    # Restart on the same file: everything is back, the incident is resumed without asking.
    app2 = make_app(db, clock)
    async with app2.run_test(size=(120, 40)) as pilot:
        await settle(app2, pilot)
        assert not isinstance(app2.screen, OpenIncidentScreen)
        state = app2.state
        assert (len(state.timeline), dict(state.roles), set(app2.query_one(ChecklistTable).ticked), state.last_seq) == state_before
        assert len(timeline_rows(app2)) == state_before[0]
        assert [i.text for i in state.timeline if i.struck] == ["[b]x[/b]"]
        assert state.updates[-1].text.endswith("Rolled back.")


async def test_store_error_keeps_the_typed_text(tmp_path):
    app = make_app(tmp_path / "s.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"Disk full", "enter")
        await settle(app, pilot)
        rows = len(timeline_rows(app))
        # A real SQLite refusal: the connection is made read-only under the app's feet.
        app.store._conn.execute("PRAGMA query_only=1")
        await pilot.press("t", *"! fail over to replica", "enter")
        await settle(app, pilot)
        assert app.query_one(EntryInput).value == "! fail over to replica"
        assert len(timeline_rows(app)) == rows
        messages = [n.message for n in app._notifications]
        assert any("cannot save" in m and "read-only" in m for m in messages), messages
        # Once the store works again the same Enter saves it, and the line clears.
        app.store._conn.execute("PRAGMA query_only=0")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.query_one(EntryInput).value == ""
        assert timeline_rows(app)[-1][2:] == ("decision", "fail over to replica")
        assert app.is_running


async def test_record_update_failure_reopens_with_the_text(tmp_path):
    app = make_app(tmp_path / "u.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"API slow", "enter")
        await settle(app, pilot)
        app.store._conn.execute("PRAGMA query_only=1")
        await pilot.press("u")
        await settle(app, pilot)
        await pilot.press(*"Still investigating. ", "ctrl+s")
        await settle(app, pilot)
        from textual.widgets import TextArea

        # the save failed: the composer is back with every word that was typed
        assert isinstance(app.screen, UpdateComposer)
        assert "Still investigating." in app.screen.query_one(TextArea).text
        assert not any(i.event_type is EventType.UPDATE_POSTED for i in app.state.timeline)
