"""Issue 15, item 9: each config mistake found while writing three real runbooks into warroom
is a one-line error naming the file and the key (exit 2), or behaves as the README says."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.config import ConfigError, load_config
from app.config.kubernetes import KubernetesTarget

ROOT = Path(__file__).resolve().parents[2]


def _refusal(tmp_path: Path, text: str) -> str:
    path = tmp_path / "warroom.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path.resolve()}: ")
    return message[len(f"{path.resolve()}: ") :]


def _cli(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "warroom.yaml"
    path.write_text(text)
    return subprocess.run(
        [sys.executable, "-m", "app", "check-config", "--config", str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )


# -- duplicate checklist ids ------------------------------------------------------------


def test_the_same_typed_item_twice_is_refused_naming_both_keys(tmp_path):
    result = _cli(tmp_path, "checklists:\n  - {phase: triage, items: [Page on-call]}\n  - {phase: triage, items: [Open channel, Page on-call]}\n")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(tmp_path / "warroom.yaml") in result.stderr
    assert "checklists[1].items[1]: 'Page on-call' is listed twice in phase 'triage' (also checklists[0].items[0])" in result.stderr


def test_same_item_for_disjoint_severities_shares_its_id_so_a_tick_carries_over(tmp_path):
    path = tmp_path / "warroom.yaml"
    path.write_text(
        "checklists:\n  - {phase: triage, severities: [SEV1], items: [Page on-call]}\n"
        "  - {phase: triage, severities: [SEV2], items: [Page on-call]}\n"
    )
    config = load_config(path)
    assert config.checklist_for("SEV1")[0].id == config.checklist_for("SEV2")[0].id


def test_a_runbook_that_repeats_a_step_gets_distinct_ids(tmp_path):
    (tmp_path / "rb.md").write_text("## Rollback\n- [ ] Verify health\n- [ ] Verify health\n")
    path = tmp_path / "warroom.yaml"
    path.write_text("checklists:\n  - {phase: recovery, from_markdown: rb.md}\n  - {phase: recovery, items: [x]}\n")
    items = load_config(path).checklist_for("SEV1")
    assert [i.text for i in items] == ["x", "Verify health", "Verify health"] or [i.text for i in items] == [
        "Verify health", "Verify health", "x"]
    assert len({i.id for i in items}) == 3


# -- zero and missing timers ------------------------------------------------------------


def test_zero_respond_within_is_due_at_once_and_null_is_none(tmp_path):
    from app.domain.events import EventType, StoredEvent
    from app.domain.incident import fold
    from app.domain.timers import TimerState, countdowns

    path = tmp_path / "warroom.yaml"
    path.write_text("severities:\n  - {name: SEV0, respond_within: 0s, update_every: 15m}\n  - {name: SEV3, respond_within: null}\n")
    config = load_config(path)
    opened = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
    event = StoredEvent(1, "INC-1", EventType.OPENED, opened, "alice", {"title": "t", "severity": "SEV0"})
    state = fold("INC-1", [event])
    ack = next(c for c in countdowns(state, config.severity("SEV0"), opened) if c.key == "ack")
    assert ack.due_at == opened and ack.state is TimerState.OVERDUE
    assert [c.key for c in countdowns(state, config.severity("SEV3"), opened)] == []


def test_zero_update_cadence_is_refused_with_the_way_to_say_none(tmp_path):
    for value in ("0", "0s"):
        message = _refusal(tmp_path, f"severities: [{{name: A, update_every: {value}}}]")
        assert message.startswith("severities[0].update_every: ") and "write null for no update countdown" in message


# -- numbers without a unit --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "advice"),
    [
        ("severities: [{name: A, escalation: [{after: 15, to: EM}]}]", "severities[0].escalation[0].after", "15 has no unit: write 15s, 15m or 15h"),
        ("severities: [{name: A, respond_within: 1:00}]", "severities[0].respond_within", "'1:00' is not a duration"),
        ("severities: [{name: A, respond_within: 2.5}]", "severities[0].respond_within", "2.5 has no unit: write 2.5s, 2.5m or 2.5h"),
        ("incident: {monitoring_window: 30}", "incident.monitoring_window", "30 has no unit"),
        ("health: [{name: a, url: 'http://127.0.0.1/', interval: 10}]", "health[0].interval", "10 has no unit"),
    ],
)
def test_a_number_without_a_unit_is_refused_saying_what_to_write(tmp_path, text, key, advice):
    message = _refusal(tmp_path, text)
    assert message.startswith(f"{key}: ") and advice in message


def test_zero_needs_no_unit_and_python_callers_may_still_pass_seconds(tmp_path):
    path = tmp_path / "warroom.yaml"
    path.write_text("severities: [{name: A, respond_within: 0, escalation: [{after: 0, to: On-call engineer}]}]\n")
    config = load_config(path)
    assert config.severities[0].respond_within == timedelta(0)
    assert config.severities[0].escalation[0].after == timedelta(0)
    assert KubernetesTarget(name="k", interval=0.2).interval == timedelta(seconds=0.2)


# -- infinite, huge, NaN and negative durations ----------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [(".inf", "infinite"), ("1000000000d", "too long"), (".nan", "not a number"), ("-.inf", "negative"),
     ("'99999999999999999999999999s'", "too long"), ("1e400s", "invalid duration")],
)
@pytest.mark.parametrize("key", ["respond_within", "update_every"])
def test_impossible_durations_are_one_line_exit_2_not_an_overflow(tmp_path, value, words, key):
    result = _cli(tmp_path, f"severities: [{{name: A, {key}: {value}}}]\n")
    assert result.returncode == 2, result.stderr
    assert f"severities[0].{key}: " in result.stderr and words in result.stderr
    assert "unexpected" not in result.stderr and "Overflow" not in result.stderr and result.stderr.count("\n") == 1


def test_an_escalation_step_far_in_the_future_is_one_line(tmp_path):
    result = _cli(tmp_path, "severities: [{name: A, escalation: [{after: 1000000000d, to: CEO}]}]\n")
    assert result.returncode == 2 and "severities[0].escalation[0].after: " in result.stderr and "too long" in result.stderr


def test_minus_five_minutes_and_minus_300_say_the_same(tmp_path):
    first = _refusal(tmp_path, "severities: [{name: A, respond_within: -5m}]")
    second = _refusal(tmp_path, "severities: [{name: A, respond_within: -300}]")
    assert first == second == "severities[0].respond_within: a duration cannot be negative"


# -- names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("roles: ['']", "roles[0]: a name cannot be empty"),
        ("roles: ['   ']", "roles[0]: a name cannot be empty"),
        ('roles: [Scribe, "Tech\\nLead"]', "roles[1]: a name must be one line"),
        ("roles: ['" + "x" * 10_000 + "']", "roles[0]: a name is 10000 characters long (at most 80)"),
        ("severities: [{name: ' '}]", "severities[0].name: a name cannot be empty"),
        ("severities: [{name: A, escalation: [{after: 5m, to: ''}]}]", "severities[0].escalation[0].to: a name cannot be empty"),
        ("checklists: [{phase: '', items: [a]}]", "checklists[0].phase: a name cannot be empty"),
        ("checklists: [{phase: t, items: ['']}]", "checklists[0].items[0]: the text cannot be empty"),
        ("checklists: [{phase: t, items: [{text: ' '}]}]", "checklists[0].items[0].text: the text cannot be empty"),
        ("severities: [{name: A, description: '" + "x" * 10_000 + "'}]", "severities[0].description: "),
    ],
)
def test_blank_multi_line_and_huge_names_are_refused(tmp_path, text, expected):
    assert _refusal(tmp_path, text).startswith(expected)


def test_names_are_trimmed_and_markup_is_kept_as_text(tmp_path):
    path = tmp_path / "warroom.yaml"
    path.write_text("roles: ['  Incident Commander ', '[bold]Scribe[/]']\n")
    assert load_config(path).role_names == ["Incident Commander", "[bold]Scribe[/]"]


def test_duplicate_names_are_named(tmp_path):
    assert _refusal(tmp_path, "severities: [{name: P0}, {name: P1}, {name: P0}]") == (
        "severities: 'P0' is used twice ([0] and [2]); names must be unique"
    )
    assert "'Scribe' is used twice ([1] and [2])" in _refusal(tmp_path, "roles: [IC, Scribe, Scribe]")


@pytest.mark.parametrize(
    "text",
    [
        "severities: [5]",
        "severities: [{name: A, escalation: [5]}]",
        "severities: [{name: A}, {name: A}]",
        "checklists: [{phase: t, items: [5]}]",
        "checklists: [{phase: t, items: [{text: ''}]}]",
        "checklists: [{phase: t, items: [a], severities: [SEV9]}]",
        "checklists: [{phase: t, from_markdown: [x]}]",
        "notify: {webhooks: [5]}",
        "incident: 5",
        "incident: {}\nincident: {}",
    ],
)
def test_errors_speak_of_keys_not_of_classes(tmp_path, text):
    message = _refusal(tmp_path, text)
    for internal in ("<top level>", "instance of", "Severity", "EscalationStep", "ChecklistItem", "MarkdownImport", "Webhook", "Settings"):
        assert internal not in message, message


# -- runbook files ----------------------------------------------------------------------


def test_a_missing_runbook_names_the_key_and_the_resolved_path(tmp_path):
    message = _refusal(tmp_path, "checklists: [{phase: db, from_markdown: runbooks/db.md}]")
    assert message == f"checklists[0].from_markdown: cannot read runbooks/db.md ({tmp_path / 'runbooks' / 'db.md'}): not found"
    message = _refusal(tmp_path, "checklists: [{phase: db, from_markdown: {file: ''}}]")
    assert message.startswith("checklists[0].from_markdown.file: ")


# -- check-config -------------------------------------------------------------------------


def test_check_config_counts_phases_and_reports_escalation_and_imports(tmp_path):
    (tmp_path / "rb.md").write_text("## Rollback\n1. Undo the deploy\n2. Verify health\n## Verify\n- step\n")
    result = _cli(
        tmp_path,
        "severities:\n  - {name: SEV1, respond_within: 0s, update_every: 15m, escalation: [{after: 0s, to: On-call}, {after: 30m, to: EM}]}\n"
        "  - {name: SEV2, respond_within: 1h}\n"
        "checklists:\n  - {phase: triage, severities: [SEV1], items: [a, b]}\n  - {phase: triage, severities: [SEV2], items: [a]}\n"
        "  - {phase: recovery, from_markdown: rb.md}\n",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "SEV1 (acknowledge at once, update every 15m, 2 escalation steps)" in out
    assert "SEV2 (acknowledge 1h, update every none, 0 escalation steps)" in out
    assert "escalation SEV1: after 0s: On-call; after 30m: EM" in out
    assert "checklist: 5 items in 2 phases (triage 3, recovery 2)" in out
    assert f"checklists[2] from_markdown: 2 items under 1 heading from {tmp_path / 'rb.md'}" in out


def test_an_escalation_step_at_zero_reads_as_due_at_once():
    from app.domain.escalation import DueEscalation

    at = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
    text = DueEscalation("k", "P0", 0, "On-call engineer", timedelta(0), at).text(timezone.utc)
    assert "bring in On-call engineer (due as P0 was set;" in text and "0s after" not in text
