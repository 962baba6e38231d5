"""Update texts per audience and severity, with the variables runbooks ask for, in the
runbook's own time format; each audience's update reaches only its own receivers (real
HTTP receivers on 127.0.0.1, the real SQLite store, the real dashboard and CLI)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from app.config import Config, ConfigError, load_config
from app.domain.clock import FrozenClock
from app.domain.events import EventType, NewEvent
from app.domain.incident import fold
from app.domain.templates import available_drafts, render_update
from app.drill.channel import WebhookReceiver
from app.incident import IncidentCore
from app.store.sqlite import SQLiteStore
from tests.support.opened import opened_incident

START = datetime(2026, 3, 2, 19, 30, tzinfo=UTC)  # 14:30 in New York

CUSTOMER = {
    "name": "customer",
    "initial": "We are investigating an issue affecting $impact. Next update in $cadence.",
    "update": "[$now] $status. ETA: $eta. Next update by $next_update.",
    "severities": {"SEV1": {"initial": "[$now] Major outage affecting $impact. Next update in $cadence."}},
}


def config(*urls: str, **notify) -> Config:
    hooks = [{"name": "slack", "url": urls[0]}, {"name": "statuspage", "url": urls[1], "audience": "customer", "format": "json"}] if urls else []
    return Config.model_validate(
        {
            "operator": "alice",
            "timezone": "UTC",
            "roles": ["Incident Commander", "Tech Lead"],
            "notify": {
                "webhooks": hooks,
                "audiences": [CUSTOMER],
                "time_format": "%H:%M %Z",
                "time_zone": "America/New_York",
                "channel": "#payments-incidents",
                "templates": {"initial": "[$severity] $title in $channel. Tech lead: $role_tech_lead. Cause: $root_cause. Started $started."},
                **notify,
            },
        },
        context={"units_required": True},
    )


@pytest.fixture
def incident(tmp_path):
    with opened_incident(tmp_path / "s.db", at=START, title="Card payments failing", actor="alice") as opened:
        yield opened


def test_each_audience_and_severity_gets_its_own_words_and_the_runbook_time_format(incident):
    store, iid, clock = incident
    cfg = config()
    state = fold(iid, store.events(iid))
    internal = render_update(state, cfg, clock.now(), template="initial")
    assert internal.text == ("[SEV1] Card payments failing in #payments-incidents. Tech lead: unassigned. "
                             "Cause: under investigation. Started 14:30 EST.")
    customer = render_update(state, cfg, clock.now(), template="initial", audience="customer")
    assert customer.text == "[14:30 EST] Major outage affecting some services (being assessed). Next update in 15 minutes."  # SEV1's own wording
    store.append(iid, NewEvent(EventType.SEVERITY_CHANGED, clock.now(), "alice", {"severity": "SEV2", "previous": "SEV1"}))
    store.append(iid, NewEvent(EventType.ROLE_ASSIGNED, clock.now(), "alice", {"role": "Tech Lead", "person": "bob"}))
    store.append(iid, NewEvent(EventType.ENTRY_ADDED, clock.now(), "bob", {"kind": "note", "text": "ETA: 15:30 EST"}))
    store.append(iid, NewEvent(EventType.ENTRY_ADDED, clock.now(), "bob", {"kind": "note", "text": "Impact: card payments in the EU"}))
    state = fold(iid, store.events(iid))
    assert render_update(state, cfg, clock.now(), template="initial", audience="customer").text == (
        "We are investigating an issue affecting card payments in the EU. Next update in 30 minutes.")
    assert "Tech lead: bob." in render_update(state, cfg, clock.now(), template="initial").text
    assert render_update(state, cfg, clock.now(), template="update", audience="customer").text == (
        "[14:30 EST] Investigating. ETA: 15:30 EST. Next update by 15:00 EST.")
    # The customer audience has no resolution text: it is not offered one (never the internal words).
    assert ("customer", "resolution") not in available_drafts(state, cfg)
    with pytest.raises(ValueError, match="the customer audience has no resolution text"):
        render_update(state, cfg, clock.now(), template="resolution", audience="customer")


def test_an_audiences_update_reaches_only_its_receivers(incident):
    store, iid, clock = incident
    with WebhookReceiver() as slack, WebhookReceiver() as page:
        cfg = config(slack.url, page.url)
        core = IncidentCore(store, cfg, clock=clock)
        import asyncio

        update = core.record_update(iid, "We are investigating.", "initial", "customer")
        results = asyncio.run(core.deliver_update(iid, update, backoff_base=0.01))
        assert [r.target for r in results] == ["statuspage"] and not slack.received
        assert page.received[0]["text"] == "We are investigating." and update.data["audience"] == "customer"
        update = core.record_update(iid, "internal detail: pool exhausted", "update")
        asyncio.run(core.deliver_update(iid, update, backoff_base=0.01))
        assert slack.received[0]["text"] == "internal detail: pool exhausted" and len(page.received) == 1


def test_cli_drafts_and_posts_for_an_audience(tmp_path):
    with WebhookReceiver() as slack, WebhookReceiver() as page:
        cfg = {"operator": "alice", "roles": ["Incident Commander", "Tech Lead"],
               "notify": {"webhooks": [{"name": "slack", "url": slack.url}, {"name": "statuspage", "url": page.url, "audience": "customer"}],
                          "audiences": [CUSTOMER]}}
        path = tmp_path / "warroom.yaml"
        path.write_text(json.dumps(cfg))
        env = {"WARROOM_STORE": f"sqlite:///{tmp_path / 'c.db'}", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "app", "--config", str(path), *args], capture_output=True, text=True, env=env, timeout=60)

        assert run("incident", "open", "--severity", "SEV2", "--title", "Checkout errors").returncode == 0
        draft = run("update", "--draft", "--audience", "customer")
        assert draft.returncode == 0 and draft.stdout.startswith("We are investigating an issue affecting"), draft
        posted = run("update", "--audience", "customer", "We are investigating elevated checkout errors.")
        assert posted.returncode == 0, posted.stderr
        assert [b["text"] for b in page.received] == ["We are investigating elevated checkout errors."] and not slack.received
        bad = run("update", "--audience", "press", "x")
        assert bad.returncode == 2 and "unknown audience 'press' (known: internal, customer)" in bad.stderr, bad


@pytest.mark.parametrize(
    "notify, expected",
    [
        ({"audiences": [{"name": "internal", "initial": "x"}]}, "'internal' is used twice"),
        ({"audiences": [{"name": "customer"}]}, "audiences[0]: give at least one text"),
        ({"audiences": [{"name": "customer", "initial": "$pager"}]}, "unknown variable $pager"),
        ({"audiences": [{"name": "customer", "severities": {"SEV9": {"initial": "x"}}}]}, "unknown severity 'SEV9'"),
        ({"templates": {"initial": "$role_ceo"}}, "notify.templates.initial: unknown role variable $role_ceo"),
        ({"webhooks": [{"name": "p", "url": "http://127.0.0.1:9/", "audience": "press"}]}, "webhooks[0].audience: unknown audience 'press'"),
        ({"time_format": "%Q"}, "notify.time_format: unknown % directive"),
        ({"time_format": "%H:%M\n"}, "notify.time_format: expected a short strftime format on one line"),
        ({"time_zone": "EST5EDT/Nowhere"}, "notify.time_zone: unknown time zone"),
        ({"channel": "#a\x1b[2J"}, "notify.channel: must be one line without control characters"),
    ],
)
def test_bad_audience_config_is_one_line_naming_the_key(tmp_path, notify, expected):
    path = tmp_path / "warroom.yaml"
    path.write_text(json.dumps({"notify": notify}))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "\n" not in str(info.value) and expected in str(info.value), str(info.value)


async def test_the_composer_offers_each_audience_and_posts_to_its_receivers(tmp_path):
    from textual.widgets import Label

    from app.ui.screens_update import UpdateComposer
    from tests.support import until
    from tests.support.incident_app import RecordingApp, settle
    from tests.ui.record_flow_support import paste

    with WebhookReceiver() as slack, WebhookReceiver() as page:
        cfg = config(slack.url, page.url)
        app = RecordingApp(cfg, SQLiteStore(tmp_path / "u.db"), FrozenClock(START))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await paste(app, pilot, "Card payments failing")
            await pilot.press("tab", "up", "enter")  # SEV1
            await settle(app, pilot)
            await pilot.press("u")
            await settle(app, pilot)
            composer = app.screen
            assert isinstance(composer, UpdateComposer)
            titles = []
            for _ in range(len(composer.drafts)):
                titles.append(str(composer.query_one("#composer-title", Label).render()))
                if "customer" in titles[-1] and "initial" in titles[-1]:
                    break
                await pilot.press("ctrl+t")
            assert titles[0].endswith(": initial notification") and titles[-1].endswith(": customer · initial notification"), titles
            assert "sends it to: statuspage" in str(composer.query_one("#composer-targets", Label).render())
            assert composer.text.startswith("[14:30 EST] Major outage affecting some services (being assessed).")
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            await until(pilot, lambda: page.received, timeout=10)
            assert "[14:30 EST] Major outage affecting some services (being assessed)." in json.dumps(page.received[0])
            assert not slack.received
            posted = [e for e in app.session.store.events("INC-2026-001") if e.type is EventType.UPDATE_POSTED]
            assert posted[0].data["audience"] == "customer" and posted[0].data["targets"] == ["statuspage"]


def test_an_audience_can_hear_only_of_some_severities(incident):
    store, iid, clock = incident
    cfg = Config.model_validate({"operator": "a", "notify": {"audiences": [{**CUSTOMER, "only_for": ["SEV1"]}]}})
    state = fold(iid, store.events(iid))
    assert ("customer", "initial") in available_drafts(state, cfg)
    store.append(iid, NewEvent(EventType.SEVERITY_CHANGED, clock.now(), "alice", {"severity": "SEV3", "previous": "SEV1"}))
    state = fold(iid, store.events(iid))
    assert [a for a, _ in available_drafts(state, cfg)] == ["internal"] * 3
    with pytest.raises(ValueError, match="the customer audience hears only of SEV1 incidents"):
        render_update(state, cfg, clock.now(), template="initial", audience="customer")
    with pytest.raises(ValueError, match="only_for: unknown severity 'P9'"):
        Config.model_validate({"notify": {"audiences": [{**CUSTOMER, "only_for": ["P9"]}]}})
