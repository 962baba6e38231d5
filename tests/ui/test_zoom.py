"""`f` zooms the focused live pane: the whole live half at 120x40 (the incident half stays),
the whole screen at 80x24; `f` or Esc returns; focus and cursor are kept; a zoomed table
has every column (the flexible one gives way, and the table scrolls sideways for the rest)."""

from __future__ import annotations

import pytest

from app.ui.panes.base import LivePane
from app.ui.panes.health import HealthPane
from app.ui.panes.kubernetes import PodsPane
from tests.support import make_app, until
from tests.support.fixed_dashboard import fixed_panes, screen_text  # noqa: F401 - fixture
from tests.ui.test_commander_keys import open_incident

pytestmark = pytest.mark.usefixtures("fixed_panes")


def header(pane: PodsPane) -> str:
    return pane.table.render_line(0).text


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)], ids=["80x24", "120x40", "200x60"])
async def test_zoom_fills_the_room_keeps_focus_and_cursor_and_returns(tmp_path, size):
    app = make_app(tmp_path / "z.db")
    async with app.run_test(size=size) as pilot:
        await open_incident(app, pilot)
        pods = app.query_one(PodsPane)
        await until(pilot, lambda: pods.table.row_count == 5)
        await pilot.press("4", "down", "down")
        assert pods.table.has_focus and pods.table.cursor_row == 2
        await pilot.pause()
        rows_before = pods.table.size.height
        if size[0] < 200:
            assert "NODE" not in header(pods)  # cropped at this width, unzoomed

        await pilot.press("f")
        await until(pilot, lambda: pods.table.size.height > rows_before)
        for _ in range(3):
            await pilot.pause()
        others = [p for p in app.query(LivePane) if p is not pods]
        assert all(p.region.height == 0 for p in others)  # only the zoomed pane is drawn
        live = app.query_one("#live")
        assert pods.outer_size.height >= live.size.height - 1  # it fills the live half, top to bottom
        incident = app.query_one("#incident")
        if size[0] >= 100:
            assert incident.region.width > 0  # the incident half stays beside it
        else:
            assert incident.region.width == 0 and pods.outer_size.width == size[0]  # the whole screen
        assert pods.table.has_focus and pods.table.cursor_row == 2
        assert pods.table.selected_key == pods.table.coordinate_to_cell_key((2, 0)).row_key.value
        # Every column: on screen at once where they fit (NAME gives way for them), else
        # behind a sideways scrollbar (unzoomed, the pane crops them with none).
        if size[0] != 120:
            assert "RESTARTS" in header(pods) and "AGE" in header(pods) and "NODE" in header(pods)
        else:
            assert pods.table.show_horizontal_scrollbar
            pods.table.scroll_to(x=pods.table.max_scroll_x, animate=False)
            await pilot.pause()
            assert "NODE" in header(pods) and "AGE" in header(pods)
        assert "node-3" in screen_text(app)

        await pilot.press("escape")  # Esc returns (f does too)
        await until(pilot, lambda: all(p.region.height > 0 for p in app.query(LivePane)) or size[0] < 100)
        assert not pods.zoomed and not app.screen.has_class("-zoom")
        assert pods.table.has_focus and pods.table.cursor_row == 2
        await pilot.press("f", "f")
        assert not pods.zoomed
        # Zooming another pane hands the zoom over.
        await pilot.press("f", "1", "f")
        health = app.query_one(HealthPane)
        assert health.zoomed and not pods.zoomed and app.screen.has_class("-zoom")


async def test_filter_and_zoom_are_in_the_footer_help_and_palette(tmp_path):
    from app.ui.keys import key_help, palette_commands
    from tests.ui.test_footer_and_palette import footer_keys

    app = make_app(tmp_path / "k.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot)
        await pilot.press("1")
        await pilot.pause()
        assert {"/ Filter", "f Zoom"} <= set(footer_keys(app))
        pairs = key_help(app)
        assert any(k == "/" and v.startswith("filter the pane's rows") for k, v in pairs)
        assert any(k == "f" and v.startswith("zoom the pane") for k, v in pairs)
        assert any(k == "/" and "in the timeline: filter" in v for k, v in pairs)
        commands = {c.name: c for c in palette_commands(app)}
        assert {"Filter: 1 Health", "Zoom: 4 Kubernetes pods", "Filter the timeline"} <= set(commands)
        # From the palette as by key: the pane gets the keys first.
        commands["Zoom: 4 Kubernetes pods"].run()
        await until(pilot, lambda: app.query_one(PodsPane).zoomed)
        assert app.query_one(PodsPane).table.has_focus
        commands["Filter the timeline"].run()
        await until(pilot, lambda: app.focused is not None and app.focused.id == "timeline-filter")
        await pilot.press(*"kind:event", "enter")
        assert app.focused is app.timeline
