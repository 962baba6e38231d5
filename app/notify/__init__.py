"""Delivery of status updates and escalations to webhooks (no UI imports here)."""

from app.notify.delivery import (
    PostedUpdate,
    deliver_escalation,
    deliver_update,
    pending_deliveries,
    post_update,
    retry_failed,
)
from app.notify.webhook import DeliveryResult, build_payload, deliver

__all__ = [
    "DeliveryResult",
    "PostedUpdate",
    "build_payload",
    "deliver",
    "deliver_escalation",
    "deliver_update",
    "pending_deliveries",
    "post_update",
    "retry_failed",
]
