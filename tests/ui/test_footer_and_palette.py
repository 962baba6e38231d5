"""Issue 19, item 5: the footer shows whole keys that fit and do something at this width,
help first; a dialog's footer shows only the dialog's keys; the palette finds commands by
human names and common words, and risky ones only by the start of a word."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from app.ui.footer import FittedFooter, key_width
from app.ui.keys import WarroomCommands, palette_commands
from app.ui.screens_update import UpdateComposer
from tests.support import make_app
from tests.support.fixed_dashboard import fixed_panes, screen_text  # noqa: F401 - fixture
from tests.ui.test_commander_keys import open_incident

pytestmark = pytest.mark.usefixtures("fixed_panes")


def footer_keys(app) -> list[str]:
    footer = app.screen.query_one(FittedFooter)
    return [f"{key.key_display} {key.description}".strip() for key in footer.query(FooterKey)]


@pytest.mark.parametrize("width", [80, 120, 200])
async def test_the_footer_shows_whole_keys_that_fit_help_first(tmp_path, width):
    app = make_app(tmp_path / "f.db")
    async with app.run_test(size=(width, 40)) as pilot:
        await open_incident(app, pilot)
        await pilot.pause()
        keys = footer_keys(app)
        assert keys[0] == "? Help"
        line = screen_text(app).splitlines()[-1]
        for key in keys:
            assert key in line, f"{key!r} is cut: {line!r}"
        footer = app.query_one(FittedFooter)
        shown = [k for k in footer.query(FooterKey) if "-command-palette" not in k.classes]
        assert sum(key_width(k.key_display, k.description) for k in shown) <= width
        # w switches halves only where they take turns.
        assert ("w Live/Incident" in keys) == (width < 100)
        if width >= 200:
            assert {"t Entry", "u Update", "m Milestone", "e Export", "x Correct", "z UTC", "1-5 Panes"} <= set(keys)


async def test_a_dialog_footer_shows_only_its_own_keys(tmp_path):
    app = make_app(tmp_path / "d.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot)
        await pilot.press("3")  # the PostgreSQL pane: its footer has Terminate (kill)
        await pilot.pause()
        assert any("Terminate" in k for k in footer_keys(app))
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, UpdateComposer)
        line = screen_text(app).splitlines()[-1]
        assert "Post" in line and "Cancel" in line
        for foreign in ("Terminate", "Pin", "Entry", "Help", "Quit", "palette"):
            assert foreign not in line, line


async def palette_titles(app, query: str) -> list[str]:
    provider = WarroomCommands(app.screen)
    return [str(hit.text) for hit in [hit async for hit in provider.search(query)]]


async def test_the_palette_speaks_human_and_keeps_risky_steps_to_their_names(tmp_path):
    app = make_app(tmp_path / "p.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot)
        names = [c.title for c in palette_commands(app)]
        for name in names:  # no class names, no widget names
            assert not any(word in name for word in ("Table", "Pane)", "Widget", "(^")), name
        assert any(t.startswith("Mark a milestone") for t in await palette_titles(app, "mitig"))
        assert not any("Terminate" in t for t in await palette_titles(app, "mitig"))
        assert any(t.startswith("Resolve the incident") for t in await palette_titles(app, "resolve"))
        assert any(t.startswith("Resolve the incident") for t in await palette_titles(app, "res"))
        assert not any("Resolve" in t for t in await palette_titles(app, "rslv"))  # fuzzy alone: no
        assert not any("Resolve" in t for t in await palette_titles(app, "r"))
        assert any(t.startswith("Hand off a role") for t in await palette_titles(app, "hand off"))
        assert any("Terminate" in t for t in await palette_titles(app, "kill"))
        assert any("Terminate" in t for t in await palette_titles(app, "term"))
        focus = await palette_titles(app, "focus")
        assert any("Focus Health" in t for t in focus) and any("Focus the timeline" in t for t in focus)
        assert any(t.startswith("Pin") for t in await palette_titles(app, "pin"))
        # Discovery (nothing typed) never lists a risky step.
        provider = WarroomCommands(app.screen)
        listed = [str(hit.display) async for hit in provider.discover()]
        assert listed and not any("Resolve" in t or "Terminate" in t or "Hand off" in t for t in listed)


async def test_resolve_from_the_palette_asks_first(tmp_path):
    from app.ui.screens.confirm import ConfirmScreen

    app = make_app(tmp_path / "r.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot)
        command = next(c for c in palette_commands(app) if c.name == "Resolve the incident")
        command.run()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # Back is the default
        await pilot.pause()
        assert app.state.is_open
