"""After resolving, the dashboard counts down what is still owed ("post-mortem draft within
48h") and ticking its checklist item meets it; the response checklist's count leaves those
items out while the incident is open."""

from __future__ import annotations

from app.config.incident import Severity
from app.domain.clock import FrozenClock
from app.domain.events import Status
from app.ui.screens.confirm import ConfirmScreen
from tests.support.incident_app import START, make_app, make_config, settle
from tests.ui.record_flow_support import countdown_lines, paste, tick


def config():
    return make_config(severities=[Severity.model_validate({
        "name": "SEV1", "respond_within": "5m",
        "after_resolution": [{"what": "Post-mortem draft shared", "within": "48h"}, {"what": "Review held", "within": "7d"}],
    })])


async def test_obligations_count_down_after_resolving_and_a_tick_meets_them(tmp_path):
    clock = FrozenClock(START)
    app = make_app(tmp_path / "a.db", clock, config())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await paste(app, pilot, "Checkout down")
        await pilot.press("enter")
        await settle(app, pilot)
        total = len([i for i in app.config.checklist_for("SEV1") if not i.after_resolution])
        assert str(app.checklist_title.render()).startswith(f"Checklist 0/{total} ")
        assert not any("Post-mortem" in line for line in countdown_lines(app))
        clock.advance(minutes=10)
        await pilot.press("S", "down", "down", "down", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("left", "enter")
        await settle(app, pilot)
        assert app.state.status == Status.RESOLVED
        lines = countdown_lines(app)
        assert "● ok       2d00h left Post-mortem draft shared" in lines, lines
        assert "● ok       7d00h left Review held" in lines, lines
        clock.advance(hours=49)
        await tick(app, pilot)
        assert any("overdue" in line and "Post-mortem draft shared" in line for line in countdown_lines(app))
        # c, then the draft's row (the last phase) and Space: met.
        await pilot.press("c")
        table = app.checklist
        row = next(i for i, key in table._item_rows().items() if key == "after-resolution/post-mortem-draft-shared")
        table.move_cursor(row=row)
        await pilot.press("space")
        await settle(app, pilot)
        await tick(app, pilot)
        draft = next(line for line in countdown_lines(app) if "Post-mortem draft shared" in line)
        assert "✔" in draft and "done" in draft, draft
        assert app.state.status == Status.RESOLVED  # a tick after resolution reopens nothing
