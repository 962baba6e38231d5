"""A role's duties are also a checklist: under the "duties" phase, one heading per role, for
the roles the incident's severity requires (and roles required at no particular severity)."""

from app.config import Config
from app.incident import ToggleChecklist


def config() -> Config:
    return Config.model_validate({
        "severities": [{"name": "SEV1"}, {"name": "SEV2"}, {"name": "SEV3"}],
        "roles": [
            {"name": "Incident Commander", "duties": ["Lead the response", "Decide: roll back or fix forward"]},
            {"name": "Scribe", "required_from": "SEV2", "duties": ["Keep the timeline", "keep the timeline!"]},
            "Tech Lead",
        ],
    })


def test_duties_are_checklist_items_of_the_roles_this_severity_requires():
    items = [(i.phase, i.group, i.text, i.id) for i in config().checklist_for("SEV1") if i.phase == "duties"]
    assert items == [
        ("duties", "Incident Commander", "Lead the response", "duties/incident-commander/lead-the-response"),
        ("duties", "Incident Commander", "Decide: roll back or fix forward", "duties/incident-commander/decide-roll-back-or-fix-forward"),
        ("duties", "Scribe", "Keep the timeline", "duties/scribe/keep-the-timeline"),
        ("duties", "Scribe", "keep the timeline!", "duties/scribe/keep-the-timeline-2"),
    ]
    sev3 = [i.group for i in config().checklist_for("SEV3") if i.phase == "duties"]
    assert sev3 == ["Incident Commander", "Incident Commander"]  # the Scribe is required from SEV2 only


def test_a_duty_is_ticked_like_any_item(tmp_path):
    from datetime import UTC, datetime

    from app.domain.clock import FrozenClock
    from app.domain.incident import fold
    from app.incident import IncidentCore
    from app.store.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path / "d.db")
    at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    iid = store.open_incident(title="t", severity="SEV1", actor="a", at=at, id_format="INC-{year}-{seq:03d}").incident_id
    duty = next(i for i in config().checklist_for("SEV1") if i.phase == "duties")
    IncidentCore(store, config(), actor="a", clock=FrozenClock(at)).execute(iid, ToggleChecklist(duty.id, duty.text, True))
    assert fold(iid, store.events(iid)).checklist[duty.id].ticked
    store.close()
