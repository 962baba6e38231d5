"""Runbook import by section (issue 15, item 3): sections, headings as phases, severity
markers, numbered steps in plain code blocks, templates left out; and the example configs
for the three real runbooks (item 10)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from app.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

RUNBOOK = """\
# Ops Runbook

## Incident Response Process

### 1. Detection:
```
Alert -> Assessment
```

### 2. Initial Response (First 15 minutes)
1. **Acknowledge the alert** in monitoring
2. Notify the team

### 5. Post-Incident Activities:
1. **Conduct post-mortem** (for P0/P1 incidents)
2. Update runbooks

## Scenarios

### Application Down (P0)

#### Resolution Actions
1. Roll back the deploy
   ```bash
   # 1. not a step: a script
   kubectl rollout undo deployment/backend
   ```

### Slow Responses (P1/P2)
```
1. Check the cache hit rate
2. Scale out
```

## Checklist
- [ ] Take command
- [x] Open the channel

## Post-Mortem Template
1. **Incident Summary**
2. **Timeline**

```markdown
1. [step 1]
```
"""

SEVERITIES = "severities: [{name: P0}, {name: P1}, {name: P2}, {name: P3}]\n"


def _load(tmp_path: Path, checklists: str, severities: str = SEVERITIES):
    (tmp_path / "ops.md").write_text(RUNBOOK, encoding="utf-8")
    path = tmp_path / "warroom.yaml"
    path.write_text(severities + "checklists:\n" + checklists)
    return load_config(path)


def _rows(config, severity):
    return [(i.phase, i.group, i.text) for i in config.checklist_for(severity)]


def test_plain_form_takes_every_step_outside_templates_and_code(tmp_path):
    config = _load(tmp_path, "  - {phase: runbook, from_markdown: ops.md}\n")
    texts = [i.text for i in config.checklist_for("P3")]
    assert texts == [
        "Acknowledge the alert in monitoring", "Notify the team",
        "Conduct post-mortem (for P0/P1 incidents)", "Update runbooks",
        "Roll back the deploy", "Check the cache hit rate", "Scale out", "Take command", "Open the channel",
    ]
    groups = {i.group for i in config.checklist_for("P3")}
    assert "Post-Incident Activities" in groups  # no trailing colon, no numbering
    assert not any("Summary" in t or "step 1" in t or "not a step" in t for t in texts)


def test_section_with_headings_as_phases_and_severity_markers(tmp_path):
    config = _load(
        tmp_path,
        "  - from_markdown: {file: ops.md, section: incident response process, phase_from: headings,"
        " severities_from: '(for ... incidents)'}\n",
    )
    assert _rows(config, "P0") == [
        ("Initial Response (First 15 minutes)", "Initial Response (First 15 minutes)", "Acknowledge the alert in monitoring"),
        ("Initial Response (First 15 minutes)", "Initial Response (First 15 minutes)", "Notify the team"),
        ("Post-Incident Activities", "Post-Incident Activities", "Conduct post-mortem"),
        ("Post-Incident Activities", "Post-Incident Activities", "Update runbooks"),
    ]
    assert "Conduct post-mortem" not in [t for _, _, t in _rows(config, "P2")]


def test_headings_marked_with_severities_limit_their_steps(tmp_path):
    config = _load(
        tmp_path, "  - {phase: scenarios, from_markdown: {file: ops.md, section: Scenarios, phase_from: headings, severities_from: '(...)'}}\n"
    )
    assert _rows(config, "P0") == [("Application Down", "Resolution Actions", "Roll back the deploy")]
    assert [t for _, _, t in _rows(config, "P2")] == ["Check the cache hit rate", "Scale out"]
    assert _rows(config, "P3") == []


def test_severity_names_match_ignoring_dashes_and_shorthand(tmp_path):
    (tmp_path / "rb.md").write_text("## Steps\n1. Page the CTO (for SEV1/2)\n2. Log it\n")
    path = tmp_path / "warroom.yaml"
    path.write_text(
        "severities: [{name: SEV-1}, {name: SEV-2}, {name: SEV-3}]\n"
        "checklists: [{phase: p, from_markdown: {file: rb.md, severities_from: '(for ...)'}}]\n"
    )
    config = load_config(path)
    assert [i.text for i in config.checklist_for("SEV-2")] == ["Page the CTO", "Log it"]
    assert [i.text for i in config.checklist_for("SEV-3")] == ["Log it"]


def test_entry_severities_and_markers_combine(tmp_path):
    config = _load(
        tmp_path,
        "  - {phase: s, severities: [P1], from_markdown: {file: ops.md, section: Scenarios, severities_from: '(...)'}}\n",
    )
    assert [i.text for i in config.checklist_for("P1")] == ["Check the cache hit rate", "Scale out"]
    assert config.checklist_for("P0") == []


def _refusal(tmp_path: Path, checklists: str) -> str:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, checklists)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str((tmp_path / "warroom.yaml").resolve()))
    return message.split(": ", 1)[1]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("{phase: p, from_markdown: {file: ops.md, section: Rollback}}", "checklists[0].from_markdown: ops.md has no heading 'Rollback' (headings: 'Ops Runbook', "),
        ("{phase: p, from_markdown: {file: ops.md, section: ''}}", "checklists[0].from_markdown.section: "),
        ("{phase: p, from_markdown: {file: ops.md, section: Post-Mortem Template}}", "section 'Post-Mortem Template' of ops.md has no '- [ ]' items and no numbered steps"),
        ("{phase: p, from_markdown: {file: ops.md, severities_from: '(for P0)'}}", "checklists[0].from_markdown.severities_from: write each marker (at most 100 characters) with ..."),
        ("{phase: p, from_markdown: {file: ops.md, phase_from: titles}}", "checklists[0].from_markdown.phase_from: "),
        ("{phase: p, from_markdown: {file: ops.md, sections: x}}", "checklists[0].from_markdown.sections: unknown key"),
        ("{from_markdown: ops.md}", "checklists[0]: 'phase' is missing (name the phase, or import with phase_from: headings)"),
        ("{phase: p, severities: [P3], from_markdown: {file: ops.md, section: Scenarios, severities_from: '(...)'}}", "(3 for other severities)"),
    ],
)
def test_import_mistakes_are_one_line_naming_the_key(tmp_path, entry, expected):
    assert expected in _refusal(tmp_path, f"  - {entry}\n")


def test_a_marker_naming_an_unknown_severity_is_an_error(tmp_path):
    (tmp_path / "ops.md").write_text("## S\n1. Page the CEO (for P0/P9 incidents)\n")
    path = tmp_path / "warroom.yaml"
    path.write_text(SEVERITIES + "checklists: [{phase: p, from_markdown: {file: ops.md, severities_from: '(for ... incidents)'}}]\n")
    with pytest.raises(ConfigError, match=r"checklists\[0\]\.from_markdown: ops.md line 2: '\(for P0/P9 incidents\)' names 'P9', which is not a severity \(known: P0, P1, P2, P3\)"):
        load_config(path)


def test_a_repeated_section_heading_asks_for_its_path(tmp_path):
    (tmp_path / "rb.md").write_text("## A\n### Fix\n1. a\n## B\n### Fix\n1. b\n")
    path = tmp_path / "warroom.yaml"
    path.write_text("checklists: [{phase: p, from_markdown: {file: rb.md, section: Fix}}]\n")
    with pytest.raises(ConfigError, match=r"'Fix' is the heading of 2 sections of rb.md \(lines 2, 5\); give its path"):
        load_config(path)
    path.write_text("checklists: [{phase: p, from_markdown: {file: rb.md, section: 'B > Fix'}}]\n")
    assert [i.text for i in load_config(path).checklist_for("SEV1")] == ["b"]


def test_hostile_runbook_text_stays_on_one_line(tmp_path):
    (tmp_path / "rb.md").write_text("## Do \x1b[31mit\n1. Page [bold]x[/] \x07now\n2. " + "y" * 10_000 + "\n")
    path = tmp_path / "warroom.yaml"
    path.write_text("checklists: [{phase: p, from_markdown: rb.md}]\n")
    items = load_config(path).checklist_for("SEV1")
    assert all("\x1b" not in i.text + i.group and "\x07" not in i.text for i in items)
    assert items[0].text.startswith("Page [bold]x[/]") and len(items[1].text) <= 300


def test_markdown_export_keeps_the_runbook_headings(tmp_path):
    from app.domain.incident import fold
    from app.domain.events import EventType, StoredEvent
    from app.domain.record import export

    config = _load(tmp_path, "  - from_markdown: {file: ops.md, section: Scenarios, phase_from: headings, severities_from: '(...)'}\n")
    at = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
    events = [StoredEvent(1, "INC-1", EventType.OPENED, at, "alice", {"title": "down", "severity": "P0"})]
    md = export("markdown", fold("INC-1", events), events, config, at)
    checklist = md.split("## Checklist")[1].split("## Actions")[0]
    assert "### Application Down\n\n#### Resolution Actions\n\n- [ ] Roll back the deploy\n" in checklist
    assert "imported" not in checklist


# -- the example configs for the three real runbooks (item 10) ---------------------------


@pytest.mark.parametrize("name", ["mgmt-vibe", "payments", "bomizzel"])
def test_example_configs_load_and_keep_each_checklist_unique(name):
    config = load_config(EXAMPLES / f"{name}.yaml")
    for severity in config.severities:
        ids = [i.id for i in config.checklist_for(severity.name)]
        assert ids and len(ids) == len(set(ids)), severity.name


def test_mgmt_vibe_example_keeps_the_steps_in_code_blocks_and_leaves_the_template_out():
    config = load_config(EXAMPLES / "mgmt-vibe.yaml")
    items = [i for i in config.checklist_for("SEV-0") if not i.after_resolution]
    assert len(items) == 40  # 43 numbered lines, less the post-mortem template's 3
    owed = [(i.text, i.phase) for i in config.checklist_for("SEV-0") if i.after_resolution]
    assert owed[0] == ("Post-mortem review meeting held", "after resolution") and len(owed) == 3
    assert [p for p in dict.fromkeys(i.phase for i in items)] == [
        "Initial Response", "Investigation and Diagnosis", "Resolution Procedures", "Recovery and Rollback", "Post-Incident Activities"]
    assert config.severity("SEV-0").respond_within.total_seconds() == 15 * 60


def test_payments_example_keeps_task_items_and_numbered_post_incident_steps():
    config = load_config(EXAMPLES / "payments.yaml")
    phases = [p for p in dict.fromkeys(i.phase for i in config.checklist_for("SEV1"))]
    assert phases == ["initial response", "During Incident", "Resolution", "Immediate (Within 2 hours)", "Within 48 hours", "duties",
                      "after resolution"]
    assert [(o.what, o.within.total_seconds() / 3600) for o in config.severity("SEV1").after_resolution] == [
        ("Incident data exported and post-mortem document created", 2), ("Blameless post-mortem conducted", 48)]
    assert not config.severity("SEV4").after_resolution
    assert config.severity("SEV1").escalation[0].after.total_seconds() == 0  # "Escalation: Immediate"


def test_bomizzel_example_limits_steps_by_severity():
    config = load_config(EXAMPLES / "bomizzel.yaml")
    p0 = {i.text for i in config.checklist_for("P0")}
    p2 = {i.text for i in config.checklist_for("P2")}
    assert "Conduct post-mortem" in p0 and "Conduct post-mortem" not in p2
    assert "Check application logs" in p0 and "Check application logs" not in p2


def test_examples_are_self_contained(tmp_path):
    """CI has only the repository: the examples must not reach outside examples/."""
    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLES, copy)
    for name in ("mgmt-vibe", "payments", "bomizzel"):
        result = subprocess.run(
            [sys.executable, "-m", "app", "check-config", "--config", str(copy / f"{name}.yaml")],
            capture_output=True, text=True, cwd=tmp_path, timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert "from_markdown:" in result.stdout and str(copy) in result.stdout


@pytest.mark.parametrize(
    ("from_markdown", "expected"),
    [
        ("{file: ops.md, severities_from: .inf}", "severities_from: write a marker such as '(for ... incidents)'"),
        ("{file: ops.md, severities_from: '" + "x" * 10_000 + "...'}", "severities_from: write each marker (at most 100 characters)"),
        ("{file: '" + "x" * 10_000 + "'}", "from_markdown: cannot read xxxx"),
        ("{file: ops.md, section: '" + "y" * 250 + "'}", "from_markdown: ops.md has no heading 'yyyy"),
    ],
)
def test_hostile_import_keys_give_a_short_line(tmp_path, from_markdown, expected):
    message = _refusal(tmp_path, f"  - {{phase: p, from_markdown: {from_markdown}}}\n")
    assert expected in message and len(message) < 700, len(message)
