"""PostgresPane: per database a summary line, the lock tree (root blockers first) and the
long-running table. Enter opens a backend; C / K cancel / terminate (kill) (only with allow_actions);
p pins the lock tree to the timeline.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowKey

from app.collectors.base import Collector, Level, Snapshot
from app.collectors.locktree import Backend, format_seconds, lock_tree_lines
from app.collectors.observations import Observer
from app.collectors.postgres import PostgresCollector, PostgresStatus, mask_dsn
from app.ui.messages import TimelineRequest
from app.ui.panes.base import LivePane
from app.ui.widgets.fit import FlexColumn, flex_text
from app.ui.widgets.keyed_table import KeyedTable
from app.ui.widgets.quiet import show_text
from app.ui.panes.postgres_screens import BackendDetailScreen, ConfirmActionScreen

BAR_WIDTH = 12
# The query before the columns a reader needs least: where the pane is wide enough for some
# query text, those give way whole (FlexColumn) instead of leaving the query four letters.
LOCK_COLUMNS = [("pid", "Pid"), ("wait", "Waited"), ("mode", "Lock"), ("relation", "On"), ("query", "Query"), ("user", "User")]
LONG_COLUMNS = [("pid", "Pid"), ("duration", "For"), ("state", "State"), ("user", "User"), ("app", "App"),
                ("query", "Query"), ("client", "Client"), ("wait", "Wait")]
QUERY_MIN = 24


def usage_bar(pct: float, width: int = BAR_WIDTH) -> str:
    filled = max(0, min(width, round(pct / 100 * width)))
    return "█" * filled + "░" * (width - filled)


def summary_text(name: str, level: Level, status: PostgresStatus, width: int | None = None) -> Text:
    """One line when it fits; otherwise broken between phrases, never inside one
    ("longest 1m13s (pid" / "29968)" reads badly)."""
    longest = status.longest
    phrases = [
        Text.assemble((f"{level.symbol} {level.word} ", "bold"), name),
        Text(f"[{usage_bar(status.used_pct)}] {status.total}/{status.max_connections} ({status.used_pct:.0f}%)"),
        Text(f"waiting {status.waiting}" + (f" ({format_seconds(status.longest_wait_s)})" if status.lock_tree.nodes else "")),
        Text(f"longest {format_seconds(longest.duration_s)} (pid {longest.pid})" if longest else "longest -"),
        Text(f"ungranted locks {status.ungranted_locks}"),
    ]
    text = Text(style="bold")
    line = 0
    for i, phrase in enumerate(phrases):
        if i:
            if width is not None and line + 2 + len(phrase) > width:
                text.append("\n")
                line = 0
            else:
                text.append("  ")
                line += 2
        text.append_text(phrase)
        line += len(phrase)
    return text


class DatabaseView(Vertical):
    """One watched database inside the pane."""

    def __init__(self, collector: PostgresCollector, index: int) -> None:
        super().__init__(id=f"pg-db-{index}", classes="pg-db")
        self.collector = collector
        self.status: PostgresStatus | None = None
        self._summary: tuple[Level, PostgresStatus] | None = None
        self._flex: list[FlexColumn] = []

    def compose(self) -> ComposeResult:
        yield Static(f"? UNKNOWN {self.collector.name}  connecting…", classes="pg-summary -unknown", markup=False)
        yield Static("Lock tree: none", classes="pg-heading pg-locks-heading", markup=False)
        locks = KeyedTable(classes="pg-locks", cursor_type="row", zebra_stripes=False)
        locks.add_columns(*[(label, key) for key, label in LOCK_COLUMNS])
        yield locks
        yield Static("Long-running: none", classes="pg-heading pg-long-heading", markup=False)
        long = KeyedTable(classes="pg-long", cursor_type="row")
        long.add_columns(*[(label, key) for key, label in LONG_COLUMNS])
        yield long
        # The query gives way (cut with …) so pid, wait and lock stay on screen.
        self._flex = [FlexColumn(locks, "query", min_width=QUERY_MIN), FlexColumn(long, "query", min_width=QUERY_MIN)]

    def on_resize(self) -> None:
        if self._summary is not None:
            self._show_summary(*self._summary)
        for column in self._flex:
            column.schedule()

    def _show_summary(self, level: Level, status: PostgresStatus) -> None:
        summary = self.query_one(".pg-summary", Static)
        show_text(summary, summary_text(self.collector.name, level, status, self.content_size.width or None))
        summary.set_classes(f"pg-summary {level.css_class}")

    def show(self, snapshot: Snapshot[PostgresStatus], last_good: Snapshot[PostgresStatus] | None) -> None:
        summary = self.query_one(".pg-summary", Static)
        self.set_class(snapshot.error is not None, "-stale")
        source = snapshot if snapshot.error is None else last_good
        if source is None:
            show_text(summary, Text(f"{snapshot.level.symbol} {snapshot.level.word} {self.collector.name}  no data yet"))
            summary.set_classes(f"pg-summary {snapshot.level.css_class}")
            return
        status = source.data
        if status is None:
            return
        self.status = status
        self._summary = (source.level, status)
        self._show_summary(source.level, status)
        self._fill_locks(status)
        self._fill_long(status)
        for column in self._flex:
            column.schedule()

    def _fill_locks(self, status: PostgresStatus) -> None:
        table = self.query_one(".pg-locks", KeyedTable)
        nodes = status.lock_tree.nodes
        roots = len(status.lock_tree.roots)
        heading = f"Lock tree: {roots} root blocker(s), {len(nodes) - roots} waiting" if nodes else "Lock tree: no lock waits"
        show_text(self.query_one(".pg-locks-heading", Static), heading)
        rows = []
        for node in nodes:
            b = node.backend
            if node.is_root:
                pid = Text(f"● {b.pid} ROOT", style="bold")
                wait, mode, relation = f"xact {format_seconds(b.xact_s)}", b.activity, f"blocks {node.waiters_below}"
            else:
                pid = Text("  " * (node.depth - 1) + f"└ {b.pid}")
                wait, mode, relation = format_seconds(b.wait_s), b.lock_mode, b.lock_target
                if node.also_blocked_by:  # listed once, under its first blocker: name the others
                    relation += " (also " + ", ".join(str(p) for p in node.also_blocked_by) + ")"
            rows.append((str(b.pid), (pid, wait, *_literal(mode, relation), flex_text(b.preview()), *_literal(b.user))))
        _refill(table, rows)

    def _fill_long(self, status: PostgresStatus) -> None:
        table = self.query_one(".pg-long", KeyedTable)
        threshold = format_seconds(self.collector.target.long_running.total_seconds())
        count = len(status.long_running)
        show_text(self.query_one(".pg-long-heading", Static),
                  f"Long-running (over {threshold}): {count}" if count else f"Long-running (over {threshold}): none")
        rows = [
            (str(b.pid), (str(b.pid), format_seconds(b.duration_s), *_literal(b.state, b.user, b.application),
                          flex_text(b.preview()), *_literal(b.client, b.wait)))
            for b in status.long_running
        ]
        _refill(table, rows)

    def backend(self, pid: int) -> Backend | None:
        return self.status.backends.get(pid) if self.status else None


def _literal(*values: str) -> tuple[Text, ...]:
    """DataTable reads a str cell as markup; names and states come from the server: Text."""
    return tuple(Text(value) for value in values)


def _pid(row_key: RowKey) -> int:
    """Backend rows are keyed by their pid."""
    assert row_key.value is not None
    return int(row_key.value)


def _refill(table: KeyedTable, rows: list[tuple[str, tuple]]) -> None:
    """Show exactly these rows (keyed by pid): the cursor stays on the same backend."""
    table.sync(dict(rows))
    table.display = bool(rows)


class PostgresPane(LivePane[PostgresStatus]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("C", "signal(False)", "Cancel query", id="postgres.cancel"),
        Binding("K", "signal(True)", "Terminate (kill)", id="postgres.terminate"),
        Binding("p", "pin", "Pin lock tree", id="postgres.pin"),
    ]

    def __init__(
        self,
        collectors: list[PostgresCollector],
        *,
        operator: str,
        title: str = "PostgreSQL",
        tz: tzinfo | None = None,
        observer: Observer | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(collectors, title=title, tz=tz, observer=observer, id=id)
        self.operator = operator
        """Named in the timeline entry of every cancel / terminate."""
        self._views = {c.name: DatabaseView(c, i) for i, c in enumerate(collectors)}

    def compose(self) -> ComposeResult:
        yield self.compose_stale()
        yield from self._views.values()

    def render_snapshot(self, snapshot: Snapshot[PostgresStatus], last_good: Snapshot[PostgresStatus] | None) -> None:
        view = self._views.get(snapshot.name)
        if view is not None:
            view.show(snapshot, last_good)

    # -- selection -------------------------------------------------------------------------

    def _selected(self) -> tuple[DatabaseView, Backend, DataTable] | None:
        focused = self.app.focused
        for view in self._views.values():
            for table in view.query(DataTable):
                if table is focused and table.row_count:
                    pid = _pid(table.coordinate_to_cell_key(table.cursor_coordinate).row_key)
                    backend = view.backend(pid)
                    return (view, backend, table) if backend else None
        # nothing focused in a table: the first root blocker anywhere
        for view in self._views.values():
            if view.status and view.status.lock_tree.nodes:
                table = view.query_one(".pg-locks", DataTable)
                return view, view.status.lock_tree.nodes[0].backend, table
        return None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        for view in self._views.values():
            if event.data_table in view.query(DataTable).nodes:
                backend = view.backend(_pid(event.row_key))
                if backend is not None:
                    self.app.push_screen(BackendDetailScreen(backend, view.collector.name))
                return

    # -- actions ---------------------------------------------------------------------------

    def action_signal(self, terminate: bool) -> None:
        what = "terminate" if terminate else "cancel"
        selected = self._selected()
        if selected is None:
            self.notify(f"Nothing to {what}: select a backend in the lock tree or long-running table.", severity="warning")
            return
        view, backend, table = selected
        if not view.collector.allow_actions:
            self.notify(
                f"Read-only: actions are disabled for {view.collector.name}. "
                "Set allow_actions: true for this database in the config to allow cancel / terminate.",
                title="Action disabled", severity="warning", markup=False,
            )
            return
        self._run_signal(view, backend, terminate)

    @work(group="postgres-action", exclusive=True, exit_on_error=False)
    async def _run_signal(self, view: DatabaseView, backend: Backend, terminate: bool) -> None:
        name = view.collector.name
        candidates: list[tuple[Backend, str]] = []
        root_pids = view.status.lock_tree.roots_above(backend.pid) if view.status else []
        roots = [root for root in map(view.backend, root_pids) if root is not None]
        for root in roots:
            if len(root_pids) == 1:
                note = f"Backend {backend.pid} is waiting behind root blocker {root.pid}: acting on the root frees the whole chain."
            else:
                note = (f"Backend {backend.pid} is waiting behind root blockers {', '.join(map(str, root_pids))}: "
                        f"acting on {root.pid} alone does not free it.")
            candidates.append((root, note))
        if roots:
            candidates.append((backend, "Root blocker declined; this is the backend you selected."))
        else:
            candidates.append((backend, ""))
        for target, note in candidates:
            confirmed = await self.app.push_screen_wait(
                ConfirmActionScreen(target, terminate=terminate, database_name=name, note=note)
            )
            if confirmed:
                await self._signal(view, target, terminate)
                return

    async def _signal(self, view: DatabaseView, target: Backend, terminate: bool) -> None:
        result = await view.collector.signal(target.pid, target.backend_start, terminate=terminate)
        operator = self.operator
        outcome = "done" if result.ok else "FAILED"
        text = (
            f"PostgreSQL {view.collector.name}: {result.action} backend {target.pid} "
            f"(user {target.user or '?'}, {target.state} for {format_seconds(target.duration_s)}, "
            f"query: {target.preview(200)}) by {operator}: {outcome}: {result.message}"
        )
        self.post_message(TimelineRequest(text, kind="action"))
        self.notify(result.message, severity="information" if result.ok else "error", markup=False)

    def action_pin(self) -> None:
        pinned = 0
        for view in self._views.values():
            if view.status is None:
                continue
            lines = lock_tree_lines(view.status.lock_tree) or ["no lock waits"]
            header = f"PostgreSQL {view.collector.name} lock tree ({view.status.ungranted_locks} ungranted locks):"
            self.post_message(TimelineRequest("\n".join([header, *lines]), kind="observation"))
            pinned += 1
        if not pinned:  # else the app confirms once durable
            self.notify("No data yet to pin.", severity="warning")

    def describe_target(self, name: str) -> str:
        view = self._views[name]
        return mask_dsn(view.collector.target.dsn)
