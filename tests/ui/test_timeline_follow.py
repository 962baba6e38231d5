"""The timeline keeps the newest entry in sight, unless the reader has gone back to read.

What a user sees is checked on the rendered screen: a row counts as visible when its text
is on one of the lines the terminal shows.
"""

from __future__ import annotations

from app.domain import actions
from app.domain.clock import FrozenClock
from app.incident import LogEntry, MarkMilestone
from app.store.sqlite import SQLiteStore
from app.ui.incident.panel import EntryInput
from app.ui.incident.timeline import TimelineTable
from tests.support import START, make_app, settle, until


def open_incident(db) -> str:
    with SQLiteStore(db) as store:
        return store.open_incident(title="Checkout 500s", severity="SEV2", actor="bob", at=START,
                                   id_format="INC-{year}-{seq:03d}").incident_id


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def on_screen(app, text: str) -> bool:
    return any(text in line for line in screen_lines(app))


async def fill(app, pilot, clock: FrozenClock, n: int) -> None:
    """More entries than the timeline has rows, written as the scribe would (one by one)."""
    for i in range(n):
        clock.advance(seconds=20)
        app.submit(LogEntry(f"entry number {i:02d}"))
    await settle(app, pilot)


async def test_newest_entry_stays_in_sight_after_a_milestone_and_a_resize(tmp_path):
    db = tmp_path / "follow.db"
    open_incident(db)
    clock = FrozenClock(START)
    app = make_app(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await fill(app, pilot, clock, 40)
        assert on_screen(app, "entry number 39") and not on_screen(app, "entry number 05")

        # Marking mitigated adds a countdown and a header line: the timeline gets shorter
        # in the same frame as its new row arrives.
        clock.advance(seconds=20)
        await pilot.press("m")
        await settle(app, pilot)
        await pilot.press("down", "down", "enter", "enter")  # mitigated, at now
        await settle(app, pilot)
        assert "mitigated" in {str(m) for m in app.state.milestones}
        await until(pilot, lambda: on_screen(app, "Milestone mitigated"), message="\n".join(screen_lines(app)))

        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        await until(pilot, lambda: on_screen(app, "Milestone mitigated"), message="\n".join(screen_lines(app)))
        await pilot.resize_terminal(200, 60)
        await settle(app, pilot)
        await until(pilot, lambda: on_screen(app, "Milestone mitigated"), message="\n".join(screen_lines(app)))

        # The scribe's own entries follow too.
        await pilot.press("t", *"after the resize", "enter")
        await settle(app, pilot)
        await until(pilot, lambda: on_screen(app, "after the resize"), message="\n".join(screen_lines(app)))


async def test_reading_back_holds_the_view_and_counts_what_arrived(tmp_path):
    db = tmp_path / "unread.db"
    incident = open_incident(db)
    clock = FrozenClock(START)
    app = make_app(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await fill(app, pilot, clock, 40)
        table = app.query_one(TimelineTable)
        # Esc leaves the entry line for the timeline; PageUp goes back to read.
        await pilot.press("t", "escape", "pageup", "pageup")
        await pilot.pause()
        assert table.has_focus and not table.following
        reading = table.selected_item()
        assert reading is not None and reading.text.startswith("entry number")

        with SQLiteStore(db) as other:  # another terminal writes three entries
            for i in range(3):
                other.append(incident, actions.entry_added(f"remote {i}", "note", "erin", START))
        app.session.poll()
        await settle(app, pilot)
        await until(pilot, lambda: table.unread == 3)
        assert on_screen(app, "3 new ↓ End")
        assert not on_screen(app, "remote 2")  # the reader's place is kept ...
        assert table.selected_item() == reading  # ... and so is the row they were on

        await pilot.press("end")
        await pilot.pause()
        await until(pilot, lambda: on_screen(app, "remote 2"), message="\n".join(screen_lines(app)))
        assert table.following and not on_screen(app, "new ↓")

        # G does the same, for those whose fingers know k9s and less.
        await pilot.press("home", "up", "up")  # home: start of the row; up: back in the log
        assert not table.following
        with SQLiteStore(db) as other:
            other.append(incident, actions.entry_added("remote again", "note", "erin", START))
        app.session.poll()
        await settle(app, pilot)
        await until(pilot, lambda: on_screen(app, "1 new ↓ End"))
        await pilot.press("G")
        await pilot.pause()
        await until(pilot, lambda: on_screen(app, "remote again"))
        assert not on_screen(app, "new ↓")

        # Back at the newest, new entries follow again without a key.
        app.submit(LogEntry("follows again"))
        await settle(app, pilot)
        await until(pilot, lambda: on_screen(app, "follows again"))
        assert table.unread == 0 and app.query_one(EntryInput) is not None
