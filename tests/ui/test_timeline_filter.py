"""`/` in the timeline: words and `kind:` narrow the entries; the heading counts them; Esc
clears. Entries arriving meanwhile are kept and shown when they match."""

from __future__ import annotations

from app.domain.clock import FrozenClock
from app.incident import LogEntry
from app.store.sqlite import SQLiteStore
from app.ui.incident.timeline import TimelineTable
from tests.support import START, make_app, settle, until


def open_incident(db) -> str:
    with SQLiteStore(db) as store:
        return store.open_incident(title="Checkout 500s", severity="SEV2", actor="bob", at=START,
                                   id_format="INC-{year}-{seq:03d}").incident_id


def entries(table: TimelineTable) -> list[str]:
    return [table.get_row_at(i)[4].plain for i in range(table.row_count)]


def heading(app) -> str:
    return str(app.query_one("#timeline-title").render())


async def test_kind_and_words_filter_the_timeline_and_esc_clears(tmp_path):
    db = tmp_path / "filter.db"
    open_incident(db)
    clock = FrozenClock(START)
    app = make_app(db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for text, kind in (("roll back payments to v41", "decision"), ("restarted payments-7", "action"),
                           ("payments p99 at 2s", "observation"), ("[b]markup[/b] stays text", "note"),
                           ("keep v42 for search", "decision")):
            clock.advance(seconds=20)
            app.submit(LogEntry(text, kind))
        await settle(app, pilot)
        timeline = app.query_one(TimelineTable)
        total = timeline.row_count
        assert total >= 6  # the opening event and the five entries

        await pilot.press("0", "slash", *"kind:decision")
        await until(pilot, lambda: entries(timeline) == ["roll back payments to v41", "keep v42 for search"])
        assert f"/kind:decision 2 of {total}" in heading(app)
        await pilot.press("enter")
        assert timeline.has_focus

        # A new decision arrives while filtered: shown; a note is kept but not drawn.
        clock.advance(seconds=20)
        app.submit(LogEntry("fix forward instead", "decision"))
        app.submit(LogEntry("coffee", "note"))
        await settle(app, pilot)
        await until(pilot, lambda: entries(timeline)[-1] == "fix forward instead")
        assert "coffee" not in entries(timeline)
        await until(pilot, lambda: f"3 of {total + 2}" in heading(app))

        await pilot.press("slash", *(["backspace"] * len("kind:decision")), *"payments kind:obs")
        await until(pilot, lambda: entries(timeline) == ["payments p99 at 2s"])
        await pilot.press("escape")
        await until(pilot, lambda: timeline.row_count == total + 2)
        assert "coffee" in entries(timeline) and " of " not in heading(app)
        assert timeline.has_focus

        await pilot.press("slash", *"[b]")
        await until(pilot, lambda: entries(timeline) == ["[b]markup[/b] stays text"])
        assert "/[b] 1 of" in heading(app)  # the filter shown as typed, never as markup
        await pilot.press("enter", "escape")  # Esc on the timeline clears a kept filter too
        await until(pilot, lambda: timeline.row_count == total + 2)
        assert " of " not in heading(app) and timeline.has_focus
