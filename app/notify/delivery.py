"""Record a status update, deliver it to every webhook, record each result.

The update is appended (durably) *before* any delivery is tried, so a receiver that is
down can never lose it; each attempt's outcome is an UPDATE_DELIVERED event, and
`retry_failed` re-sends every (update, webhook) pair that has no successful delivery yet:
the update names its targets when it is recorded, so a delivery that never got a result
(the process was killed mid-way) is found as well as one that failed.
Store calls are synchronous (SQLite appends take milliseconds); HTTP is async.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from app.config import Config
from app.config.notify import DEFAULT_AUDIENCE, Webhook
from app.domain.clock import Clock
from app.domain.events import EventType, NewEvent, StoredEvent
from app.domain.incident import IncidentState, fold
from app.domain.timefmt import utc_iso
from app.notify.webhook import DeliveryResult, build_payload, deliver
from app.store.base import IncidentStore

UPDATE, ESCALATION = "status_update", "escalation"


@dataclass(frozen=True)
class PostedUpdate:
    update: StoredEvent
    results: list[DeliveryResult]

    @property
    def all_ok(self) -> bool:
        return all(r.ok for r in self.results)


def _message(state: IncidentState, source: StoredEvent | Any, kind: str) -> dict[str, Any]:
    return {
        "type": kind,
        "incident": {"id": state.id, "title": state.title, "severity": state.severity, "status": str(state.status)},
        "update": {"seq": source.seq, "at": utc_iso(source.at), "by": source.actor, "template": source.data.get("template")},
    }


async def _deliver_and_record(
    store: IncidentStore,
    state: IncidentState,
    source: StoredEvent,
    text: str,
    webhooks: list[Webhook],
    *,
    kind: str,
    clock: Clock,
    actor: str,
    backoff_base: float,
) -> list[DeliveryResult]:
    message = _message(state, source, kind)

    async def one(hook: Webhook) -> DeliveryResult:
        try:
            result = await deliver(hook, build_payload(hook, text, message), backoff_base=backoff_base)
        except Exception as exc:  # noqa: BLE001 - deliver() should not raise; if it does, only this hook fails
            result = DeliveryResult(hook.name, False, 1, None, f"could not send ({type(exc).__name__})")
        # Recorded as soon as known: a slow receiver must not hold back the others' results.
        data = {"update": source.seq, "kind": kind, **result.as_data()}
        store.append(state.id, NewEvent(EventType.UPDATE_DELIVERED, clock.now(), actor, data))
        return result

    outcomes = await asyncio.gather(*(one(hook) for hook in webhooks), return_exceptions=True)
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    if failures:
        raise failures[0]  # a store that cannot record results; the others were recorded
    return [o for o in outcomes if not isinstance(o, BaseException)]


async def deliver_update(
    store: IncidentStore,
    incident_id: str,
    update: StoredEvent,
    *,
    config: Config,
    clock: Clock,
    actor: str,
    backoff_base: float = 0.5,
) -> list[DeliveryResult]:
    """Send a recorded update to every webhook and record each result."""
    state = fold(incident_id, store.events(incident_id))
    # The receivers named when it was recorded (its audience's); older updates name none.
    named = update.data.get("targets")
    hooks = [h for h in config.notify.webhooks if named is None or h.name in named]
    return await _deliver_and_record(
        store, state, update, str(update.data["text"]), hooks,
        kind=UPDATE, clock=clock, actor=actor, backoff_base=backoff_base,
    )


async def post_update(
    store: IncidentStore,
    incident_id: str,
    text: str,
    *,
    config: Config,
    clock: Clock,
    actor: str,
    template: str | None = None,
    backoff_base: float = 0.5,
) -> PostedUpdate:
    """Append UPDATE_POSTED (resets the update countdown), then deliver to every webhook."""
    text = text.strip()
    if not text:
        raise ValueError("a status update needs text")
    data: dict[str, Any] = {"text": text, "targets": [hook.name for hook in config.notify.webhooks if hook.audience == DEFAULT_AUDIENCE]}
    if template:
        data["template"] = template
    stored = store.append(incident_id, NewEvent(EventType.UPDATE_POSTED, clock.now(), actor, data))
    results = await deliver_update(store, incident_id, stored, config=config, clock=clock, actor=actor, backoff_base=backoff_base)
    return PostedUpdate(stored, results)


async def deliver_escalation(
    store: IncidentStore,
    incident_id: str,
    entry: StoredEvent,
    *,
    config: Config,
    clock: Clock,
    actor: str,
    backoff_base: float = 0.5,
) -> list[DeliveryResult]:
    """Post a logged escalation observation to the webhooks that asked for escalations."""
    hooks = [h for h in config.notify.webhooks if h.escalations]
    if not hooks:
        return []
    state = fold(incident_id, store.events(incident_id))
    return await _deliver_and_record(
        store, state, entry, str(entry.data["text"]), hooks, kind=ESCALATION, clock=clock, actor=actor, backoff_base=backoff_base
    )


def pending_deliveries(events: list[StoredEvent], config: Config) -> list[tuple[StoredEvent, Webhook, str]]:
    """(source event, webhook, kind) pairs never delivered: tried and failed, or named as a
    target of an update and never answered. Only webhooks still configured are returned."""
    by_seq = {e.seq: e for e in events}
    hooks = {h.name: h for h in config.notify.webhooks}
    outcome: dict[tuple[int, str], tuple[bool, str]] = {}
    for e in events:
        if e.type is EventType.UPDATE_POSTED:
            for target in e.data.get("targets") or ():
                outcome.setdefault((e.seq, str(target)), (False, UPDATE))
        elif e.type is EventType.UPDATE_DELIVERED:
            key = (int(e.data["update"]), str(e.data["target"]))
            ok_before = outcome.get(key, (False, ""))[0]
            outcome[key] = (ok_before or bool(e.data["ok"]), str(e.data.get("kind", UPDATE)))
    pending = []
    for (seq, target), (ok, kind) in outcome.items():
        if not ok and seq in by_seq and target in hooks:
            pending.append((by_seq[seq], hooks[target], kind))
    return pending


async def retry_failed(
    store: IncidentStore,
    incident_id: str,
    *,
    config: Config,
    clock: Clock,
    actor: str,
    backoff_base: float = 0.5,
) -> list[tuple[int, DeliveryResult]]:
    """Re-send every failed, never-delivered (update, webhook) pair; returns (update seq, result)."""
    events = store.events(incident_id)
    state = fold(incident_id, events)
    out: list[tuple[int, DeliveryResult]] = []
    for source, hook, kind in pending_deliveries(events, config):
        results = await _deliver_and_record(
            store, state, source, str(source.data["text"]), [hook], kind=kind, clock=clock, actor=actor, backoff_base=backoff_base
        )
        out.extend((source.seq, r) for r in results)
    return out
