"""Where status updates are delivered."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field

from app.config.types import STRICT, Duration


class Webhook(BaseModel):
    model_config = STRICT

    name: str = Field(min_length=1)
    """Name shown with the delivery result."""
    url: str
    """Webhook URL; use ${SLACK_WEBHOOK_URL} to keep it out of the file."""
    format: Literal["slack", "json"] = "slack"
    """slack: incoming-webhook {"text": ...}; json: the whole update as JSON."""
    timeout: Duration = timedelta(seconds=5)
    """Per-attempt timeout."""
    retries: int = 3
    """Attempts after the first failure."""
    escalations: bool = False
    """Also post when an escalation step becomes due."""


class NotifySettings(BaseModel):
    model_config = STRICT

    webhooks: list[Webhook] = []
    """Receivers of every posted status update."""
