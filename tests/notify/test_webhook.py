"""Webhook delivery against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.config import Config
from app.config.notify import Webhook
from app.domain.clock import FrozenClock
from app.domain.events import EventType
from app.domain.incident import fold
from app.notify import deliver, pending_deliveries, post_update, retry_failed
from app.store.sqlite import SQLiteStore
from app.drill.channel import WebhookReceiver, free_port

FAST = 0.01  # backoff base for tests: the schedule is tested, not waited for


def hook(url: str, **kw) -> Webhook:
    return Webhook.model_validate({"name": "ops", "url": url, **kw})


def config_with(*hooks: dict) -> Config:
    return Config.model_validate({"operator": "alice", "notify": {"webhooks": list(hooks)}})


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "s.db")
    yield s
    s.close()


def open_incident(store) -> tuple[str, FrozenClock]:
    clock = FrozenClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    opened = store.open_incident(title="Checkout down", severity="SEV1", actor="alice", at=clock.now(), id_format="INC-{year}-{seq:03d}")
    return opened.incident_id, clock


async def test_success_posts_slack_json_once():
    with WebhookReceiver() as rx:
        result = await deliver(hook(rx.url), {"text": "all good"}, backoff_base=FAST)
    assert result.ok and result.attempts == 1 and result.status == 200
    assert rx.received == [{"text": "all good"}]
    assert "delivered" in result.summary()


async def test_500_then_success_is_retried():
    with WebhookReceiver(replies=[500]) as rx:
        result = await deliver(hook(rx.url, retries=3), {"text": "x"}, backoff_base=FAST)
    assert result.ok and result.attempts == 2
    assert len(rx.paths) == 2


async def test_client_error_is_not_retried():
    with WebhookReceiver(replies=[404, 404]) as rx:
        result = await deliver(hook(rx.url, retries=3), {"text": "x"}, backoff_base=FAST)
    assert not result.ok and result.attempts == 1 and result.error == "HTTP 404"


async def test_timeout_gives_up_after_retries_without_leaking_the_url():
    with WebhookReceiver(replies=[("sleep", 1.0), ("sleep", 1.0)]) as rx:
        result = await deliver(hook(rx.url, timeout="200ms", retries=1), {"text": "x"}, backoff_base=FAST)
    assert not result.ok and result.attempts == 2
    assert result.error == "timed out after 0.2s"
    assert "secret-token" not in result.summary()


async def test_receiver_down_is_recorded_then_retry_later_succeeds(store):
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook/secret-token-abc123"
    config = config_with({"name": "ops-slack", "url": url, "retries": 1}, {"name": "bot", "url": url, "format": "json", "retries": 0})
    iid, clock = open_incident(store)

    posted = await post_update(store, iid, "We are investigating.", config=config, clock=clock, actor="alice", template="initial", backoff_base=FAST)

    assert not posted.all_ok
    assert [r.error for r in posted.results] == ["connection failed (receiver down or unreachable)"] * 2
    state = fold(iid, store.events(iid))
    assert [u.text for u in state.updates] == ["We are investigating."]  # the update is never lost
    assert [d.data["ok"] for d in state.deliveries] == [False, False]
    assert "FAILED" in state.timeline[-1].text
    assert len(pending_deliveries(store.events(iid), config)) == 2

    clock.advance(minutes=2)
    with WebhookReceiver(port=port) as rx:
        retried = await retry_failed(store, iid, config=config, clock=clock, actor="alice", backoff_base=FAST)
    assert [r.ok for _, r in retried] == [True, True]
    assert {"text": "We are investigating."} in rx.received
    generic = next(body for body in rx.received if "incident" in body)
    assert generic["incident"]["id"] == iid and generic["type"] == "status_update" and generic["update"]["template"] == "initial"
    assert pending_deliveries(store.events(iid), config) == []
    delivered = [e for e in store.events(iid) if e.type is EventType.UPDATE_DELIVERED]
    assert [e.data["ok"] for e in delivered] == [False, False, True, True]
    assert all(e.data["update"] == posted.update.seq for e in delivered)


async def test_post_update_resets_the_update_countdown(store):
    from app.domain.timers import countdowns

    config = config_with()
    iid, clock = open_incident(store)
    clock.advance(minutes=20)
    state = fold(iid, store.events(iid))
    sev = config.severity("SEV1")
    assert next(c for c in countdowns(state, sev, clock.now()) if c.key == "update").alarming
    posted = await post_update(store, iid, "Still investigating", config=config, clock=clock, actor="alice")
    assert posted.results == []
    state = fold(iid, store.events(iid))
    update = next(c for c in countdowns(state, sev, clock.now()) if c.key == "update")
    assert not update.alarming and update.remaining.total_seconds() == 15 * 60


async def test_empty_update_is_refused(store):
    iid, clock = open_incident(store)
    with pytest.raises(ValueError):
        await post_update(store, iid, "   ", config=config_with(), clock=clock, actor="alice")
