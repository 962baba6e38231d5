"""Importing `- [ ]` items from real-world runbook markdown."""

from __future__ import annotations

from app.config.checklist_md import decode, parse_tasks

RUNBOOK = """\
# Incident Response

## During Incident

### Incident Commander
- [ ] Take command, announce in channel
- [ ] Assign roles (Tech Lead, Comms, Scribe)
  - [ ] Confirm the **scribe** is writing
* [X] Set update cadence

```bash
# Check database connectivity
- [ ] not an item: inside a code fence
```

Post-Incident
-------------
1. [ ] Verify issue resolved
2) [ ] Schedule post-mortem
- [] not a task (no space)
- plain bullet
"""


def test_items_grouped_under_headings_and_fences_ignored():
    tasks = parse_tasks(RUNBOOK)
    assert [(t.heading, t.text, t.depth, t.done_in_source) for t in tasks] == [
        ("Incident Commander", "Take command, announce in channel", 0, False),
        ("Incident Commander", "Assign roles (Tech Lead, Comms, Scribe)", 0, False),
        ("Incident Commander", "Confirm the scribe is writing", 1, False),
        ("Incident Commander", "Set update cadence", 0, True),
        ("Post-Incident", "Verify issue resolved", 0, False),
        ("Post-Incident", "Schedule post-mortem", 0, False),
    ]


def test_items_before_any_heading_have_no_heading():
    assert parse_tasks("- [ ] first\n")[0].heading is None


def test_odd_encodings_and_line_endings():
    text = "# Títle\r\n- [ ] Café check\r\n"
    for raw in (
        text.encode("utf-8"),
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        text.encode("utf-16"),
        text.encode("cp1252"),
    ):
        tasks = parse_tasks(decode(raw))
        assert [(t.heading, t.text) for t in tasks] == [("Títle", "Café check")], raw[:8]


def test_tabs_for_nesting():
    tasks = parse_tasks("- [ ] parent\n\t- [ ] child\n")
    assert [t.depth for t in tasks] == [0, 1]  # depth is the list nesting, however indented


NUMBERED_RUNBOOK = """\
# Incident Response Runbook

### 2. Initial Response (First 15 minutes)
1. **Acknowledge the alert** in monitoring system
2. **Assess the impact** using monitoring dashboards

#### 1. Check Monitoring Dashboards
```
1. Review error rates and latency graphs
```

### 4. Resolution and Recovery
1. **Implement fix** or workaround
   1. Roll back if the deploy is recent
2) **Verify resolution** using health checks
- a plain bullet is not a step
"""


def test_numbered_steps_also_inside_plain_code_blocks(tmp_path):
    from app.config.checklist_md import load_tasks

    path = tmp_path / "runbook.md"
    path.write_text(NUMBERED_RUNBOOK, encoding="utf-8")
    tasks = load_tasks(path)
    assert [(t.heading, t.text, t.depth) for t in tasks] == [
        ("2. Initial Response (First 15 minutes)", "Acknowledge the alert in monitoring system", 0),
        ("2. Initial Response (First 15 minutes)", "Assess the impact using monitoring dashboards", 0),
        ("1. Check Monitoring Dashboards", "Review error rates and latency graphs", 0),
        ("4. Resolution and Recovery", "Implement fix or workaround", 0),
        ("4. Resolution and Recovery", "Roll back if the deploy is recent", 1),
        ("4. Resolution and Recovery", "Verify resolution using health checks", 0),
    ]


def test_task_items_and_numbered_steps_both_count(tmp_path):
    """A runbook with a `- [ ]` checklist keeps its numbered post-incident steps too (issue 15)."""
    from app.config.checklist_md import load_tasks

    path = tmp_path / "runbook.md"
    path.write_text(NUMBERED_RUNBOOK + "\n## Checklist\n- [ ] Page the DBA\n", encoding="utf-8")
    texts = [t.text for t in load_tasks(path)]
    assert texts[0] == "Acknowledge the alert in monitoring system" and texts[-1] == "Page the DBA" and len(texts) == 7
