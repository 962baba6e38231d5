"""Issue 19, items 3 and 6: a commander reaches a pane by its number, sees where the keys go
without colour (▶ and a heavy border), opens a row's detail with Enter and goes back with q
or Esc, and Tab never stops anywhere that shows nothing.

The real app with every live pane filled from fixed snapshots (tests/support/fixed_dashboard.py),
a real SQLite store and a frozen clock.
"""

from __future__ import annotations

import asyncio

import pytest
from textual.containers import HorizontalScroll, VerticalScroll
from textual.widgets import DataTable

from app.ui.incident.panel import SectionTitle
from app.ui.incident.timeline import TimelineTable
from app.ui.panes.base import LivePane
from app.ui.panes.kubernetes import WarningEvents
from app.ui.screens.detail import DetailScreen
from app.ui.panes.postgres_screens import BackendDetailScreen
from app.ui.screens.open_incident import OpenIncidentScreen
from tests.support import make_app, until
from tests.support.fixed_dashboard import fixed_panes, screen_text  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("fixed_panes")


async def settle(app, pilot) -> None:
    """The session's writes done and their messages handled (the panes' pollers never finish)."""
    for _ in range(3):
        await asyncio.to_thread(app.session.drain)
        await pilot.pause()


async def open_incident(app, pilot) -> None:
    await until(pilot, lambda: isinstance(app.screen, OpenIncidentScreen) and app.focused is not None)
    await pilot.pause()
    await pilot.press(*"Checkout down", "enter")
    await until(pilot, lambda: app.state is not None)
    await until(pilot, lambda: all(p.latest for p in app.query(LivePane)))
    for _ in range(3):  # the flexible columns fit after the refresh that measures them
        await pilot.pause()


def pane_of(widget) -> LivePane | None:
    return next((a for a in widget.ancestors if isinstance(a, LivePane)), None)


def title_line(app, pane: LivePane) -> str:
    return screen_text(app).splitlines()[pane.region.y]


async def test_number_keys_reach_each_live_pane_and_0_the_timeline(tmp_path):
    app = make_app(tmp_path / "k.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot)
        expected = {"1": "1 Health", "2": "2 Error rates", "3": "3 PostgreSQL", "4": "4 Kubernetes pods"}
        for key, title in expected.items():
            await pilot.press(key)
            await pilot.pause()
            pane = pane_of(app.focused)
            assert isinstance(app.focused, DataTable) and pane is not None
            # The title says which pane has the keys: ▶ before its number, a heavy border.
            assert f"▶ {title}" in title_line(app, pane)
            assert "┏" in title_line(app, pane) and pane.has_class("-focused")
            others = [p for p in app.query(LivePane) if p is not pane]
            assert not any(p.has_class("-focused") or "▶" in str(p.border_title) for p in others)
        await pilot.press("5")
        await pilot.pause()
        assert isinstance(app.focused, WarningEvents)
        assert "▶ 5 Warning events" in screen_text(app)  # scrolled into sight, and marked
        await pilot.press("0")
        await pilot.pause()
        assert isinstance(app.focused, TimelineTable)
        assert "▶ Timeline" in screen_text(app)
        assert not any(p.has_class("-focused") for p in app.query(LivePane))


async def test_a_number_key_in_the_narrow_view_shows_the_live_half(tmp_path):
    app = make_app(tmp_path / "n.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(app, pilot)
        assert "Health" not in screen_text(app)  # the incident half is shown first
        await pilot.press("3")
        await pilot.pause()
        assert "▶ 3 PostgreSQL" in screen_text(app) and app.focused.region.height > 0
        await pilot.press("0")
        await pilot.pause()
        assert isinstance(app.focused, TimelineTable) and "▶ Timeline" in screen_text(app)


async def test_every_tab_stop_shows_on_screen_without_colour(tmp_path):
    """Tab through everything: each stop changes what the screen shows (a ▶, a bar, a
    cursor), so a NO_COLOR terminal shows where the keys went. No scroll container is a stop."""
    app = make_app(tmp_path / "t.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot)
        chain = list(app.screen.focus_chain)
        assert len(chain) >= 9
        for widget in chain:  # a plain scroll container shows no focus: none is a stop
            assert not isinstance(widget, (VerticalScroll, HorizontalScroll)), widget
        for widget in chain:
            app.screen.set_focus(widget)
            await pilot.pause()
            focused = screen_text(app)
            app.screen.set_focus(None)
            await pilot.pause()
            assert screen_text(app) != focused, f"{widget!r} shows no focus"


async def test_selected_row_is_marked_in_tables_and_pickers(tmp_path):
    app = make_app(tmp_path / "s.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot)
        await pilot.press("4", "down")
        await pilot.pause()
        table = app.focused
        row = table.cursor_row
        line = screen_text(app).splitlines()[table.region.y + 1 + row]  # under the header
        assert "▶" in line and "api-7d9f8b6c5d-q8w" in line
        # Unfocused, the ▶ goes: only the part with the keys shows one.
        await pilot.press("0")
        await pilot.pause()
        assert "▶" not in screen_text(app).splitlines()[table.region.y + 1 + row]
        # Pickers: the highlighted choice starts with ▶, and moves with it.
        await pilot.press("s")
        await pilot.pause()
        lines = [line for line in screen_text(app).splitlines() if "▶" in line]
        assert len(lines) == 1 and "SEV2" in lines[0]
        await pilot.press("down")
        await pilot.pause()
        lines = [line for line in screen_text(app).splitlines() if "▶" in line]
        assert len(lines) == 1 and "SEV3" in lines[0]
        await pilot.press("escape")
        # The role dialog: the name field has the focus, the list still marks the role.
        await pilot.press("r")
        await pilot.pause()
        lines = [line for line in screen_text(app).splitlines() if "▶" in line]
        assert len(lines) == 1 and "Incident Commander" in lines[0]


@pytest.mark.parametrize(("key", "rows_down", "title", "facts"), [
    ("1", 1, "Health check payments", ["https://pay.example/health", "503 Service Unavailable", "48 ms", "since"]),
    ("2", 0, "Error rate checkout 5xx", ["12.3%", "warn ≥ 1%, crit ≥ 5%", 'http_requests_total{code=~"5.."}']),
    ("4", 0, "Pod shop/api-7d9f8b6c5d-x2x4z", ["CrashLoopBackOff", "restarts", "node", "14× BackOff: Back-off restarting"]),
])
async def test_enter_on_a_row_shows_its_detail_and_q_or_esc_goes_back(tmp_path, key, rows_down, title, facts):
    app = make_app(tmp_path / "d.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot)
        await pilot.press(key, *["down"] * rows_down, "enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        assert title in text
        for fact in facts:
            assert fact in text, fact
        # The dialog's footer shows its own keys only: no pane key behind it.
        footer = text.splitlines()[-1]
        assert "Back" in footer and "Pin" not in footer and "Entry" not in footer
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, DetailScreen)
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, DetailScreen) and pane_of(app.focused) is not None


async def test_outside_text_in_a_detail_is_shown_literally(tmp_path):
    from app.collectors.k8s_records import EventRow
    from app.ui.panes.details import pod_detail
    from tests.live_panes import pane_data

    row = pane_data.kubernetes()[0].answer.data.pods[0]
    evil = EventRow("prod", "shop", "Pod", row.name, "[bold]BackOff[/]", "boom \x1b[2J cleared", 1, "1m")
    app = make_app(tmp_path / "m.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("escape")
        await app.push_screen(pod_detail(row, [evil], False, None, None))
        await pilot.pause()
        text = screen_text(app)
        assert "[bold]BackOff[/]" in text and "␛[2J" in text


async def test_pg_backend_detail_is_the_same_gesture(tmp_path):
    app = make_app(tmp_path / "p.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot)
        await pilot.press("3", "enter")
        await pilot.pause()
        assert isinstance(app.screen, BackendDetailScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, BackendDetailScreen)


async def test_section_titles_follow_the_focus(tmp_path):
    app = make_app(tmp_path / "f.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot)
        await pilot.pause()
        # Keys start at the timeline, and it says so (the dialog that opened the incident
        # gave the focus back without a focus event).
        assert isinstance(app.focused, TimelineTable) and "▶ Timeline" in screen_text(app)
        await pilot.press("c")
        await pilot.pause()
        marked = [t.text for t in app.query(SectionTitle) if t.marked]
        assert len(marked) == 1 and marked[0].startswith("Checklist")
