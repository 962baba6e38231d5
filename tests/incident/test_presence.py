"""Who is on the incident: each terminal says so, and the commander sees the scribe is there."""

from __future__ import annotations

from app.config import Config
from app.domain import actions
from app.domain.clock import FrozenClock
from app.incident import AssignRole, IncidentCore
from app.incident import results as r
from app.incident.session import IncidentSession
from app.store.sqlite import SQLiteStore
from app.ui.incident.header import IncidentHeader
from app.ui.team import presence_line
from tests.support import START, make_app, settle, until
from tests.support.session_results import Results


def terminal(db, operator: str) -> tuple[IncidentSession, Results]:
    results = Results()
    core = IncidentCore(SQLiteStore(db), Config(operator=operator, timezone="UTC"), clock=FrozenClock(START))
    return IncidentSession(core, results), results


def test_two_terminals_see_each_other_with_their_roles(tmp_path):
    db = tmp_path / "team.db"
    alice, seen_by_alice = terminal(db, "alice")
    bob, seen_by_bob = terminal(db, "bob")
    try:
        alice.open("Checkout down", "SEV2")
        (loaded,) = seen_by_alice.wait(r.IncidentLoaded)
        incident = loaded.state.id
        alice.submit(incident, AssignRole("Incident Commander", "alice"))
        alice.submit(incident, AssignRole("Scribe", "bob"))
        alice.drain()
        bob.load(incident)
        bob.drain()
        (bobs_view,) = seen_by_bob.of(r.PresenceSeen)
        assert sorted(p.operator for p in bobs_view.present) == ["alice", "bob"]
        alice.heartbeat()  # alice's next heartbeat finds bob
        alice.drain()
        latest = seen_by_alice.of(r.PresenceSeen)[-1]
        state = loaded.state
        for event in bob.core.events(incident):
            state.apply(event)
        assert presence_line(latest.present, state) == "on: alice (IC), bob (Scribe)"
    finally:
        for session in (alice, bob):
            session.close()
            session.core.store.close()


def test_a_terminal_gone_for_30_seconds_is_no_longer_listed(tmp_path):
    with SQLiteStore(tmp_path / "team.db") as store:
        incident = store.open_incident(title="t", severity="SEV2", actor="alice", at=START, id_format="INC-{year}-{seq:03d}").incident_id
        store.heartbeat(incident, "alice", "t-alice", START)
        store.heartbeat(incident, "bob", "t-bob", START.replace(second=20))
        at = START.replace(second=40)
        assert [p.operator for p in store.present(incident, at)] == ["bob"]  # alice's is 40 s old
        store.heartbeat(incident, "alice", "t-alice", at)  # a heartbeat updates, never adds a row
        assert sorted(p.operator for p in store.present(incident, at)) == ["alice", "bob"]


async def test_the_header_names_who_else_is_on_the_incident(tmp_path):
    db = tmp_path / "team.db"
    with SQLiteStore(db) as store:
        opened = store.open_incident(title="Checkout down", severity="SEV2", actor="alice", at=START, id_format="INC-{year}-{seq:03d}")
        store.append(opened.incident_id, actions.role_assigned("Incident Commander", "alice", "alice", START))
        store.append(opened.incident_id, actions.role_assigned("Scribe", "bob", "alice", START))
    bob, _ = terminal(db, "bob")
    bob.load(opened.incident_id)  # bob's terminal, elsewhere
    bob.drain()
    app = make_app(db)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.state is not None)
            header = app.query_one(IncidentHeader)
            await until(pilot, lambda: "on: " in header.text)
            await settle(app, pilot)
            assert "on: alice (IC), bob (Scribe)" in header.text.splitlines()
    finally:
        bob.close()
        bob.core.store.close()
