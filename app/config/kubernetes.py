"""Kubernetes clusters (the `kubernetes:` section)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field, field_validator

from app.config.types import STRICT, Duration


class KubernetesTarget(BaseModel):
    model_config = STRICT

    name: str = Field(min_length=1)
    """Cluster name shown in the pane."""
    label: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f]*$")
    """Shown with the name in the pane's title, e.g. "staging" or "simulated"."""
    kubeconfig: str | None = None
    """Path to a kubeconfig (several joined with ':' like $KUBECONFIG); default $KUBECONFIG or ~/.kube/config, else in-cluster."""
    context: str | None = None
    """Context in the kubeconfig; default its current context."""
    namespaces: list[str] = []
    """Namespaces to watch; empty means all."""
    label_selector: str | None = None
    """Only pods (and deployments) matching this selector, e.g. app=api."""
    pending_warn: Duration = timedelta(minutes=5)
    """A pod pending longer than this is WARN."""
    timeout: Duration = timedelta(seconds=10)
    """Limit for one list request; a slower API server marks the pane stale."""
    interval: Duration = timedelta(seconds=2)
    """How often the pane redraws from the watched cache (the watch itself is continuous)."""
    log_lines: int = Field(default=200, ge=1, le=5000)
    """Lines of a container's log shown when its logs open (`l` on a pod), as kubectl logs --tail."""
    allow_actions: bool = False
    """Allow rollout undo, restart and scale from the dashboard (each confirmed and logged); default read-only."""

    @field_validator("namespaces")
    @classmethod
    def _namespaces(cls, value: list[str]) -> list[str]:
        if any(not ns.strip() for ns in value):
            raise ValueError("namespace names cannot be empty")
        if len(set(value)) != len(value):
            raise ValueError("namespaces must be unique")
        return value

    @field_validator("timeout", "interval")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value.total_seconds() <= 0:
            raise ValueError("must be more than 0s")
        return value
