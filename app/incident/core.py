"""IncidentCore: the incident commands against a store, for every front end.

Synchronous and UI-free. The CLI calls it directly; the TUI calls it from the session's
store thread (app/incident/session.py). Input is validated here once (commands.plan, the
severity and title of a new incident, export formats), so the two front ends cannot drift.
"""

from __future__ import annotations

from pathlib import Path

from typing import TYPE_CHECKING

from app.domain.clock import Clock, SystemClock
from app.domain.events import EventType, NewEvent, StoredEvent
from app.domain.incident import IncidentState, fold
from app.domain.text import multi_line, one_line
from app.errors import IncidentNotFound, WarroomError
from app.incident.commands import Command, CommandRejected, LogEntry, plan
from app.store.base import IncidentStore, IncidentSummary

if TYPE_CHECKING:
    from app.config import Config
    from app.domain.escalation import DueEscalation
    from app.domain.templates import UpdateDraft
    from app.notify import DeliveryResult

# The heavier modules (webhooks, templates, exports) are imported where used: `warroom log`
# runs from scripts many times and needs none of them.
EXPORT_FORMATS = ("json", "markdown", "yaml")

COMMANDER = "Incident Commander"  # with no config at hand (the fast `warroom log` path): app/config/roles.py default
EXPORT_SUFFIX = {"markdown": "-postmortem.md", "yaml": ".yaml", "json": ".json"}


def logs_shared_observations(state: IncidentState, operator: str, commander_role: str = COMMANDER) -> bool:
    """What every open terminal sees alike (escalations, level changes) is logged by one:
    the commander's (the configured commander role); with no commander assigned, by every terminal."""
    commander = state.roles.get(commander_role)
    return not commander or commander == operator


class IncidentCore:
    def __init__(self, store: IncidentStore, config: Config | None, *, actor: str | None = None, clock: Clock | None = None) -> None:
        """`config` None: only LogEntry/CorrectEntry work (the fast `warroom log` path)."""
        self.store = store
        self._config = config
        if not actor:
            if config is None:
                raise ValueError("IncidentCore needs an actor or a config")
            actor = config.operator
        self.actor: str = one_line(actor)
        self.clock = clock or SystemClock()

    @property
    def commander_role(self) -> str:
        return self._config.commander_role if self._config is not None else COMMANDER

    @property
    def config(self) -> Config:
        if self._config is None:
            raise RuntimeError("this IncidentCore was built without a config")
        return self._config

    # --- reading ------------------------------------------------------------------------
    def incidents(self, *, open_only: bool = False) -> list[IncidentSummary]:
        found = self.store.incidents()
        return [i for i in found if i.is_open] if open_only else found

    def pick(self, incident_id: str | None, *, allow_closed_latest: bool = False) -> str:
        """The named incident, else the single open one (else, if allowed, the latest)."""
        incidents = self.store.incidents()
        if incident_id:
            if not any(i.id == incident_id for i in incidents):
                raise IncidentNotFound(f"no incident {incident_id!r} in {self.store.url}")
            return incident_id
        open_ = [i for i in incidents if i.is_open]
        if len(open_) == 1:
            return open_[0].id
        if len(open_) > 1:
            raise IncidentNotFound(f"several incidents are open ({', '.join(i.id for i in open_)}): pass the incident id")
        if allow_closed_latest and incidents:
            return incidents[0].id
        raise IncidentNotFound("no open incident (open one with: warroom incident open --severity SEV2 --title ...)")

    def events(self, incident_id: str, after_seq: int = 0) -> list[StoredEvent]:
        return self.store.events(incident_id, after_seq=after_seq)

    def state(self, incident_id: str) -> IncidentState:
        return fold(incident_id, self.store.events(incident_id))

    def metrics(self, incident_id: str) -> dict:
        from app.domain.metrics import metrics_json

        return metrics_json(self.state(incident_id), self.clock.now())

    def figures(self, incident_id: str) -> dict:
        """For `incident list --json`: the metrics, the next deadline and every countdown
        (due times as ISO, seconds remaining), from one fold at one instant."""
        from app.domain.metrics import metrics_json
        from app.domain.timers import countdowns_json, incident_countdowns

        state, now = self.state(incident_id), self.clock.now()
        return {"metrics": metrics_json(state, now)} | countdowns_json(incident_countdowns(self.config, state, now))

    # --- commands -----------------------------------------------------------------------
    def open(self, title: str, severity: str, *, impact: str | None = None) -> StoredEvent:
        title = one_line(" ".join(title.split()))
        if not title:
            raise CommandRejected("must not be empty", field="title")
        if self.config.severity(severity) is None:
            names = ", ".join(s.name for s in self.config.severities)
            raise CommandRejected(f"unknown severity {severity!r} (configured: {names})", field="severity")
        extra: dict[str, str] = {"impact": impact.strip()} if impact and impact.strip() else {}
        first = self.config.statuses[0].name
        if first != "investigating":  # the stores' default; the default lifecycle stores as before
            extra["status"] = first
        return self.store.open_incident(
            title=title, severity=severity, actor=self.actor, at=self.clock.now(), id_format=self.config.incident.id_format, extra=extra or None
        )

    def plan(self, command: Command, state: IncidentState) -> list[NewEvent]:
        return plan(command, state, self._config, self.actor, self.clock.now())

    def execute(self, incident_id: str, command: Command, state: IncidentState | None = None) -> list[StoredEvent]:
        """Validate against the incident (as folded from the store unless given) and append."""
        if state is None:
            # An entry is valid whatever the incident holds (even resolved: late notes), so
            # `warroom log` appends without reading the whole incident first.
            state = IncidentState(id=incident_id) if isinstance(command, LogEntry) else self.state(incident_id)
        return [self.store.append(incident_id, event) for event in self.plan(command, state)]

    # --- status updates and escalations ------------------------------------------------------
    def draft_update(self, state: IncidentState, template: str | None = None, audience: str | None = None) -> UpdateDraft:
        from app.config.notify import DEFAULT_AUDIENCE
        from app.domain.templates import render_update

        try:
            return render_update(state, self.config, self.clock.now(), template=template, audience=audience or DEFAULT_AUDIENCE)
        except ValueError as exc:
            raise CommandRejected(str(exc)) from None

    def update_event(self, text: str, template: str | None = None, audience: str | None = None) -> NewEvent:
        """The `update.posted` event for a status update, checked, not yet stored."""
        from app.config.notify import DEFAULT_AUDIENCE

        audience = audience or DEFAULT_AUDIENCE
        text = multi_line(text).strip()
        if not text:
            raise CommandRejected("the status update is empty")
        notify = self.config.notify
        if audience not in notify.audience_names:
            raise CommandRejected(f"unknown audience {audience!r} (known: {', '.join(notify.audience_names)})")
        # The targets are named now, so a delivery cut short (kill -9) is found by a retry;
        # only the receivers of this audience (the status page never gets the internal text).
        targets = [hook.name for hook in notify.webhooks if hook.audience == audience]
        data = {"text": text, "targets": targets} | ({"template": template} if template else {})
        if audience != DEFAULT_AUDIENCE:
            data["audience"] = audience
        return NewEvent(EventType.UPDATE_POSTED, self.clock.now(), self.actor, data)

    def record_update(self, incident_id: str, text: str, template: str | None = None, audience: str | None = None) -> StoredEvent:
        """Durable first: the update countdown restarts whether or not any receiver is up."""
        return self.store.append(incident_id, self.update_event(text, template, audience))

    async def deliver_update(self, incident_id: str, update: StoredEvent, *, backoff_base: float = 0.5) -> list[DeliveryResult]:
        from app.notify import deliver_update

        return await deliver_update(
            self.store, incident_id, update, config=self.config, clock=self.clock, actor=self.actor, backoff_base=backoff_base
        )

    async def retry_deliveries(self, incident_id: str, *, backoff_base: float = 0.5) -> list[tuple[int, DeliveryResult]]:
        from app.notify import retry_failed

        return await retry_failed(
            self.store, incident_id, config=self.config, clock=self.clock, actor=self.actor, backoff_base=backoff_base
        )

    def log_due_escalations(self, incident_id: str) -> list[tuple[DueEscalation, StoredEvent]]:
        """Each step that fell due is logged once (its key makes a second terminal find it)."""
        from app.domain.escalation import due_escalations, escalation_entry

        events = self.store.events(incident_id)
        now = self.clock.now()
        tz = self.config.tzinfo()
        due = due_escalations(fold(incident_id, events), events, self.config, now)
        return [(step, self.store.append(incident_id, escalation_entry(step, self.actor, now, tz))) for step in due]

    async def deliver_escalation(self, incident_id: str, entry: StoredEvent, *, backoff_base: float = 0.5) -> list[DeliveryResult]:
        from app.notify import deliver_escalation

        return await deliver_escalation(
            self.store, incident_id, entry, config=self.config, clock=self.clock, actor=self.actor, backoff_base=backoff_base
        )

    # --- the record ---------------------------------------------------------------------
    def export(self, incident_id: str, fmt: str) -> str:
        from app.domain.record import export

        if fmt not in EXPORT_FORMATS:
            raise CommandRejected(f"unknown export format {fmt!r} (one of {', '.join(EXPORT_FORMATS)})")
        events = self.store.events(incident_id)
        return export(fmt, fold(incident_id, events), events, self.config, self.clock.now())

    def export_to_file(self, incident_id: str, fmt: str, folder: Path | None = None) -> Path:
        """Writes `<id>-postmortem.md` (or .yaml/.json) in `folder` (default: the working dir)."""
        text = self.export(incident_id, fmt)
        path = (folder or Path.cwd()) / f"{incident_id}{EXPORT_SUFFIX[fmt]}"
        write_text(path, text)
        return path


def write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise WarroomError(f"{path}: cannot write: {exc.strerror or exc}") from None
