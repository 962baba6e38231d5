"""The commander's pickers: they never wrap, open on a predictable item, and the risky
choices (handing off the commander, lowering severity, resolving) ask first with Back as
the default. Real app, real SQLite, frozen clock; a real health target for the CRIT check."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from textual.widgets import Button, OptionList, Static

from app.collectors.base import Level
from app.config import Config
from app.domain.clock import FrozenClock
from app.domain.events import EventType, Milestone, Status
from app.ui.incident.roles import RolesTable
from app.ui.screens.confirm import ConfirmScreen
from app.ui.screens.pickers import ChoiceScreen
from app.ui.screens.roles import RoleScreen
from tests.health.health_servers import TargetServer
from tests.support import START, make_app, settle, until

SEVERITIES = ["SEV1", "SEV2", "SEV3", "SEV4"]
STATUSES = [s.value for s in Status]


async def open_incident(app, pilot, title: str = "Checkout down") -> None:
    await settle(app, pilot)
    await pilot.press(*title, "enter")  # SEV2 preselected
    await settle(app, pilot)


def highlighted(app) -> int | None:
    return app.screen.query_one(OptionList).highlighted


def confirm_text(app) -> str:
    """What the person reads in the confirmation: the question, then every line under it."""
    assert isinstance(app.screen, ConfirmScreen), type(app.screen).__name__
    parts = [app.screen.query_one("#confirm-question").render()] + [w.render() for w in app.screen.query(".confirm-detail").results(Static)]
    return "\n".join(getattr(p, "plain", str(p)) for p in parts)


def event_count(app) -> int:
    return len(app.state.timeline)


async def settle_live(app, pilot) -> None:
    """settle() without waiting for workers: the live panes' collector loops never end."""
    for _ in range(3):
        await asyncio.to_thread(app.session.drain)
        await pilot.pause()


async def test_status_and_severity_pickers_start_on_the_current_value_and_never_wrap(tmp_path):
    app = make_app(tmp_path / "p.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot)
        # Status opens on investigating; ↑ on the first stays there.
        await pilot.press("S", "up")
        assert isinstance(app.screen, ChoiceScreen) and highlighted(app) == 0
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert app.state.status == Status.IDENTIFIED
        # `S ↓↓↓` from identified stops at resolved (it used to wrap to investigating and
        # apply it at once) and resolving asks first; Enter there is Back.
        before = event_count(app)
        await pilot.press("S")
        assert highlighted(app) == STATUSES.index("identified")
        await pilot.press("down", "down", "down")
        assert highlighted(app) == STATUSES.index("resolved")
        await pilot.press("enter")
        await settle(app, pilot)
        assert confirm_text(app).startswith("Resolve INC-2026-001 (Checkout down)?")
        assert app.screen.focused is app.screen.query_one("#confirm-back", Button)
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.state.status == Status.IDENTIFIED and event_count(app) == before

        # Severity opens on SEV2; ↓ past the last stays on SEV4, Esc keeps SEV2.
        await pilot.press("s")
        assert highlighted(app) == SEVERITIES.index("SEV2")
        await pilot.press(*["down"] * 5)
        assert highlighted(app) == SEVERITIES.index("SEV4")
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.state.severity == "SEV2"


async def test_milestone_picker_starts_on_the_first_unmarked_milestone(tmp_path):
    clock = FrozenClock(START)
    app = make_app(tmp_path / "m.db", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot)
        for minutes, milestone in [(1, Milestone.DETECTED), (3, Milestone.ACKNOWLEDGED)]:
            await pilot.press("m")
            assert highlighted(app) == list(Milestone).index(milestone)
            clock.set(START + timedelta(minutes=minutes))
            await pilot.press("enter")
            await settle(app, pilot)
            await pilot.press("enter")  # the time prompt: now
            await settle(app, pilot)
            assert app.state.milestones[milestone] == START + timedelta(minutes=minutes)
        # Once detected is marked the picker no longer opens on it (issue 19).
        await pilot.press("m")
        assert highlighted(app) == list(Milestone).index(Milestone.MITIGATED)
        await pilot.press("down", "down")  # resolved is the last: no wrap to detected
        assert highlighted(app) == list(Milestone).index(Milestone.RESOLVED)


async def test_role_dialog_starts_on_the_first_unassigned_role_or_the_one_chosen_in_the_list(tmp_path):
    app = make_app(tmp_path / "r.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot)
        await pilot.press("r", *"alice", "enter")  # on the commander: nobody holds it, no question
        await settle(app, pilot)
        assert app.state.roles == {"Incident Commander": "alice"}
        # The roles list's cursor is on Scribe, out of the way: `r` starts on Tech Lead, the
        # first unassigned, and `↓ carol Enter` gives carol the role below it.
        roles = app.query_one(RolesTable)
        roles.move_cursor(row=3)
        await pilot.press("r")
        assert isinstance(app.screen, RoleScreen) and highlighted(app) == 1
        await pilot.press("down", *"carol", "enter")
        await settle(app, pilot)
        assert app.state.roles == {"Incident Commander": "alice", "Communications Lead": "carol"}

        # Chosen in the roles list (it has the focus): Scribe. ↓ on the last stays there.
        app.main_screen.set_focus(roles)
        roles.move_cursor(row=3)
        await pilot.pause()
        await pilot.press("r")
        assert highlighted(app) == 3
        await pilot.press("down", *"dave", "enter")
        await settle(app, pilot)
        assert app.state.roles["Scribe"] == "dave"
        assert app.state.roles["Incident Commander"] == "alice"


async def test_handing_off_or_unassigning_the_commander_asks_and_back_writes_nothing(tmp_path):
    app = make_app(tmp_path / "h.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot)
        for person in ["alice", "bob", "carol", "dave"]:  # each `r` lands on the next unassigned role
            await pilot.press("r", *person, "enter")
            await settle(app, pilot)
        assert list(app.state.roles.values()) == ["alice", "bob", "carol", "dave"]
        # Issue 19: the roles list's cursor on Scribe, out of sight, and `r ↓ carol Enter`
        # meant for another role handed off the commander (the list wrapped). Now: with the
        # list focused the dialog opens on Scribe and ↓ stays there; unfocused it opens on
        # the first role and ↓ is Tech Lead. Neither touches the commander.
        roles = app.query_one(RolesTable)
        app.main_screen.set_focus(roles)
        roles.move_cursor(row=3)
        await pilot.pause()
        await pilot.press("r", "down", *"carol", "enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.state.roles["Scribe"] == "carol" and app.state.roles["Incident Commander"] == "alice"
        app.main_screen.set_focus(None)
        await pilot.press("r", "down", *"carol", "enter")
        await settle(app, pilot)
        assert app.state.roles["Tech Lead"] == "carol" and app.state.roles["Incident Commander"] == "alice"

        # The commander chosen on purpose: asked, naming both people.
        before = event_count(app)
        await pilot.press("r")
        assert highlighted(app) == 0
        await pilot.press(*"erin", "enter")
        await settle(app, pilot)
        assert confirm_text(app).startswith("Hand off Incident Commander from alice to erin?")
        await pilot.press("enter")  # Back has the focus
        await settle(app, pilot)
        assert app.state.roles["Incident Commander"] == "alice" and event_count(app) == before

        # Esc is Back too; ← then Enter confirms, and the handoff is logged as before.
        await pilot.press("r", *"erin", "enter", "escape")
        await settle(app, pilot)
        assert app.state.roles["Incident Commander"] == "alice" and event_count(app) == before
        await pilot.press("r", *"erin", "enter", "left", "enter")
        await settle(app, pilot)
        assert app.state.roles["Incident Commander"] == "erin"
        assert [(h.previous, h.person) for h in app.state.role_history if h.role == "Incident Commander"][-1] == ("alice", "erin")
        assert app.state.timeline[-1].event_type is EventType.ROLE_ASSIGNED

        # An empty name unassigns: asked too, naming who holds it now.
        await pilot.press("r", "enter")
        await settle(app, pilot)
        assert confirm_text(app).startswith("Unassign Incident Commander (erin)?")
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.state.roles["Incident Commander"] == "erin"

        # Other roles change hands without a question.
        await pilot.press("r", "down", "down", *"frank", "enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.state.roles["Communications Lead"] == "frank"


async def test_lowering_severity_asks_raising_does_not(tmp_path):
    app = make_app(tmp_path / "s.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot)
        await pilot.press("s", "up", "enter")  # SEV2 -> SEV1: at once
        await settle(app, pilot)
        assert app.state.severity == "SEV1" and not isinstance(app.screen, ConfirmScreen)
        before = event_count(app)
        await pilot.press("s", "down", "down", "enter")
        await settle(app, pilot)
        text = confirm_text(app)
        assert text.startswith("Lower severity from SEV1 to SEV3?")
        assert "Status updates: every 15m 00s → 2h 00m." in text
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.state.severity == "SEV1" and event_count(app) == before
        await pilot.press("s", "down", "down", "enter", "left", "enter")
        await settle(app, pilot)
        assert app.state.severity == "SEV3"
        assert app.state.timeline[-1].event_type is EventType.SEVERITY_CHANGED


@pytest.fixture
def down_target():
    server = TargetServer().start()
    yield server
    server.stop()


async def test_resolving_names_what_is_still_open_and_asks(tmp_path, down_target):
    config = Config.model_validate({
        "operator": "alice",
        "timezone": "UTC",
        "health": [
            {"name": "payments", "url": down_target.url("/down"), "interval": "0.2s"},
            {"name": "api", "url": down_target.url("/ok"), "interval": "0.2s"},
        ],
    })
    clock = FrozenClock(START)
    app = make_app(tmp_path / "x.db", clock, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_live(app, pilot)
        await pilot.press(*"Checkout down", "enter")
        await settle_live(app, pilot)
        await until(pilot, lambda: app.live_levels.worst() == (Level.CRIT, 1))
        # Mitigated at 09:20 (detected is the first unmarked: ↓ twice), so the 30 min
        # watch runs; at 09:31 the SEV2 update (every 30 min) is overdue.
        clock.set(START + timedelta(minutes=20))
        await pilot.press("m", "down", "down", "enter")
        await settle_live(app, pilot)
        await pilot.press("enter")
        await settle_live(app, pilot)
        assert Milestone.MITIGATED in app.state.milestones
        clock.set(START + timedelta(minutes=31))
        app.refresh_clock()
        before = event_count(app)

        await pilot.press("S", "down", "down", "down", "enter")
        await settle_live(app, pilot)
        text = confirm_text(app)
        assert text.startswith("Resolve INC-2026-001 (Checkout down)?")
        assert "Marks INC-2026-001 resolved at 09:31:00 and stops every countdown." in text
        assert "✖ CRIT health payments: 503" in text
        assert "api" not in text.split("Still open:")[1].split("[ ]")[0]  # OK checks are not listed
        assert "[ ] 13 of 13 checklist items unticked: Acknowledge the alert; " in text
        assert "● Post-mitigation watch still running: 19m left" in text
        assert "▲ Status update OVERDUE by 1:00" in text
        await pilot.press("enter")
        await settle_live(app, pilot)
        assert app.state.status == Status.INVESTIGATING and event_count(app) == before

        # The resolved milestone resolves too: asked after its time, then confirmed.
        await pilot.press("m")
        assert highlighted(app) == list(Milestone).index(Milestone.DETECTED)
        await pilot.press("down", "down", "down", "enter")
        await settle_live(app, pilot)
        await pilot.press("enter")
        await settle_live(app, pilot)
        assert confirm_text(app).startswith("Resolve INC-2026-001")
        await pilot.press("left", "enter")
        await settle_live(app, pilot)
        assert app.state.status == Status.RESOLVED
        assert app.state.milestones[Milestone.RESOLVED] == START + timedelta(minutes=31)
        assert [i.event_type for i in app.state.timeline[before:]] == [EventType.MILESTONE_MARKED, EventType.STATUS_CHANGED]


async def test_resolving_with_nothing_open_says_so(tmp_path):
    app = make_app(tmp_path / "n.db", config=Config(operator="alice", timezone="UTC", checklists=[]))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(app, pilot)
        await pilot.press("S", "down", "down", "down", "enter")
        await settle(app, pilot)
        assert "Nothing is still open." in confirm_text(app)
        await pilot.press("left", "enter")
        await settle(app, pilot)
        assert app.state.status == Status.RESOLVED
