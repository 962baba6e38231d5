"""`d` on a pod (or a deployment): kubectl describe in one scrollable view, fetched when opened.

The lines are built by app.collectors.k8s_describe from the API's JSON, every outside
string already made safe; they are shown as Text, never markup. A call that fails is one
line at the top ("HTTP 403 Forbidden: ..."), the rest shows what did arrive.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

from app.collectors.k8s_calls import KubeCallError, KubeCalls
from app.collectors.k8s_describe import describe_deployment, describe_pod
from app.collectors.k8s_rollout import current_revision, revisions, selector
from app.domain.text import one_line
from app.ui.screens.help import ReadOnlyScreen, ScrollBody


class DescribeScreen(ReadOnlyScreen):
    """kind is "pod" or "deployment"."""

    def __init__(self, calls: KubeCalls, cluster: str, kind: str, namespace: str, name: str) -> None:
        super().__init__()
        self.calls = calls
        self.cluster, self.kind, self.namespace, self.object_name = cluster, kind, namespace, name
        self.lines: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog kube-describe"):
            yield Label(Text(one_line(f"Describe {self.kind} {self.cluster}/{self.namespace}/{self.object_name}")), classes="dialog-title")
            yield Static("loading…", id="describe-status", markup=False)
            with ScrollBody(id="describe-body"):
                yield Static("", id="describe-text", markup=False)
            yield Label("↑/↓ PgUp/PgDn scroll · Esc back", classes="dialog-hint")

    def on_mount(self) -> None:
        self._load()

    @work(group="describe", exclusive=True, exit_on_error=False)
    async def _load(self) -> None:
        now = datetime.now(UTC)
        problems: list[str] = []
        found: list[Any]
        try:
            if self.kind == "pod":
                obj = await self.calls.pod(self.namespace, self.object_name)
                found = await asyncio.gather(self.calls.events_for(self.namespace, self.object_name, "Pod"),
                                             self.calls.pod_metrics(self.namespace, self.object_name), return_exceptions=True)
                events, metrics = found
                if isinstance(metrics, BaseException):
                    problems.append(f"metrics: {metrics}")
                    metrics = None
                self.lines = describe_pod(obj, self._events(events, problems), metrics, now)
            else:
                obj = await self.calls.deployment(self.namespace, self.object_name)
                found = await asyncio.gather(self.calls.replicasets(self.namespace, selector(obj)),
                                             self.calls.events_for(self.namespace, self.object_name, "Deployment"),
                                             return_exceptions=True)
                sets, events = found
                history: list[str] = []
                if isinstance(sets, BaseException):
                    problems.append(f"rollout history: {sets}")
                else:
                    current = current_revision(obj)
                    history = [r.line(r.number == current) for r in revisions(obj, sets)]
                self.lines = describe_deployment(obj, history, self._events(events, problems), now)
        except KubeCallError as exc:
            problems.insert(0, str(exc))
        status = self.query_one("#describe-status", Static)
        status.set_class(bool(problems), "-crit")
        status.update(Text("✖ " + "; ".join(one_line(p) for p in problems)) if problems else Text(f"as of {now:%H:%M:%S} UTC"))
        self.query_one("#describe-text", Static).update(Text("\n".join(self.lines)))

    @staticmethod
    def _events(events: object, problems: list[str]) -> list[dict]:
        if isinstance(events, BaseException):
            problems.append(f"events: {events}")
            return []
        return events if isinstance(events, list) else []
