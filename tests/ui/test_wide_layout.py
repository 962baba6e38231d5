"""Issue 19, item 9: at 200 columns the live half takes the width its tables can use (NODE,
query text, whole reasons appear) and leaves no blank rows under its panes; the incident
half keeps room for the timeline."""

from __future__ import annotations

import pytest

from app.ui.incident.timeline import TimelineTable
from app.ui.panes.base import LivePane
from tests.support import make_app
from tests.support.fixed_dashboard import fixed_panes, screen_text  # noqa: F401 - fixture
from tests.ui.test_commander_keys import open_incident

pytestmark = pytest.mark.usefixtures("fixed_panes")


async def test_the_live_half_uses_the_room_at_200_columns(tmp_path):
    app = make_app(tmp_path / "w.db")
    async with app.run_test(size=(200, 60)) as pilot:
        await open_incident(app, pilot)
        for _ in range(4):
            await pilot.pause()
        live = app.query_one("#live")
        assert live.size.width >= 96
        text = screen_text(app)
        app.save_screenshot(str(tmp_path / "wide.svg"))
        assert "NODE" in text and "node-3" in text  # the pods' node column
        assert "DNS failure: cannot resolve auth.example" in text  # a whole health reason
        assert "SELECT customer_id, sum(total) FROM orders" in text  # query text, not "SELE…"
        # No blank rows: the last pane reaches down to the footer.
        lines = text.splitlines()
        left = [line[: live.size.width] for line in lines[live.region.y: live.region.bottom]]
        assert left[-1].lstrip().startswith("╰") or left[-1].lstrip().startswith("┗"), left[-3:]
        assert all(line.strip() for line in left), "a blank row in the live half"
        # The timeline keeps a readable entry column.
        assert app.query_one(TimelineTable).size.width >= 56


@pytest.mark.parametrize("size", [(120, 40), (160, 48)])
async def test_narrower_screens_keep_their_split(tmp_path, size):
    app = make_app(tmp_path / "n.db")
    async with app.run_test(size=size) as pilot:
        await open_incident(app, pilot)
        await pilot.pause()
        live = app.query_one("#live")
        incident = app.query_one("#incident")
        assert incident.outer_size.width >= live.outer_size.width  # the incident half is never squeezed below the live
        assert all(p.region.height > 0 for p in app.query(LivePane))
