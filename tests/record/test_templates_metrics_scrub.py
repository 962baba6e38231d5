"""Update templates, milestone metrics and the secret scrubber."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.config import Config
from app.domain.incident import fold
from app.domain.metrics import header_text, incident_metrics, metrics_json
from app.domain.scrub import Scrubber
from app.domain.templates import actions_since_last_update, choose_template, render_update
from tests.record.scripted_incident import DB_PASSWORD, START, WEBHOOK_URL, build_scripted_incident, scripted_config


@pytest.fixture
def scripted(tmp_path):
    store, iid, clock = build_scripted_incident(tmp_path / "s.db")
    yield store, iid, clock
    store.close()


def state_at(store, iid, last_seq):
    return fold(iid, [e for e in store.events(iid) if e.seq <= last_seq])


def test_template_follows_the_incident(scripted):
    store, iid, _ = scripted
    assert choose_template(state_at(store, iid, 5)) == "initial"
    assert choose_template(state_at(store, iid, 20)) == "update"
    assert choose_template(state_at(store, iid, 99)) == "resolution"


def test_periodic_update_is_filled_from_the_timeline(scripted):
    store, iid, _ = scripted
    state = state_at(store, iid, 20)
    draft = render_update(state, scripted_config(), START + timedelta(minutes=32))
    assert draft.template == "update"
    text = draft.text
    assert text.startswith("[SEV1] INC-2026-001: Checkout API returning 500s (update)")
    assert "Status: Monitoring, for 32m 00s so far" in text
    assert "Impact: about 30% of EU checkouts fail with HTTP 500" in text
    # actions and decisions since update #7, struck entries left out
    assert "- 10:08 UTC Rolled back deploy 4512 of checkout-api" in text
    assert "- 10:25 UTC Terminated backend 4242" in text
    assert "back to normal" not in text
    assert "Next steps: keep the rollback, watch error rates for 30m" in text
    # SEV1 cadence is 15m; Europe/Berlin is shown beside UTC
    assert "Next update by 10:47 UTC (11:47 CET)." in text


def test_actions_restart_after_each_update(scripted):
    store, iid, _ = scripted
    assert actions_since_last_update(state_at(store, iid, 22)) == []


def test_config_template_override_and_validation():
    config = Config.model_validate({"notify": {"templates": {"initial": "$severity $id: $title ($$ cost: none) next $next_update"}}})
    state = fold("INC-1", [])
    state.id, state.title, state.severity, state.opened_at = "INC-1", "DB down", "SEV4", START
    assert render_update(state, config, START).text == "SEV4 INC-1: DB down ($ cost: none) next when there is news"
    with pytest.raises(ValueError, match=r"unknown variable \$pager"):
        Config.model_validate({"notify": {"templates": {"update": "Paged $pager"}}})


def test_bad_template_is_one_line_config_error(tmp_path):
    from app.config import load_config
    from app.errors import ConfigError

    path = tmp_path / "c.yaml"
    path.write_text("notify:\n  templates:\n    update: 'Paged $pager'\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "notify.templates.update" in str(info.value) and "$pager" in str(info.value)


def test_metrics_are_live_then_final(scripted):
    store, iid, clock = scripted
    early = state_at(store, iid, 2)  # detected 09:57, not acknowledged yet
    metrics = {m.key: m for m in incident_metrics(early, START + timedelta(minutes=5))}
    assert metrics["time_to_acknowledge"].running and metrics["time_to_acknowledge"].value == timedelta(minutes=8)
    assert header_text(early, START + timedelta(minutes=5)) == "TTA 8m 00s… · TTM 8m 00s… · TTR 8m 00s…"
    final = metrics_json(fold(iid, store.events(iid)), clock.now())
    assert final == {
        "time_to_acknowledge": {"seconds": 420, "reached": True},
        "time_to_mitigate": {"seconds": 1860, "reached": True},  # after the correction to 10:28
        "time_to_resolve": {"seconds": 3780, "reached": True},
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        ("psql postgresql://app:s3cret@db/prod", "psql postgresql://app:***@db/prod"),
        ("host=db user=app password=s3cret dbname=x", "host=db user=app password=*** dbname=x"),
        ("curl -H 'Authorization: Bearer abcdefghijklmnop'", "curl -H 'Authorization: Bearer ***'"),
        ("https://hooks.slack.com/services/T1/B2/XYZ", "https://hooks.slack.com/***"),
        ("https://api.example.com/x?token=abc&y=1", "https://api.example.com/x?token=***&y=1"),
        ("rolled back to v1.2.3 at 10:05", "rolled back to v1.2.3 at 10:05"),
    ],
)
def test_scrubber_patterns(text, expected):
    assert Scrubber()(text) == expected


def test_scrubber_masks_exact_secrets_from_config():
    scrub = Scrubber.from_config(scripted_config())
    assert scrub(f"posted to {WEBHOOK_URL} ok") == "posted to <webhook ops-slack> ok"
    assert scrub(f"the password is {DB_PASSWORD}") == "the password is ***"
    assert scrub.data({"a": [f"x {DB_PASSWORD}"], "n": 3}) == {"a": ["x ***"], "n": 3}


def test_a_pinned_lock_tree_keeps_its_lines_in_the_markdown_timeline():
    from app.domain.postmortem import md_cell

    pin = "Lock tree on main:\n● 4242 ROOT idle in transaction\n  └ 4243 waits 12s | RowExclusiveLock on <orders>\n"
    cell = md_cell(pin)
    assert "\n" not in cell  # one table row
    assert cell.split("<br>") == [
        "Lock tree on main:",
        "● 4242 ROOT idle in transaction",
        "&nbsp;&nbsp;└ 4243 waits 12s \\| RowExclusiveLock on \\<orders\\>",
    ]
