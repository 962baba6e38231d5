"""The role dialog and the roles list with configured roles (issue 15, item 5): duties and
contact where the role is assigned, an unfilled required role as a warning in words."""

from __future__ import annotations

from textual.widgets import Static

from app.config import parse_config
from app.ui.incident.roles import RolesTable
from app.ui.screens.roles import RoleScreen
from tests.support import make_app, settle

CONFIG = """
operator: alice
timezone: UTC
roles:
  - name: Incident Commander
    contact: "[b]#inc-command[/b]"
    duties: [Run the response]
  - name: Tech Lead
    required_from: SEV2
    contact: "@oncall-tl"
    duties: [Lead the technical investigation, "[red]Own the fix[/]"]
  - Scribe
"""


def row_text(table: RolesTable, role: str) -> str:
    return "  ".join(cell.plain for cell in table.get_row(role)).rstrip()


async def test_required_role_warns_until_assigned_and_the_dialog_shows_its_duties_and_contact(tmp_path):
    app = make_app(tmp_path / "roles.db", config=parse_config(CONFIG))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"Checkout down", "enter")  # SEV2 preselected: Tech Lead is required
        await settle(app, pilot)
        table = app.query_one(RolesTable)
        assert row_text(table, "Tech Lead") == "⚠ Tech Lead  unassigned (required at SEV2)  @oncall-tl"
        assert row_text(table, "Incident Commander") == "Incident Commander  — unassigned  [b]#inc-command[/b]"

        # `r` opens on the role the severity asks for, with what the holder is to do.
        await pilot.press("r")
        assert isinstance(app.screen, RoleScreen)
        about = app.screen.query_one("#role-about", Static).render()
        assert about.plain.splitlines() == [
            "Tech Lead",
            "contact: @oncall-tl",
            "required from SEV2",
            "• Lead the technical investigation",
            "• [red]Own the fix[/]",
        ]
        await pilot.press("up")
        about = app.screen.query_one("#role-about", Static).render()
        assert about.plain.splitlines()[:2] == ["Incident Commander · leads the incident (handing it off asks first)", "contact: [b]#inc-command[/b]"]
        await pilot.press("down", *"bob", "enter")
        await settle(app, pilot)
        assert app.state.roles == {"Tech Lead": "bob"}
        assert row_text(table, "Tech Lead") == "Tech Lead  bob  @oncall-tl"

        # The help lists what each role is for, under the keys.
        await pilot.press("question_mark")
        await pilot.pause()
        roles_help = app.screen.query_one("#help-roles", Static).render().plain
        assert "Tech Lead  required from SEV2  contact: @oncall-tl\n  • Lead the technical investigation" in roles_help
        assert "Incident Commander  contact: [b]#inc-command[/b]" in roles_help


async def test_at_80_columns_the_status_line_names_the_missing_role(tmp_path):
    app = make_app(tmp_path / "strip.db", config=parse_config(CONFIG))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"Checkout down", "enter")
        await settle(app, pilot)
        assert "⚠ no Tech Lead" in app.status_strip.text  # the roles list is a view of its own here
        await pilot.press("r", *"bob", "enter")
        await settle(app, pilot)
        assert "⚠" not in app.status_strip.text
