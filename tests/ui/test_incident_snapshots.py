"""Layouts at 80x24, 120x40, 200x60 — fixed clock, zone, operator: no machine in the picture."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain import actions
from app.store.sqlite import SQLiteStore
from tests.support.incident_app import START, make_app, settle


def _seed(db) -> None:
    with SQLiteStore(db) as store:
        inc = store.open_incident(title="Checkout returns 500s [bold]", severity="SEV2", actor="alice", at=START, id_format="INC-{year}-{seq:03d}").incident_id
        at = START
        for role, person in [("Incident Commander", "alice"), ("Tech Lead", "bob"), ("Scribe", "carol")]:
            at += timedelta(seconds=30)
            store.append(inc, actions.role_assigned(role, person, "alice", at))
        for kind, text in [
            ("observation", "5xx at 12% on checkout-api"),
            ("decision", "roll back deploy 4711"),
            ("action", "rollback started"),
            ("note", "typed [red]markup[/red] stays literal"),
        ]:
            at += timedelta(minutes=2)
            stored = store.append(inc, actions.entry_added(text, kind, "carol", at))
        store.append(inc, actions.entry_corrected(stored.seq - 1, "was deploy 4712", "carol", at))
        store.append(inc, actions.milestone_marked("acknowledged", "alice", at))
        store.append(inc, actions.checklist_toggled("triage/triage/acknowledge-the-alert", "Acknowledge the alert", True, "alice", at))


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)], ids=["80x24", "120x40", "200x60"])
def test_incident_panel_layout(snap_compare, tmp_path, size):
    db = tmp_path / "snap.db"
    _seed(db)
    from app.domain.clock import FrozenClock

    app = make_app(db, FrozenClock(START + timedelta(minutes=12)))

    async def ready(pilot) -> None:
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=ready)
