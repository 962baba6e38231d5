"""Exports of a scripted incident compared with golden files.

Regenerate after an intended change with: WARROOM_UPDATE_GOLDEN=1 pytest tests/record
and review the diff of tests/record/golden/ like any other change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from app.domain.incident import fold
from app.domain.record import export
from tests.record.scripted_incident import DB_PASSWORD, WEBHOOK_URL, build_scripted_incident, scripted_config

GOLDEN = Path(__file__).parent / "golden"
SUFFIX = {"markdown": "md", "yaml": "yaml", "json": "json"}


@pytest.fixture(scope="module")
def scripted(tmp_path_factory):
    store, iid, clock = build_scripted_incident(tmp_path_factory.mktemp("golden") / "s.db")
    events = store.events(iid)
    yield fold(iid, events), events, scripted_config(), clock.now()
    store.close()


@pytest.mark.parametrize("fmt", ["markdown", "yaml", "json"])
def test_export_matches_golden(scripted, fmt):
    output = export(fmt, *scripted[:2], scripted[2], scripted[3])
    path = GOLDEN / f"incident.{SUFFIX[fmt]}"
    if os.environ.get("WARROOM_UPDATE_GOLDEN"):
        path.write_text(output, encoding="utf-8")
    assert output == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["markdown", "yaml", "json"])
def test_no_secret_in_any_export(scripted, fmt):
    output = export(fmt, *scripted[:2], scripted[2], scripted[3])
    assert DB_PASSWORD not in output
    assert WEBHOOK_URL not in output and "supersecrettoken123" not in output
    assert "postgresql://app:***@db.internal/orders" in output


def test_markdown_is_a_usable_post_mortem_draft(scripted):
    md = export("markdown", *scripted[:2], scripted[2], scripted[3])
    for heading in [
        "## Summary", "## Roles", "## Milestones and metrics", "## Timeline", "## Checklist", "## Actions taken",
        "## Alert silences", "## Status updates sent", "## Root cause", "## Contributing factors", "## Action items", "## Lessons learned",
    ]:
        assert heading in md
    assert "| Incident Commander | carol | - → alice at 2026-03-02 10:01:00 UTC (11:01:00 CET)" in md
    assert "~~Error rate \\| back to normal~~ (corrected by #13: that was the staging dashboard)" in md
    assert "| Time to acknowledge | 7m 00s |" in md
    assert "| Mitigated | 2026-03-02 10:28:00 UTC (11:28:00 CET) |" in md  # the correction wins
    assert "### triage\n\n- [x] Acknowledge the alert (ticked" in md
    assert "Terminated backend 4242 on orders-db" in md.split("## Actions taken")[1].split("##")[0]
    assert "✖ FAILED to status-bot" in md and "HTTP 500, 4 attempts" not in md
    assert "- [ ] alert on checkout 5xx per region" in md
    silences = md.split("## Alert silences")[1].split("##")[0]
    assert "bob: created silence 5f2c9d1e-0000-4000-8000-000000000001 on prod, until 2026-03-02 11:08:30 UTC" in silences
    assert 'alertname="CheckoutErrorRate", region="eu"' in silences
    assert "carol: expired silence 5f2c9d1e-0000-4000-8000-000000000001 on prod" in silences


def test_yaml_has_the_incident_record_fields(scripted):
    record = yaml.safe_load(export("yaml", *scripted[:2], scripted[2], scripted[3]))
    assert record["id"] == "INC-2026-001" and record["severity"] == "SEV1"
    assert record["started_at"] == "2026-03-02T10:00:00Z" and record["resolved_at"] == "2026-03-02T11:00:00Z"
    assert record["detected_by"] == "PagerDuty: checkout-5xx-rate"
    assert record["duration"] == "1h 00m" and record["duration_seconds"] == 3600
    assert record["impact"] == "about 30% of EU checkouts fail with HTTP 500"
    assert record["timeline"][0] == {"time": "2026-03-02T10:00:00Z", "event": "Incident opened: Checkout API returning 500s (SEV2)", "by": "alice"}
    assert [(a["item"], a["owner"], a["due"], a["by"]) for a in record["action_items"]] == [("alert on checkout 5xx per region", None, None, "carol")]
    assert [(s["action"], s["by"], s["id"][:8]) for s in record["silences"]] == [("created", "bob", "5f2c9d1e"), ("expired", "carol", "5f2c9d1e")]
    assert record["silences"][0]["matchers"] == ['alertname="CheckoutErrorRate"', 'region="eu"']
    assert record["silences"][0]["ends_at"] == "2026-03-02T11:08:30Z"


def test_json_keeps_its_shape(scripted):
    document = json.loads(export("json", *scripted[:2], scripted[2], scripted[3]))
    assert set(document) == {"incident", "events"}
    assert len(document["events"]) == len(scripted[1])
    assert document["incident"]["id"] == "INC-2026-001"
