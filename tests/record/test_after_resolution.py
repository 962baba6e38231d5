"""What is owed after an incident ("post-mortem draft within 48 hours", "review within a
week"), action items with owner and due date, and the post-mortem's own sections: from the
real SQLite store to the countdowns, the checklist and every export."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from app.config import Config
from app.domain.events import EventType, Milestone
from app.domain.incident import fold
from app.domain.postmortem import render_markdown
from app.domain.record import export_yaml
from app.domain.scrub import Scrubber
from app.domain.timefmt import utc_iso
from app.domain.timers import TimerState, incident_countdowns
from app.ui.confirmations import open_items
from tests.support.opened import append, opened_incident

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def config(**extra) -> Config:
    return Config.model_validate(
        {
            "operator": "a",
            "timezone": "UTC",
            "severities": [
                {"name": "SEV1", "after_resolution": [{"what": "Post-mortem draft", "within": "48h"}, {"what": "Review held", "within": "7d"}]},
                {"name": "SEV3"},
            ],
            **extra,
        },
        context={"units_required": True},
    )


@pytest.fixture
def incident(tmp_path):
    with opened_incident(tmp_path / "s.db", at=START, title="db down") as opened:
        yield opened


def resolve(store, iid, clock):
    append(store, iid, clock, EventType.MILESTONE_MARKED, milestone=Milestone.RESOLVED.value, at=utc_iso(clock.now()))
    append(store, iid, clock, EventType.STATUS_CHANGED, status="resolved")


def owed(cfg, store, iid, clock):
    return {c.label: c for c in incident_countdowns(cfg, fold(iid, store.events(iid)), clock.now()) if c.key.startswith("after-resolution/")}


def test_obligations_count_down_after_resolution_and_a_tick_meets_them(incident):
    store, iid, clock = incident
    cfg = config()
    assert owed(cfg, store, iid, clock) == {}  # nothing is owed while the incident is open
    state = fold(iid, store.events(iid))
    assert not any("Post-mortem draft" in line.plain for line in open_items(cfg, state, clock.now(), []))  # not asked at resolving
    clock.advance(hours=1)
    resolve(store, iid, clock)
    draft = owed(cfg, store, iid, clock)["Post-mortem draft"]
    assert draft.state is TimerState.OK and draft.due_at == clock.now() + timedelta(hours=48)
    clock.advance(hours=49)
    assert owed(cfg, store, iid, clock)["Post-mortem draft"].state is TimerState.OVERDUE
    item = next(i for i in cfg.checklist_for("SEV1") if i.text == "Post-mortem draft")
    assert item.phase == "after resolution"
    append(store, iid, clock, EventType.CHECKLIST_TICKED, item=item.id, text=item.text)
    now = owed(cfg, store, iid, clock)
    assert now["Post-mortem draft"].state is TimerState.MET and now["Post-mortem draft"].met_at == clock.now()
    assert now["Review held"].state is TimerState.OK
    assert not [i for i in cfg.checklist_for("SEV3") if i.phase == "after resolution"]  # SEV3 owes nothing


def test_exports_carry_obligations_action_items_and_the_configured_sections(incident):
    store, iid, clock = incident
    cfg = config(postmortem={"sections": [
        {"title": "Response evaluation", "questions": ["What went well?", "What could be improved?"]},
        {"title": "Action items"},
        {"title": "Five whys", "questions": ["Why did checkout fail?"]},
    ]})
    append(store, iid, clock, EventType.ENTRY_ADDED, kind="note", text="Action item: alert on pool saturation @bob due 2026-03-09")
    append(store, iid, clock, EventType.ENTRY_ADDED, kind="note", text="Follow-up: fix the [b]runbook[/b] due 7d")
    append(store, iid, clock, EventType.ENTRY_ADDED, kind="note", text="Action item: odd date due 2026-13-45 @x")
    clock.advance(hours=1)
    resolve(store, iid, clock)
    clock.advance(hours=50)
    state = fold(iid, store.events(iid))
    text = render_markdown(state, store.events(iid), cfg, clock.now(), Scrubber())
    assert "## After resolution" in text
    assert "| Post-mortem draft | 2026-03-04 11:00:00 UTC | overdue |" in text and "| Review held | 2026-03-09 11:00:00 UTC | ok |" in text
    assert "## Response evaluation\n\n- What went well?\n- What could be improved?\n\n_To be written._" in text
    assert "- [ ] alert on pool saturation (owner: bob; due: 2026-03-09 23:59:59 UTC" in text
    assert "- [ ] fix the \\[b\\]runbook\\[/b\\] (owner: _unassigned_; due: 2026-03-09 10:00:00 UTC" in text
    assert "- [ ] odd date due 2026-13-45 (owner: x; due: _not set_" in text  # a bad date stays readable
    assert text.index("## Response evaluation") < text.index("## Action items") < text.index("## Five whys")
    assert "## Root cause" not in text and "## Lessons learned" not in text
    record = yaml.safe_load(export_yaml(state, store.events(iid), clock.now(), config=cfg))
    assert record["action_items"][0] == {"item": "alert on pool saturation", "owner": "bob", "due": "2026-03-09T23:59:59Z",
                                         "logged_at": "2026-03-02T10:00:00Z", "by": "a"}
    assert [(o["obligation"], o["state"]) for o in record["after_resolution"]] == [("Post-mortem draft", "overdue"), ("Review held", "ok")]


@pytest.mark.parametrize(
    "extra, expected",
    [
        ({"severities": [{"name": "S", "after_resolution": [{"what": "x", "within": 48}]}]}, "severities[0].after_resolution[0].within: 48 has no unit"),
        ({"severities": [{"name": "S", "after_resolution": [{"what": "Draft", "within": "1h"}, {"what": "draft", "within": "2h"}]}]}, "'draft' is listed twice ([0] and [1])"),
        ({"severities": [{"name": "S", "after_resolution": [{"what": "", "within": "1h"}]}]}, "after_resolution[0].what: Value error, the text cannot be empty"),
        ({"postmortem": {"sections": []}}, "postmortem.sections"),
        ({"postmortem": {"sections": [{"title": "A"}, {"title": "a"}]}}, "section 'a' is listed twice"),
        ({"postmortem": {"sections": [{"title": "A\\nB"}]}}, "postmortem.sections[0].title"),
    ],
)
def test_bad_obligations_and_sections_are_one_line_naming_the_key(tmp_path, extra, expected):
    from app.config import ConfigError, load_config

    path = tmp_path / "warroom.yaml"
    path.write_text(json.dumps(extra).replace("\\\\n", "\\n") + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "\n" not in str(info.value) and expected.replace("Value error, ", "") in str(info.value), str(info.value)


def test_after_resolution_only_obligations_can_be_ticked(incident):
    from app.incident import CommandRejected, IncidentCore, ToggleChecklist

    store, iid, clock = incident
    cfg = config()
    resolve(store, iid, clock)
    core = IncidentCore(store, cfg, clock=clock)
    state = fold(iid, store.events(iid))
    triage = next(i for i in cfg.checklist_for("SEV1") if not i.after_resolution)
    with pytest.raises(CommandRejected, match="is resolved"):
        core.plan(ToggleChecklist(triage.id, triage.text, True), state)
    draft = next(i for i in cfg.checklist_for("SEV1") if i.after_resolution)
    assert core.plan(ToggleChecklist(draft.id, draft.text, True), state)[0].data["item"] == "after-resolution/post-mortem-draft"
