"""Where status updates are delivered, and the templates they are written from."""

from __future__ import annotations

import re
import string
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.config.types import STRICT, Duration, HttpUrl, check_zone

# The variables every update template may use; app/domain/templates.py fills them in.
TEMPLATE_VARIABLES = (
    "id",
    "title",
    "severity",
    "status",
    "impact",
    "actions",
    "next_steps",
    "next_update",
    "started",
    "duration",
    "commander",
    "now",
    "eta",
    "root_cause",
    "resolution",
    "cadence",
    "channel",
)
ROLE_VARIABLE_PREFIX = "role_"
"""$role_tech_lead: who holds the role named 'Tech Lead' (each role of the config)."""
DEFAULT_AUDIENCE = "internal"
"""The audience of notify.templates, and of every webhook that names none."""
TEMPLATE_NAMES = ("initial", "update", "resolution")


def role_variable(role: str) -> str:
    """'Tech Lead' -> 'role_tech_lead'."""
    return ROLE_VARIABLE_PREFIX + (re.sub(r"[^a-z0-9]+", "_", role.lower()).strip("_") or "role")


class Webhook(BaseModel):
    model_config = STRICT

    name: str = Field(min_length=1)
    """Name shown with the delivery result."""
    url: HttpUrl
    """Webhook URL; use ${SLACK_WEBHOOK_URL} to keep it out of the file."""
    format: Literal["slack", "json"] = "slack"
    """slack: incoming-webhook {"text": ...}; json: the whole update as JSON."""
    timeout: Duration = timedelta(seconds=5)
    """Per-attempt timeout."""
    retries: int = Field(default=3, ge=0, le=10)
    """Attempts after the first failure."""
    escalations: bool = False
    """Also post when an escalation step becomes due."""
    audience: str = Field(default=DEFAULT_AUDIENCE, max_length=80)
    """Which audience's updates this receiver gets: internal (default, notify.templates) or
    the name of one of notify.audiences (e.g. customer for the status page)."""


def _check_template(value: str | None) -> str | None:
    if value is None:
        return None
    template = string.Template(value)
    if not template.is_valid():
        raise ValueError("invalid $-placeholder (write $$ for a literal dollar sign)")
    # Role variables ($role_tech_lead) are checked against the configured roles by the Config.
    unknown = [n for n in template.get_identifiers() if n not in TEMPLATE_VARIABLES and not n.startswith(ROLE_VARIABLE_PREFIX)]
    if unknown:
        raise ValueError(f"unknown variable ${unknown[0]} (known: {', '.join('$' + v for v in TEMPLATE_VARIABLES)})")
    return value


class UpdateTemplates(BaseModel):
    """string.Template texts ($name or ${name}); unset ones use the built-in text."""

    model_config = STRICT

    initial: str | None = None
    """First notification, used while no update has been posted yet."""
    update: str | None = None
    """Periodic update while the incident is open."""
    resolution: str | None = None
    """Final update once the incident is resolved."""

    @field_validator("initial", "update", "resolution")
    @classmethod
    def _valid(cls, value: str | None) -> str | None:
        return _check_template(value)


class SeverityTemplates(UpdateTemplates):
    """An audience's texts for one severity (unset ones use the audience's own)."""


class Audience(UpdateTemplates):
    """Who an update is written for (a customer status page, executives), with its own texts."""

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.-]*$")
    """e.g. customer; webhooks with `audience: customer` receive these updates."""
    severities: dict[str, SeverityTemplates] = {}
    """Texts for some severities, e.g. {SEV1: {initial: ...}} (the runbook's P0 wording)."""
    only_for: list[str] = Field(default_factory=list, max_length=50)
    """Severities this audience hears about at all, e.g. [SEV-0, SEV-1] for "customer
    notifications for SEV-0/SEV-1 incidents" (empty: every severity)."""

    def hears(self, severity: str) -> bool:
        return not self.only_for or severity in self.only_for


def _time_format(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.strip() or len(value) > 64 or any(ord(c) < 0x20 for c in value):
        raise ValueError("expected a short strftime format on one line, e.g. '%H:%M %Z'")
    try:
        shown = datetime(2026, 3, 2, 14, 30).strftime(value)
    except ValueError as exc:
        raise ValueError(f"not a valid strftime format ({exc})") from None
    if "%" in shown.replace("%%", ""):
        raise ValueError(f"unknown % directive in {value!r} (e.g. %H:%M %Z)")
    return value


class NotifySettings(BaseModel):
    model_config = STRICT

    webhooks: list[Webhook] = []
    """Receivers of every posted status update."""
    templates: UpdateTemplates = UpdateTemplates()
    """Override the text of the initial, periodic and resolution updates (the internal audience)."""
    audiences: list[Audience] = Field(default_factory=list, max_length=20)
    """Other audiences, each with its own texts and receivers, e.g. [{name: customer,
    initial: ..., update: ..., resolution: ...}]. The composer offers each audience's texts."""
    time_format: str | None = None
    """How times read inside update texts ($next_update, $started, $now), as strftime, e.g.
    '%H:%M %Z' for '14:30 EST'. Default: '13:13 UTC (08:13 EST)' with the display zone."""
    time_zone: str | None = None
    """The zone of those times, e.g. America/New_York (default: the config's timezone)."""
    channel: str = Field(default="", max_length=200)
    """Where the incident is coordinated, for $channel, e.g. '#payments-incidents'."""

    @field_validator("time_format")
    @classmethod
    def _format(cls, value: str | None) -> str | None:
        return _time_format(value)

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else check_zone(value)

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value):
            raise ValueError("must be one line without control characters")
        return value

    @field_validator("webhooks")
    @classmethod
    def _unique(cls, value: list[Webhook]) -> list[Webhook]:
        names = [w.name for w in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate webhook name {dupes[0]!r}")
        return value

    @model_validator(mode="after")
    def _audiences(self) -> NotifySettings:
        names = [DEFAULT_AUDIENCE]
        for i, audience in enumerate(self.audiences):
            if audience.name in names:
                raise ValueError(f"audiences[{i}].name: {audience.name!r} is used twice ({DEFAULT_AUDIENCE!r} is the built-in one)")
            if not any(getattr(audience, t) for t in TEMPLATE_NAMES) and not audience.severities:
                raise ValueError(f"audiences[{i}]: give at least one text (initial, update or resolution)")
            names.append(audience.name)
        for i, hook in enumerate(self.webhooks):
            if hook.audience not in names:
                raise ValueError(f"webhooks[{i}].audience: unknown audience {hook.audience!r} (known: {', '.join(names)})")
        return self

    @property
    def audience_names(self) -> list[str]:
        return [DEFAULT_AUDIENCE, *(a.name for a in self.audiences)]

    def audience(self, name: str) -> Audience | None:
        return next((a for a in self.audiences if a.name == name), None)


def check_template_names(notify: NotifySettings, roles: list[str], severities: list[str]) -> None:
    """What only the whole config knows: $role_ variables name configured roles, and an
    audience's per-severity texts name configured severities."""
    known = {role_variable(r) for r in roles}
    texts: list[tuple[str, str | None]] = [(f"notify.templates.{t}", getattr(notify.templates, t)) for t in TEMPLATE_NAMES]
    for i, audience in enumerate(notify.audiences):
        texts += [(f"notify.audiences[{i}].{t}", getattr(audience, t)) for t in TEMPLATE_NAMES]
        for sev in audience.only_for:
            if sev not in severities:
                raise ValueError(f"notify.audiences[{i}].only_for: unknown severity {sev[:40]!r} (known: {', '.join(severities)})")
        for sev, per in audience.severities.items():
            if sev not in severities:
                raise ValueError(f"notify.audiences[{i}].severities: unknown severity {sev[:40]!r} (known: {', '.join(severities)})")
            texts += [(f"notify.audiences[{i}].severities.{sev}.{t}", getattr(per, t)) for t in TEMPLATE_NAMES]
    for where, text in texts:
        for name in string.Template(text).get_identifiers() if text else []:
            if name.startswith(ROLE_VARIABLE_PREFIX) and name not in known:
                raise ValueError(f"{where}: unknown role variable ${name} (roles give: {', '.join('$' + v for v in sorted(known))})")
