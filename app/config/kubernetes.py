"""Kubernetes clusters (the `kubernetes:` section)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.config.types import STRICT, Duration


class KubernetesTarget(BaseModel):
    model_config = STRICT

    name: str = Field(min_length=1)
    """Cluster name shown in the pane."""
    kubeconfig: str | None = None
    """Path to a kubeconfig; default $KUBECONFIG or ~/.kube/config, else in-cluster."""
    context: str | None = None
    """Context in the kubeconfig; default its current context."""
    namespaces: list[str] = []
    """Namespaces to watch; empty means all."""
    label_selector: str | None = None
    """Only pods matching this selector, e.g. app=api."""
    pending_warn: Duration = timedelta(minutes=5)
    """A pod pending longer than this is WARN."""
