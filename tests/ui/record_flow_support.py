"""Helpers for the commander's record flow tests: a config with one real webhook receiver,
timeline and countdown readers, and the key sequences the flow repeats."""

from __future__ import annotations

import asyncio

import time

from textual import events

from app.config import Config
from app.config.incident import DEFAULT_SEVERITIES, EscalationStep, Severity
from app.domain.events import EventType
from app.ui.incident.countdowns import CountdownsPanel
from app.ui.incident.header import IncidentHeader
from app.ui.incident.timeline import TimelineTable
from tests.support.incident_app import settle

HOOK = "receiver"
# A SEV1 whose clocks do not coincide, so each step of the flow shows one thing changing:
# updates every 10 min, acknowledgement within 30 min, escalation at 20 and 45 min.
SEV1 = Severity(
    name="SEV1",
    description="Critical: complete outage",
    respond_within="30m",
    update_every="10m",
    escalation=[EscalationStep(after="20m", to="Engineering Manager"), EscalationStep(after="45m", to="Director of Engineering")],
)


def record_config(webhook_url: str, **overrides) -> Config:
    return Config.model_validate({
        "operator": "alice",
        "timezone": "UTC",
        "severities": [SEV1.model_dump(), *[s.model_dump() for s in DEFAULT_SEVERITIES[1:]]],
        # retries: 1 keeps a failing delivery to two attempts half a second apart.
        "notify": {"webhooks": [{"name": HOOK, "url": webhook_url, "format": "json", "timeout": "2s", "retries": 1, "escalations": True}]},
        **overrides,
    })


def _plain(renderable) -> str:
    return getattr(renderable, "plain", str(renderable))


def timeline_texts(app) -> list[str]:
    """The entry column as shown, top to bottom."""
    table = app.query_one(TimelineTable)
    return [_plain(table.get_row_at(i)[-1]) for i in range(table.row_count)]


def countdown_lines(app) -> list[str]:
    return [_plain(w.render()) for w in app.query_one(CountdownsPanel).query(".countdown")]


def countdown(app, label: str) -> str:
    return next(line for line in countdown_lines(app) if label in line)


def header(app) -> str:
    return _plain(app.query_one(IncidentHeader).render())


def events_of(app, event_type: EventType) -> list:
    return [e for e in app.store.events(app.state.id) if e.type is event_type]


async def settle_app(app, pilot) -> None:
    """settle() for an app with live panes: their collect loops never complete, so wait
    only for the app's own workers (store I/O, deliveries) and their callbacks."""
    for _ in range(3):
        own = [w for w in app.workers if w.node is app]
        if own:  # an empty list would mean "every worker" to wait_for_complete
            await app.workers.wait_for_complete(own)
        await asyncio.to_thread(app.session.drain)
        await pilot.pause()


async def paste(app, pilot, text: str) -> None:
    """Text arrives as a terminal paste (one event, as from bracketed paste), which lands in
    the focused field: a Pilot key press per character costs ~0.1 s on this machine."""
    app.post_message(events.Paste(text))
    await pilot.pause()


async def tick(app, pilot) -> None:
    """What the 1 s interval does, now: countdowns, bell, escalation check; then settle."""
    app.refresh_clock()
    await settle(app, pilot)
