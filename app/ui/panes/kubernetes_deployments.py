"""`D` in the pods pane: the deployments, and what can be done to one.

The table refreshes from the pane's watched cache (a rollout's progress shows as it goes).
`d` describes the selected deployment; with `allow_actions: true` on its cluster, `h` lists
its rollout history and rolls back to a chosen revision, `u` rolls back to the previous one
(`kubectl rollout undo`), `r` restarts it (`kubectl rollout restart`) and `s` scales it.
Each step says what it will do and asks, with Back as the default button; it runs with
the operator's own credentials (the kubeconfig the collector uses) and its result, refusals
included, goes to the timeline as an action entry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar, Protocol

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from app.collectors.k8s_calls import KubeCallError, KubeCalls
from app.collectors.k8s_records import DeploymentRow
from app.collectors.k8s_rollout import (
    JSON_PATCH,
    STRATEGIC_MERGE,
    Revision,
    current_revision,
    parse_replicas,
    restart_patch,
    revisions,
    selector,
    template_matches,
    undo_patch,
    undo_target,
)
from app.domain.text import one_line
from app.ui.messages import TimelineRequest
from app.ui.panes.kubernetes_describe import DescribeScreen
from app.ui.screens.confirm import ConfirmScreen
from app.ui.screens.pickers import ChoiceScreen
from app.ui.screens.prompt import TextPromptScreen
from app.ui.widgets.keyed_table import KeyedTable

REFRESH = 1.0  # seconds between redraws from the pane's cache


class DeploymentSource(Protocol):
    """What the screen needs from the pods pane."""

    operator: str

    def deployment_rows(self) -> list[DeploymentRow]: ...

    def cluster_calls(self, cluster: str) -> KubeCalls | None: ...

    def actions_allowed(self, cluster: str) -> bool: ...


def _key(row: DeploymentRow) -> str:
    return f"{row.cluster}/{row.namespace}/{row.name}"


class DeploymentsScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="kubernetes.deployments.close"),
        Binding("q", "close", "Back", show=False),
        Binding("d", "describe", "Describe", id="kubernetes.deployments.describe"),
        Binding("h", "history", "History / undo", id="kubernetes.deployments.history"),
        Binding("u", "undo", "Undo rollout", id="kubernetes.deployments.undo"),
        Binding("r", "restart", "Restart", id="kubernetes.deployments.restart"),
        Binding("s", "scale", "Scale", id="kubernetes.deployments.scale"),
    ]

    def __init__(self, source: DeploymentSource, several_clusters: bool = False) -> None:
        super().__init__(classes="prompt")
        self.source = source
        self.several_clusters = several_clusters
        self.rows: dict[str, DeploymentRow] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog kube-deployments"):
            yield Label("Deployments", classes="dialog-title")
            yield KeyedTable(cursor_type="row", id="deployments-table")
            yield Label("d describe · h history / undo · u undo · r restart · s scale · Esc back", classes="dialog-hint")

    def on_mount(self) -> None:
        table = self.query_one(KeyedTable)
        for key, label in (("level", ""), ("name", "NAME"), ("ready", "READY"), ("updated", "UP-TO-DATE"),
                           ("available", "AVAILABLE"), ("rollout", "ROLLOUT")):
            table.add_column(label, key=key)
        self.refresh_rows()
        table.focus()
        self.set_interval(REFRESH, self.refresh_rows)

    def refresh_rows(self) -> None:
        rows = sorted(self.source.deployment_rows(), key=lambda d: (-d.level.severity_rank, d.cluster, d.namespace, d.name))
        self.rows = {_key(r): r for r in rows}
        self.query_one(KeyedTable).sync(self.rows, self._cells)

    def _cells(self, row: DeploymentRow) -> tuple[Text, ...]:
        name = _key(row) if self.several_clusters else f"{row.namespace}/{row.name}"
        return (Text(f"{row.level.symbol} {row.level.word}"), Text(name), Text(f"{row.ready}/{row.desired}"),
                Text(str(row.updated)), Text(str(row.available)), Text(row.rollout))

    def selected(self) -> DeploymentRow | None:
        key = self.query_one(KeyedTable).selected_key
        row = self.rows.get(key) if key else None
        if row is None:
            self.notify("No deployment selected", severity="warning")
        return row

    def action_close(self) -> None:
        self.dismiss(None)

    def action_describe(self) -> None:
        row = self.selected()
        calls = self.source.cluster_calls(row.cluster) if row else None
        if row is not None and calls is not None:
            self.app.push_screen(DescribeScreen(calls, row.cluster, "deployment", row.namespace, row.name))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_describe()

    # --- actions ---------------------------------------------------------------------
    def _acting(self) -> tuple[DeploymentRow, KubeCalls] | None:
        row = self.selected()
        if row is None:
            return None
        if not self.source.actions_allowed(row.cluster):
            self.notify(f"actions are off for cluster {row.cluster} (allow_actions: false)", title="Read-only",
                        severity="warning", markup=False)
            return None
        calls = self.source.cluster_calls(row.cluster)
        if calls is None:
            self.notify(f"Cluster {row.cluster} is not connected yet", severity="warning", markup=False)
            return None
        return row, calls

    def action_undo(self) -> None:
        if (acting := self._acting()) is not None:
            self._undo(*acting, 0)

    def action_history(self) -> None:
        if (acting := self._acting()) is not None:
            self._undo(*acting, None)

    def action_restart(self) -> None:
        if (acting := self._acting()) is not None:
            self._restart(*acting)

    def action_scale(self) -> None:
        if (acting := self._acting()) is not None:
            self._scale(*acting)

    def _log(self, row: DeploymentRow, what: str, outcome: str) -> None:
        text = f"Kubernetes {row.cluster}: {what} of deployment {row.namespace}/{row.name} by {self.source.operator or '?'}: {outcome}"
        self.post_message(TimelineRequest(one_line(text), kind="action"))

    async def _run(self, row: DeploymentRow, what: str, call: Callable[[], Awaitable[object]]) -> None:
        """Execute, say the result, log it: done, REFUSED (403) or FAILED."""
        try:
            await call()
        except KubeCallError as exc:
            outcome = f"REFUSED by RBAC ({exc})" if exc.forbidden else f"FAILED ({exc})"
            self.notify(f"{what}: {outcome}", severity="error", markup=False)
            self._log(row, what, outcome)
            return
        self.notify(f"{what} of {row.namespace}/{row.name}: done", markup=False)
        self._log(row, what, "done")

    @work(group="kubernetes-action", exclusive=True, exit_on_error=False)
    async def _undo(self, row: DeploymentRow, calls: KubeCalls, to_revision: int | None) -> None:
        try:
            dep = await calls.deployment(row.namespace, row.name)
            history = revisions(dep, await calls.replicasets(row.namespace, selector(dep)))
        except KubeCallError as exc:
            self.notify(f"Cannot read the rollout history of {row.namespace}/{row.name}: {exc}", severity="error", markup=False)
            return
        current = current_revision(dep)
        if to_revision is None:  # h: choose from the history, newest first
            choices = [(r.number, r.line(r.number == current)) for r in reversed(history)]
            if not choices:
                self.notify("no rollout history found (no ReplicaSets with a revision)", severity="warning")
                return
            picked = await self.app.push_screen_wait(ChoiceScreen(
                f"Rollout history of {row.namespace}/{row.name}: roll back to which revision?", choices, current,
                hint="↑/↓ choose · Enter propose the rollback (asks first) · Esc cancel"))
            if picked is None:
                return
            to_revision = picked
        target = undo_target(history, to_revision)
        if isinstance(target, str):
            self.notify(target, severity="warning", markup=False)
            return
        if template_matches(dep, target):
            self.notify(f"skipped: the current template already matches revision {target.number}", markup=False)
            return
        now = next((r for r in history if r.number == current), None)
        if not await self._confirm_undo(row, target, now):
            return
        what = f"rollout undo to revision {target.number} ({target.images or '?'})"
        await self._run(row, what, lambda: calls.patch_deployment(row.namespace, row.name, undo_patch(dep, target), JSON_PATCH))

    async def _confirm_undo(self, row: DeploymentRow, target: Revision, now: Revision | None) -> bool:
        details = [
            f"now: revision {now.number if now else '?'}, {now.images if now else '?'}",
            f"back to: revision {target.number}, {target.images or '?'} (change-cause: {target.change_cause or '<none>'})",
            "As kubectl rollout undo: the pod template becomes that revision's; the pods are replaced by the "
            "deployment's strategy.",
            f"Runs with your own credentials on cluster {row.cluster}; the result goes to the timeline.",
        ]
        confirmed: bool = await self.app.push_screen_wait(ConfirmScreen(
            f"Roll back deployment {row.namespace}/{row.name} to revision {target.number}?", details, action="Roll back"))
        return confirmed

    @work(group="kubernetes-action", exclusive=True, exit_on_error=False)
    async def _restart(self, row: DeploymentRow, calls: KubeCalls) -> None:
        body = restart_patch()
        stamp = body["spec"]["template"]["metadata"]["annotations"]
        details = [f"Sets the pod template annotation {k}={v}, as kubectl rollout restart does:" for k, v in stamp.items()]
        details += [f"every pod of the {row.desired} is replaced, by the deployment's strategy.",
                    f"Runs with your own credentials on cluster {row.cluster}; the result goes to the timeline."]
        if not await self.app.push_screen_wait(ConfirmScreen(f"Restart deployment {row.namespace}/{row.name}?", details,
                                                             action="Restart")):
            return
        await self._run(row, "rollout restart", lambda: calls.patch_deployment(row.namespace, row.name, body, STRATEGIC_MERGE))

    @work(group="kubernetes-action", exclusive=True, exit_on_error=False)
    async def _scale(self, row: DeploymentRow, calls: KubeCalls) -> None:
        typed = await self.app.push_screen_wait(TextPromptScreen(
            f"Scale deployment {row.namespace}/{row.name} to how many replicas?", initial=str(row.desired),
            context=f"now {row.desired} desired, {row.ready} ready (0 stops every pod)"))
        if typed is None:
            return
        replicas = parse_replicas(typed)
        if isinstance(replicas, str):
            self.notify(replicas, severity="error", markup=False)
            return
        details = [f"from {row.desired} to {replicas} replicas (the scale subresource, as kubectl scale)",
                   f"Runs with your own credentials on cluster {row.cluster}; the result goes to the timeline."]
        if replicas == 0:
            details.insert(0, "0 replicas stops every pod of this deployment.")
        confirm = ConfirmScreen(f"Scale deployment {row.namespace}/{row.name} to {replicas}?", details, action="Scale")
        if not await self.app.push_screen_wait(confirm):
            return
        await self._run(row, f"scale from {row.desired} to {replicas} replicas",
                        lambda: calls.scale(row.namespace, row.name, replicas))
