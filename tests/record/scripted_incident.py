"""A scripted incident built through the real store with a frozen clock: deterministic
ids, sequence numbers and times, so its exports can be compared with golden files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.config import Config
from app.domain.clock import FrozenClock
from app.domain.events import EventType, NewEvent
from app.store.sqlite import SQLiteStore

START = datetime(2026, 3, 2, 10, 0, 0, tzinfo=UTC)
WEBHOOK_URL = "https://hooks.example.com/services/T000/B000/supersecrettoken123"
DB_PASSWORD = "hunter2secret"


def scripted_config() -> Config:
    return Config.model_validate(
        {
            "timezone": "Europe/Berlin",
            "operator": "alice",
            "postgres": [{"name": "orders-db", "dsn": f"postgresql://app:{DB_PASSWORD}@db.internal/orders"}],
            "notify": {
                "webhooks": [
                    {"name": "ops-slack", "url": WEBHOOK_URL, "format": "slack"},
                    {"name": "status-bot", "url": "http://127.0.0.1:9/hook", "format": "json"},
                ]
            },
        }
    )


def build_scripted_incident(path: Path) -> tuple[SQLiteStore, str, FrozenClock]:
    store = SQLiteStore(path)
    clock = FrozenClock(START)
    opened = store.open_incident(
        title="Checkout API returning 500s",
        severity="SEV2",
        actor="alice",
        at=clock.now(),
        id_format="INC-{year}-{seq:03d}",
        extra={"detected_by": "PagerDuty: checkout-5xx-rate"},
    )
    iid = opened.incident_id

    def at(minutes: float, etype: EventType, data: dict, actor: str = "alice") -> int:
        clock.set(START + timedelta(minutes=minutes))
        return store.append(iid, NewEvent(etype, clock.now(), actor, data)).seq

    def milestone(minutes: float, name: str, when_minutes: float, actor: str = "alice") -> int:
        return at(minutes, EventType.MILESTONE_MARKED, {"milestone": name, "at": (START + timedelta(minutes=when_minutes)).isoformat()}, actor)

    milestone(0.5, "detected", -3)
    at(1, EventType.ROLE_ASSIGNED, {"role": "Incident Commander", "person": "alice"})
    at(1.5, EventType.ROLE_ASSIGNED, {"role": "Scribe", "person": "bob"})
    milestone(4, "acknowledged", 4)
    at(5, EventType.ENTRY_ADDED, {"kind": "observation", "text": "Impact: about 30% of EU checkouts fail with HTTP 500"}, "bob")
    update1 = at(6, EventType.UPDATE_POSTED, {"text": "[SEV2] checkout failing for some EU customers; investigating.", "template": "initial"})
    at(6.1, EventType.UPDATE_DELIVERED, {"update": update1, "kind": "status_update", "target": "ops-slack", "ok": True, "attempts": 1, "status": 200, "error": None})
    at(8, EventType.ENTRY_ADDED, {"kind": "action", "text": "Rolled back deploy 4512 of checkout-api"}, "bob")
    silence = {"alertmanager": "prod", "id": "5f2c9d1e-0000-4000-8000-000000000001",
               "matchers": ['alertname="CheckoutErrorRate"', 'region="eu"'], "comment": "INC-2026-001: Checkout API returning 500s"}
    at(8.5, EventType.ENTRY_ADDED, {"kind": "action", "text": "Alertmanager prod: silence 5f2c9d1e created by bob for 1h",
                                    "silence": {**silence, "action": "created", "ends_at": "2026-03-02T11:08:30Z", "ok": True}}, "bob")
    at(9, EventType.ENTRY_ADDED, {"kind": "note", "text": f"psql postgresql://app:{DB_PASSWORD}@db.internal/orders refused: too many clients"}, "bob")
    wrong = at(10, EventType.ENTRY_ADDED, {"kind": "observation", "text": "Error rate | back to normal"}, "bob")
    at(11, EventType.ENTRY_CORRECTED, {"target": wrong, "reason": "that was the staging dashboard"}, "bob")
    at(12, EventType.SEVERITY_CHANGED, {"severity": "SEV1", "previous": "SEV2"})
    at(15, EventType.ROLE_ASSIGNED, {"role": "Incident Commander", "person": "carol"}, "carol")
    at(20, EventType.CHECKLIST_TICKED, {"item": "triage/triage/acknowledge-the-alert", "text": "Acknowledge the alert"}, "carol")
    at(25, EventType.ENTRY_ADDED, {"kind": "action", "text": "Terminated backend 4242 on orders-db (idle in transaction for 12m)", "database": "orders-db"}, "carol")
    at(26, EventType.ENTRY_ADDED, {"kind": "decision", "text": "Next: keep the rollback, watch error rates for 30m"}, "carol")
    milestone(30, "mitigated", 30, "carol")
    at(30.2, EventType.STATUS_CHANGED, {"status": "monitoring", "previous": "investigating"}, "carol")
    at(31, EventType.MILESTONE_CORRECTED, {"milestone": "mitigated", "at": (START + timedelta(minutes=28)).isoformat(), "reason": "rollback finished 10:28 per deploy log"}, "carol")
    update2 = at(35, EventType.UPDATE_POSTED, {"text": "Mitigated: rollback done, error rate normal.\nNext update by 11:05 UTC.", "template": "update"}, "carol")
    at(35.1, EventType.UPDATE_DELIVERED, {"update": update2, "kind": "status_update", "target": "ops-slack", "ok": True, "attempts": 1, "status": 200, "error": None}, "carol")
    at(35.2, EventType.UPDATE_DELIVERED, {"update": update2, "kind": "status_update", "target": "status-bot", "ok": False, "attempts": 4, "status": 500, "error": "HTTP 500"}, "carol")
    at(40, EventType.ENTRY_ADDED, {"kind": "decision", "text": "Action item: alert on checkout 5xx per region"}, "carol")
    at(41, EventType.ENTRY_ADDED, {"kind": "action", "text": "Alertmanager prod: silence 5f2c9d1e expired by carol",
                                   "silence": {**silence, "action": "expired", "ok": True}}, "carol")
    milestone(60, "resolved", 60, "carol")
    at(60.1, EventType.STATUS_CHANGED, {"status": "resolved", "previous": "monitoring"}, "carol")
    clock.set(START + timedelta(minutes=90))
    return store, iid, clock
