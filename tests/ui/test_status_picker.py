"""The `S` picker with a configured lifecycle (issue 15, item 6): the runbook's names in
order with what they mean, the milestone a status marks, and the last one asks first."""

from __future__ import annotations

from textual.widgets import OptionList

from app.config import parse_config
from app.domain.events import Milestone
from app.ui.screens.confirm import ConfirmScreen
from app.ui.screens.pickers import ChoiceScreen
from tests.support import make_app, settle

CONFIG = """
operator: alice
timezone: UTC
statuses:
  - {name: Investigating, description: "[b]Finding[/b] the cause"}
  - {name: Mitigating, marks: mitigated}
  - Resolved
"""


async def test_status_picker_offers_the_configured_lifecycle(tmp_path):
    app = make_app(tmp_path / "s.db", config=parse_config(CONFIG))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"Checkout down", "enter")
        await settle(app, pilot)
        assert app.state.status == "Investigating"
        await pilot.press("S")
        assert isinstance(app.screen, ChoiceScreen)
        options = app.screen.query_one(OptionList)
        labels = [options.get_option_at_index(i).prompt.plain for i in range(options.option_count)]
        assert labels == ["Investigating  [b]Finding[/b] the cause", "Mitigating  (marks mitigated)", "Resolved"]
        assert options.highlighted == 0
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert app.state.status == "Mitigating" and Milestone.MITIGATED in app.state.milestones
        assert "Mitigating" in app.status_strip.text
        await pilot.press("S", "down", "enter")  # the last status resolves: it asks first
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("left", "enter")
        await settle(app, pilot)
        assert app.state.status == "Resolved" and not app.state.is_open
        assert "✔ Resolved" in app.status_strip.text
