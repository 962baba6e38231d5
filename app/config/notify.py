"""Where status updates are delivered, and the templates they are written from."""

from __future__ import annotations

import string
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from app.config.types import STRICT, Duration, HttpUrl

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
)


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


def _check_template(value: str | None) -> str | None:
    if value is None:
        return None
    template = string.Template(value)
    if not template.is_valid():
        raise ValueError("invalid $-placeholder (write $$ for a literal dollar sign)")
    unknown = [name for name in template.get_identifiers() if name not in TEMPLATE_VARIABLES]
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


class NotifySettings(BaseModel):
    model_config = STRICT

    webhooks: list[Webhook] = []
    """Receivers of every posted status update."""
    templates: UpdateTemplates = UpdateTemplates()
    """Override the text of the initial, periodic and resolution updates."""

    @field_validator("webhooks")
    @classmethod
    def _unique(cls, value: list[Webhook]) -> list[Webhook]:
        names = [w.name for w in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate webhook name {dupes[0]!r}")
        return value
