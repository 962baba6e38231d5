"""UpdateComposer in a tiny host App: pre-filled, editable, copies, posts, delivers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from textual.widgets import TextArea

from app.config import Config
from app.domain.clock import FrozenClock
from app.domain.incident import fold
from app.domain.timers import countdowns
from app.store.sqlite import SQLiteStore
from app.ui.screens_update import UpdateComposer
from app.drill.channel import WebhookReceiver
from tests.record.composer_host import ComposerHost

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "s.db")
    yield s
    s.close()


def host_for(store, config: Config) -> tuple[ComposerHost, FrozenClock, str]:
    clock = FrozenClock(START)
    iid = store.open_incident(title="Checkout down", severity="SEV1", actor="alice", at=START, id_format="INC-{year}-{seq:03d}").incident_id
    clock.advance(minutes=16)  # the SEV1 update countdown (15m) has run out
    return ComposerHost(config, store, iid, clock), clock, iid


async def test_post_records_copies_delivers_and_resets_the_countdown(store):
    with WebhookReceiver() as rx:
        config = Config.model_validate({"operator": "alice", "timezone": "UTC", "notify": {"webhooks": [{"name": "ops-slack", "url": rx.url}]}})
        app, clock, iid = host_for(store, config)
        async with app.run_test(size=(100, 34)) as pilot:
            sev = config.severity("SEV1")
            assert next(c for c in countdowns(fold(iid, store.events(iid)), sev, clock.now()) if c.key == "update").alarming
            await pilot.press("u")
            await pilot.pause()
            composer = app.screen
            assert isinstance(composer, UpdateComposer) and composer.template == "initial"
            area = composer.query_one(TextArea)
            assert area.text.startswith("[SEV1] INC-2026-001: Checkout down")
            assert "Next update by 10:31 UTC." in area.text
            await pilot.press("end", "enter", *"Rollback started.")
            await pilot.press("ctrl+s")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not isinstance(app.screen, UpdateComposer)
            posted = app.results[-1]
            assert posted.template == "initial" and posted.text.endswith("Rollback started.")
            assert app.clipboard == posted.text
            assert app.delivery_lines == ["ops-slack: delivered (HTTP 200, 1 attempt)"]
    assert rx.received == [{"text": posted.text}]
    state = fold(iid, store.events(iid))
    assert [u.text for u in state.updates] == [posted.text]
    assert state.timeline[-1].text == f"Update #{state.updates[0].seq} to ops-slack: delivered"
    update = next(c for c in countdowns(state, config.severity("SEV1"), clock.now()) if c.key == "update")
    assert update.remaining == timedelta(minutes=15)


async def test_escape_cancels_and_empty_text_is_refused(store):
    app, _, iid = host_for(store, Config(operator="alice"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("u")
        await pilot.pause()
        composer = app.screen
        composer.query_one(TextArea).load_text("   ")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is composer  # still open, nothing posted
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]
    assert fold(iid, store.events(iid)).updates == []


async def test_template_switch_keeps_edits(store):
    app, _, _ = host_for(store, Config(operator="alice"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("u")
        await pilot.pause()
        composer = app.screen
        composer.query_one(TextArea).load_text("my own words")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert composer.template == "resolution" or composer.template == "update"
        assert "my own words" not in composer.text
        await pilot.press("ctrl+t", "ctrl+t")
        await pilot.pause()
        assert composer.template == "initial" and composer.text == "my own words"
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.clipboard == "my own words"
