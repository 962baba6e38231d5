"""Issue 17 item 3: a failing receiver never stops the others, every webhook gets a
recorded result, and retry finds every undelivered one (also after a kill -9)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.config import Config
from app.domain.events import EventType
from app.notify import post_update, retry_failed
from app.store.sqlite import SQLiteStore
from tests.notify.test_webhook import FAST, open_incident
from app.drill.channel import WebhookReceiver

ROOT = Path(__file__).resolve().parents[2]
# Passes every config check (scheme, host, port) yet makes httpx raise a ValueError
# (IDNA) rather than an httpx error: the shape of failure that used to abort all deliveries.
UNSENDABLE = "http://xn--/hook"


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "s.db")
    yield s
    s.close()


def _deliveries(store, incident_id):
    return [e.data for e in store.events(incident_id) if e.type is EventType.UPDATE_DELIVERED]


async def test_one_unsendable_webhook_does_not_stop_the_other_five(store):
    incident_id, clock = open_incident(store)
    receivers = [WebhookReceiver(replies=[500] if i == 1 else []) for i in range(5)]
    for rx in receivers:
        rx.__enter__()
    try:
        hooks = [{"name": f"rx{i}", "url": rx.url, "retries": 0} for i, rx in enumerate(receivers)]
        hooks.insert(2, {"name": "broken", "url": UNSENDABLE, "retries": 2})
        config = Config.model_validate({"operator": "alice", "notify": {"webhooks": hooks}})
        posted = await post_update(store, incident_id, "DB failover done", config=config, clock=clock, actor="alice", backoff_base=FAST)
    finally:
        for rx in receivers:
            rx.__exit__(None, None, None)
    by_name = {r.target: r for r in posted.results}
    assert sorted(by_name) == sorted(h["name"] for h in hooks)
    assert not by_name["broken"].ok and "could not send" in by_name["broken"].error
    assert not by_name["rx1"].ok and by_name["rx1"].status == 500
    assert all(by_name[f"rx{i}"].ok for i in (0, 2, 3, 4))
    assert all(len(rx.received) == 1 for i, rx in enumerate(receivers) if i != 1)
    recorded = {d["target"]: d["ok"] for d in _deliveries(store, incident_id)}
    assert recorded == {name: r.ok for name, r in by_name.items()}
    assert "xn--" not in json.dumps(_deliveries(store, incident_id))  # the URL is the secret for Slack

    with WebhookReceiver() as again:
        hooks = [h | {"url": again.url} if h["name"] in ("rx1", "broken") else h for h in hooks]
        config = Config.model_validate({"operator": "alice", "notify": {"webhooks": hooks}})
        retried = await retry_failed(store, incident_id, config=config, clock=clock, actor="alice", backoff_base=FAST)
    assert sorted(r.target for _, r in retried) == ["broken", "rx1"] and all(r.ok for _, r in retried)
    assert await retry_failed(store, incident_id, config=config, clock=clock, actor="alice", backoff_base=FAST) == []


def _cli(*args, config: Path, store: Path, **kw) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "app", *args, "--config", str(config), "--store", f"sqlite:///{store}"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, **kw)


def test_retry_finds_deliveries_cut_short_by_kill_9(tmp_path):
    store, config = tmp_path / "s.db", tmp_path / "warroom.yaml"
    with WebhookReceiver() as fast, WebhookReceiver(replies=[("sleep", 30)]) as hung:
        config.write_text(
            "notify:\n  webhooks:\n"
            f"    - {{name: fast, url: '{fast.url}', retries: 0}}\n"
            f"    - {{name: hung, url: '{hung.url}', retries: 0, timeout: 60s}}\n"
        )
        opened = _cli("incident", "open", "--severity", "SEV2", "--title", "t", config=config, store=store)
        assert opened.wait(30) == 0
        update = _cli("update", "Checkout degraded", config=config, store=store)
        deadline = time.monotonic() + 20
        while not hung.paths and time.monotonic() < deadline:
            time.sleep(0.05)
        assert hung.paths, "the hung receiver never got the request"
        time.sleep(0.3)  # the fast receiver's result gets recorded meanwhile
        os.kill(update.pid, signal.SIGKILL)
        update.wait(10)
        update.stdout.close()
        update.stderr.close()
        retry = _cli("update", "--retry", config=config, store=store)
        out, err = retry.communicate(timeout=60)
    assert retry.returncode == 0, err
    assert "hung: delivered" in out and "fast" not in out
    assert [m["text"] for m in fast.received] == ["Checkout degraded"]
