"""PodsPane: pods as `kubectl get pods` prints them, recent rollouts and Warning events.

The pod table (app/ui/panes/pods_table.py) is keyed by cluster + pod uid and updated cell by
cell, so with 5,000 pods a refresh touches only what changed and the cursor stays on the
same pod.

The pane gets about 54 cells at 120 columns and 78 at 80 or 200: too few for kubectl's
whole row. The level is a symbol, namespace and name share one column (NS/NAME, as in the
deployment and event lines), READY and STATUS are always whole, RESTARTS, AGE and NODE
follow while the name keeps a readable width, and the bottom border spells out the
selected pod in full.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Static

from app.collectors.base import Collector, Level, Snapshot
from app.collectors.k8s_records import DeploymentRow, EventRow, PodRow
from app.collectors.k8s_calls import KubeCalls
from app.collectors.kubernetes import KubeView, KubernetesCollector
from app.collectors.observations import Observer
from app.ui.messages import TimelineRequest
from app.ui.panes.base import WARNING_EVENTS_KEY, LivePane
from app.ui.panes.details import events_detail, pod_detail
from app.ui.panes.pods_table import PodColumnsFit, PodsTable
from app.ui.widgets.marks import SELECTED
from app.ui.widgets.quiet import show_text
from app.ui.widgets.row_filter import PodFilter, RowFilter

SHOWN_DEPLOYMENTS = 6
SHOWN_EVENTS = 6


class WarningEvents(Static, can_focus=True):
    """The Warning events under the pods: key 5 (from app.ui.live) focuses it, Enter lists all.

    A Tab stop of its own, marked ▶ and by its left bar while focused: before, it was reached
    only through the live half's scroll container, which shows no focus, and PgDn.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "show_all", "All events", id="kubernetes.events")]

    def __init__(self) -> None:
        super().__init__("", id="pods-events", markup=False)
        self.rows: list[EventRow] = []

    def show(self, rows: list[EventRow], style: Style) -> None:
        self.rows = rows
        text = Text(f"{SELECTED} " if self.has_focus else "", style="bold")
        text.append(f"{WARNING_EVENTS_KEY} Warning events (last 15 min)", style="bold")
        text.append("  Enter: all\n" if self.has_focus and rows else "\n", style="dim")
        if not rows:
            text.append("none", style="dim")
        for event in rows[:SHOWN_EVENTS]:
            text.append(f"▲ {event.count}× ", style=style)
            text.append(f"{event.namespace}/{event.kind.lower()}/{event.name} {event.reason}: ")
            text.append(event.message)
            text.append(f" ({event.ago} ago)\n", style="dim")
        if len(rows) > SHOWN_EVENTS:
            text.append(f"… {len(rows) - SHOWN_EVENTS} more\n", style="dim")
        text.rstrip()
        show_text(self, text)

    def on_focus(self) -> None:
        self.post_message(self.Redraw())

    def on_blur(self) -> None:
        self.post_message(self.Redraw())

    class Redraw(Message):
        """The heading's ▶ follows the focus."""

    def action_show_all(self) -> None:
        self.app.push_screen(events_detail(self.rows))


class PodsPane(LivePane[KubeView]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "pin_pod", "Pin pod", id="kubernetes.pin"),
        Binding("l", "logs", "Logs", id="kubernetes.logs"),
        Binding("d", "describe", "Describe", id="kubernetes.describe"),
        Binding("D", "deployments", "Deployments", id="kubernetes.deployments"),
    ]

    def __init__(
        self,
        collectors: list[Collector[KubeView]],
        *,
        title: str = "Kubernetes pods",
        tz: tzinfo | None = None,
        observer: Observer | None = None,
        operator: str = "",
        id: str | None = None,
    ) -> None:
        self.operator = operator
        """Named in the timeline entry of every rollout undo, restart and scale."""
        targets = [getattr(c, "target", None) for c in collectors]
        # A cluster's label ("simulated", "staging") rides in the title, where no one misses it.
        labels = [t.label if len(targets) == 1 else f"{t.name}: {t.label}" for t in targets if t is not None and t.label]
        title = f"{title} ({'; '.join(labels)})" if labels else title
        super().__init__(collectors, title=title, tz=tz, observer=observer, id=id)
        self.base_title = title
        self.several_clusters = len(collectors) > 1
        self.show_namespace = self.several_clusters or any(t is None or len(t.namespaces) != 1 for t in targets)
        self.table = PodsTable(cursor_type="row", zebra_stripes=False, id="pods-table")
        # Long pod names give way (cut with …) so READY and STATUS stay on screen.
        self._name_column = PodColumnsFit(self.table, "name", min_width=12, keep_after=2, then=(16, 28, 28))
        self.deployments = Static("", id="pods-deployments", markup=False)
        self.events = WarningEvents()
        self._rows: dict[str, PodRow] = {}  # row key -> the pod as last seen, every cluster
        self._subtitle: str | None = None
        self._views: dict[str, KubeView] = {}

    def compose(self) -> ComposeResult:
        yield self.compose_stale()
        yield self.table
        yield self.deployments
        yield self.events

    def on_mount(self) -> None:
        columns = [("level", ""), ("name", "NS/NAME" if self.show_namespace else "NAME"), ("ready", "READY"),
                   ("status", "STATUS"), ("restarts", "RESTARTS"), ("age", "AGE"), ("node", "NODE")]
        for key, label in columns:
            self.table.add_column(label, key=key)
        self.deployments.display = False
        self.events.display = False

    # --- rendering ---------------------------------------------------------------
    def render_snapshot(self, snapshot: Snapshot[KubeView], last_good: Snapshot[KubeView] | None) -> None:
        view = snapshot.data
        if view is None:
            return  # nothing new to show; the stale line (from LivePane) says why
        self._views[view.cluster] = view
        self._update_pods(view)
        self._render_deployments()
        self._render_events()
        self._render_title()
        self._show_selected()

    def make_filter(self, query: str) -> RowFilter:
        return PodFilter(query, self._rows.get)

    def _shown_name(self, row: PodRow) -> str:
        if not self.show_namespace:
            return row.name
        return f"{row.cluster}/{row.namespace}/{row.name}" if self.several_clusters else f"{row.namespace}/{row.name}"

    def _cells(self, row: PodRow) -> tuple[Text, ...]:
        return self.table.pod_cells(row, self._shown_name(row))

    def _update_pods(self, view: KubeView) -> None:
        # Problem pods first, then by the name as shown (with several clusters, mixed).
        rows = [row for v in self._views.values() for row in v.pods]
        rank = {level: -level.severity_rank for level in Level}
        shown_name = self._shown_name
        rows.sort(key=lambda row: (rank[row.level], shown_name(row)))
        self._rows = {row.key: row for row in rows}
        shown = self.table.row_count
        self.table.sync_pods(self._rows, self._cells)
        if self.table.row_count > shown:
            # New rows are measured as they go in: fitted now, the frame that shows them
            # shows them fitted (a changed cell is measured when the table idles: after).
            self._name_column.fit()
        self._name_column.schedule()

    def on_resize(self) -> None:
        self._name_column.schedule()

    def _selected_key(self) -> str | None:
        return self.table.selected_key

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_selected()

    def _selected_row(self) -> PodRow | None:
        key = self._selected_key()
        return self._rows.get(key) if key is not None else None

    def _show_selected(self) -> None:
        """The row under the cursor in full at the bottom border: a narrow pane cuts names."""
        row = self._selected_row()
        subtitle = None
        if row is not None and self.table.has_focus:
            prefix = f"{row.cluster}/" if self.several_clusters else ""
            subtitle = (f"{prefix}{row.namespace}/{row.name}  {row.ready} {row.status}  restarts {row.restarts}  "
                        f"age {row.age}  {row.node}")
        if subtitle != self._subtitle:  # setting it repaints the pane, the same or not
            self._subtitle = subtitle
            self.border_subtitle = Text(subtitle) if subtitle is not None else None

    def on_descendant_focus(self) -> None:
        self._show_selected()

    def on_descendant_blur(self) -> None:
        self._show_selected()

    def _render_title(self) -> None:
        counts = {lv: sum(v.counts.get(lv, 0) for v in self._views.values()) for lv in (Level.CRIT, Level.WARN, Level.OK)}
        parts = [f"{lv.symbol} {n} {lv.word}" for lv, n in counts.items() if n or lv is Level.OK]
        self.show_title(self.base_title, " — " + " · ".join(parts))
        worst = next((lv for lv in (Level.CRIT, Level.WARN) if counts[lv]), Level.OK)
        for level in Level:
            self.set_class(level == worst, f"-worst{level.css_class}")

    def _style(self, level: Level):
        return self.table.get_component_rich_style(f"pods-table-{level.css_class}", partial=True)

    def _render_deployments(self) -> None:
        rows = sorted((d for v in self._views.values() for d in v.deployments), key=lambda d: -d.level.severity_rank)
        self.deployments.display = bool(rows)
        text = Text("Deployments\n", style="bold")
        for dep in rows[:SHOWN_DEPLOYMENTS]:
            text.append(f"{dep.level.symbol} {dep.level.word:<4} ", style=self._style(dep.level))
            prefix = f"{dep.cluster}/" if self.several_clusters else ""
            text.append(f"{prefix}{dep.namespace}/{dep.name}  ")
            text.append(dep.summary())
            text.append("\n")
        if len(rows) > SHOWN_DEPLOYMENTS:
            rest = rows[SHOWN_DEPLOYMENTS:]
            text.append(f"… {len(rest)} more ({sum(d.level is Level.OK for d in rest)} OK)\n", style="dim")
        text.rstrip()  # in place
        show_text(self.deployments, text)

    def _render_events(self) -> None:
        rows = sorted((e for v in self._views.values() for e in v.events), key=lambda e: -e.count)
        self.events.display = True
        self.events.show(rows, self._style(Level.WARN))

    def on_warning_events_redraw(self, _: WarningEvents.Redraw) -> None:
        self.events.show(self.events.rows, self._style(Level.WARN))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a pod: where it runs, why it is in its state, its Warning events."""
        event.stop()
        row = self._rows.get(str(event.row_key.value))
        if row is None:
            return
        view = self._views.get(row.cluster)
        events = view.events_for(row.namespace, row.name) if view else []
        shown = self.last_good.get(row.cluster)
        self.app.push_screen(pod_detail(row, events, self.several_clusters, shown.fetched_at if shown else None, self.tz))

    # --- actions -----------------------------------------------------------------------
    def _collector(self, cluster: str) -> KubernetesCollector | None:
        return next((c for c in self.collectors if isinstance(c, KubernetesCollector) and c.name == cluster), None)

    def cluster_calls(self, cluster: str) -> KubeCalls | None:
        collector = self._collector(cluster)
        calls = collector.calls() if collector is not None else None
        if calls is None:
            self.notify(f"Cluster {cluster} is not connected yet", severity="warning", markup=False)
        return calls

    def actions_allowed(self, cluster: str) -> bool:
        collector = self._collector(cluster)
        return collector is not None and collector.target.allow_actions

    def deployment_rows(self) -> list[DeploymentRow]:
        """From the newest data, drawn or not: behind the Deployments dialog the pane's own
        routine redraws wait (BEHIND_DIALOG_EVERY), and a scale must show there at once."""
        views = dict(self._views)
        for snapshot in self.last_good.values():
            if snapshot.data is not None:
                views[snapshot.data.cluster] = snapshot.data
        return [d for v in views.values() for d in v.deployments]

    def _calls_for(self, row: PodRow | None, what: str) -> KubeCalls | None:
        """The selected pod's cluster client, or None with the reason said."""
        if row is None:
            self.notify(f"No pod selected: choose one for its {what}", severity="warning", markup=False)
            return None
        return self.cluster_calls(row.cluster)

    def action_deployments(self) -> None:
        """The deployments: describe, and (allow_actions) roll back, restart, scale."""
        from app.ui.panes.kubernetes_deployments import DeploymentsScreen

        self.app.push_screen(DeploymentsScreen(self, self.several_clusters))

    def action_logs(self) -> None:
        """The selected pod's logs (the crash-looping container's by default)."""
        row = self._selected_row()
        calls = self._calls_for(row, "logs")
        if row is not None and calls is not None:
            from app.ui.panes.kubernetes_logs import PodLogsScreen

            collector = self._collector(row.cluster)
            tail = collector.target.log_lines if collector is not None else 200
            self.app.push_screen(PodLogsScreen(calls, row.cluster, row.namespace, row.name, tail=tail))

    def action_describe(self) -> None:
        row = self._selected_row()
        calls = self._calls_for(row, "description")
        if row is not None and calls is not None:
            from app.ui.panes.kubernetes_describe import DescribeScreen

            self.app.push_screen(DescribeScreen(calls, row.cluster, "pod", row.namespace, row.name))

    def action_pin_pod(self) -> None:
        """Write the selected pod's status, last termination and recent events to the timeline."""
        row = self._selected_row()
        if row is None:
            self.notify("No pod selected, nothing to pin", severity="warning", markup=False)
            return
        view = self._views.get(row.cluster)
        events = view.events_for(row.namespace, row.name) if view else []
        recent = "; ".join(f"{e.count}× {e.reason}: {e.message} ({e.ago} ago)" for e in events[:3]) or "none"
        text = (f"pinned pod {row.cluster}/{row.namespace}/{row.name}: {row.level.word} {row.status}, ready {row.ready}, "
                f"restarts {row.restarts}, age {row.age}, node {row.node}; last termination: {row.last_termination}; "
                f"recent warning events: {recent}")
        shown, latest = self.last_good.get(row.cluster), self.latest.get(row.cluster)
        if shown is not None:
            text += f" (as of {shown.fetched_at.astimezone(self.tz):%H:%M:%S})"
        if latest is not None and latest.error is not None:
            text += f" [stale: {latest.error}]"  # the API server is away: this is the last we saw
        self.post_message(TimelineRequest(text, kind="observation"))  # the app confirms once durable
