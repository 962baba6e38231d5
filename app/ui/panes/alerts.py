"""AlertsPane: firing alerts from Alertmanager, one row per alertname (worst, then longest
firing, first), and the silences made during this incident. Enter shows a group in full;
p pins it; S silences it and E expires a silence (only with allow_silences: confirmed, logged).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static
from textual.worker import Worker

from app.collectors.alertmanager.model import AlertGroup, AlertsData, Silence, compact_labels
from app.collectors.base import Level, Snapshot, now_utc
from app.collectors.observations import Observer
from app.collectors.transitions import format_age
from app.ui.messages import TimelineRequest
from app.ui.panes.alerts_actions import expire_flow, silence_flow
from app.ui.panes.alerts_screens import AlertGroupScreen, cut
from app.ui.panes.base import LivePane
from app.ui.widgets.fit import FlexColumn, flex_text
from app.ui.widgets.keyed_table import KeyedTable

COLUMNS = (("level", "Level"), ("alert", "Alert"), ("since", "Since"), ("summary", "Summary"), ("labels", "Labels"))
SILENCE_COLUMNS = (("id", "Silence"), ("until", "Until"), ("matchers", "Matchers"), ("by", "By"))
LABELS_WIDTH = 40
"""The differing labels are cut here and go first when the pane is narrow: the summary takes
the room left (Enter has it all)."""


class AlertsTable(KeyedTable):
    """Level colours come from styles/alerts.tcss via component classes."""

    COMPONENT_CLASSES = KeyedTable.COMPONENT_CLASSES | {
        "alerts--ok", "alerts--warn", "alerts--crit", "alerts--unknown", "alerts--muted",
    }

    def style_for(self, name: str) -> Any:
        return self.get_component_rich_style(f"alerts--{name}", partial=True)


def since_text(at: datetime | None, now: datetime, tz: tzinfo | None) -> str:
    """'14:02 12m': when it began (local clock) and for how long."""
    if at is None:
        return "?"
    local = at.astimezone(tz)
    # Older than a day, a clock time alone would read as today's.
    shown = local.strftime("%H:%M") if now - at < timedelta(hours=20) else local.strftime("%b %d")
    return f"{shown} {format_age(now - at)}"


def title_counts(counts: dict[Level, int]) -> str:
    parts = [f"{lv.symbol} {counts[lv]} {lv.word}" for lv in (Level.CRIT, Level.WARN, Level.UNKNOWN, Level.OK) if counts.get(lv)]
    return " · ".join(parts) if parts else "✔ none firing"


class AlertsPane(LivePane[AlertsData]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "pin", "Pin alert group", id="alerts.pin"),
        Binding("S", "silence", "Silence group", id="alerts.silence"),
        Binding("E", "expire", "Expire silence", id="alerts.expire"),
    ]

    def __init__(self, collectors: list[Any], *, operator: str, title: str = "Alerts", tz: tzinfo | None = None,
                 observer: Observer | None = None, id: str | None = None) -> None:
        super().__init__(collectors, title=title, tz=tz, observer=observer, id=id)
        self.operator = operator
        self.base_title = title
        self.collector_by_name = {c.name: c for c in collectors}
        self.table = AlertsTable(cursor_type="row", zebra_stripes=False, id="alerts-table", classes="alerts-table")
        self.silence_table = AlertsTable(cursor_type="row", zebra_stripes=False, id="alerts-silences", classes="alerts-table")
        self._summary_column = FlexColumn(self.table, "summary", min_width=10)
        self._matchers_column = FlexColumn(self.silence_table, "matchers", min_width=10)
        self.groups: dict[str, tuple[str, AlertGroup]] = {}  # row key -> (alertmanager, group)
        self.data: dict[str, AlertsData] = {}  # last good data per alertmanager
        self.mine: dict[str, tuple[str, Silence | None]] = {}
        """Silences made or seen by this pane: id -> (alertmanager, last known silence)."""

    def compose(self) -> ComposeResult:
        yield self.compose_stale()
        yield Static("Waiting for Alertmanager…", id="alerts-empty", classes="alerts-note", markup=False)
        yield self.table
        yield Static("", id="alerts-silences-heading", classes="alerts-heading", markup=False)
        yield self.silence_table

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.table.add_column(label, key=key)
        for key, label in SILENCE_COLUMNS:
            self.silence_table.add_column(label, key=key)
        self.table.display = False
        self.silence_table.display = False
        self._show_silences()
        super().on_mount()

    def on_resize(self) -> None:
        self._summary_column.schedule()
        self._matchers_column.schedule()

    # -- rendering ----------------------------------------------------------------------------

    def render_snapshot(self, snapshot: Snapshot[AlertsData], last_good: Snapshot[AlertsData] | None) -> None:
        if snapshot.error is not None:
            if last_good is None:
                self._note(f"No data from {snapshot.name}: {snapshot.error}")
            return  # the last good rows stay; the stale line says since when
        if snapshot.data is None:
            return
        self.data[snapshot.name] = snapshot.data
        self._show_groups()
        self._show_silences()

    def _note(self, text: str) -> None:
        note = self.query_one("#alerts-empty", Static)
        note.update(Text(cut(text, 300)))
        note.display = True

    def _show_groups(self) -> None:
        now = now_utc()
        several = len(self.collectors) > 1
        rows: list[tuple[tuple[Any, ...], str, AlertGroup]] = []
        counts: dict[Level, int] = {}
        for name, data in self.data.items():
            for group in data.groups:
                rows.append(((group.suppressed, -group.level.severity_rank, group.since or now, group.alertname), name, group))
            for level, n in data.level_counts().items():
                counts[level] = counts.get(level, 0) + n
        rows.sort(key=lambda r: r[0])
        self.groups = {f"{name}\x1f{g.alertname}": (name, g) for _, name, g in rows}
        self.table.sync({key: self._cells(name, g, now, several) for key, (name, g) in self.groups.items()})
        self.table.display = bool(rows)
        self.show_title(self.base_title, f" · {title_counts(counts)}")
        if rows:
            self.query_one("#alerts-empty", Static).display = False
        else:
            self._note("No alerts firing." + ("" if all(not d.groups for d in self.data.values()) else ""))
        self._summary_column.schedule()

    def _cells(self, name: str, group: AlertGroup, now: datetime, several: bool) -> tuple[Text, ...]:
        firing, quiet = group.counts()
        if group.suppressed:
            inhibited = all(a.inhibited_by and not a.silenced_by for a in group.alerts)
            level = Text("◌ INHIBITED" if inhibited else "◌ SILENCED", style=self.table.style_for("muted"))
        else:
            level = Text(f"{group.level.symbol} {group.level.word}", style=self.table.style_for(group.level.css_class[1:]))
        alert = flex_text(cut(group.alertname or "(no alertname)", 40))
        count = firing or quiet
        if count > 1:
            alert.append(f" ×{count}", style="bold")
        if quiet and firing:
            alert.append(f" +{quiet} quiet", style=self.table.style_for("muted"))
        if several:
            alert.append(f" · {name}", style=self.table.style_for("muted"))
        labels = flex_text(cut(compact_labels(group), LABELS_WIDTH), self.table.style_for("muted"))
        return (level, alert, Text(since_text(group.since, now, self.tz)), flex_text(cut(group.summary, 500)), labels)

    def _show_silences(self) -> None:
        """Silences of this incident: made here, or whose comment names the open incident."""
        incident = self.incident_id()
        shown: dict[str, tuple[str, Silence]] = {}
        for name, data in self.data.items():
            for silence in data.silences:
                if silence.id in self.mine or (incident and incident in silence.comment):
                    shown[silence.id] = (name, silence)
                    self.mine[silence.id] = (name, silence)
        for silence_id, (name, known) in self.mine.items():
            if silence_id not in shown and known is not None and name not in self.data:
                shown[silence_id] = (name, known)  # made before that Alertmanager's first refresh
        now = now_utc()
        rows = {}
        for silence_id, (name, silence) in sorted(shown.items(), key=lambda kv: kv[1][1].ends_at or now):
            until = silence.ends_at
            until_text = f"{until.astimezone(self.tz).strftime('%H:%M')} (in {format_age(until - now)})" if until else "?"
            if silence.state == "pending":
                until_text += " pending"
            rows[f"{name}\x1f{silence_id}"] = (
                Text(silence_id[:8]), Text(until_text), flex_text(cut(silence.matchers_text, 300)),
                Text(cut(silence.created_by, 24), style=self.silence_table.style_for("muted")),
            )
        self.silence_table.sync(rows)
        self.silence_table.display = bool(rows)
        heading = self.query_one("#alerts-silences-heading", Static)
        if rows:
            heading.update(f"Silences of this incident: {len(rows)}" + ("  (E expires one)" if self._any_allowed() else ""))
        else:
            heading.update("Silences of this incident: none" + ("  (S silences a group)" if self._any_allowed() else ""))
        self._matchers_column.schedule()

    def _any_allowed(self) -> bool:
        return any(getattr(c, "allow_silences", False) for c in self.collectors)

    def incident_id(self) -> str | None:
        state = getattr(self.app, "state", None)
        return getattr(state, "id", None) if state is not None else None

    # -- selection ----------------------------------------------------------------------------

    def selected_group(self) -> tuple[str, AlertGroup] | None:
        key = self.table.selected_key
        return self.groups.get(key) if key is not None else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table is not self.table:
            return
        event.stop()
        chosen = self.groups.get(str(event.row_key.value))
        if chosen is not None:
            name, group = chosen
            data = self.data.get(name)
            self.app.push_screen(AlertGroupScreen(group, name, self.tz, data.url if data else ""))

    def action_pin(self) -> None:
        chosen = self.selected_group()
        if chosen is None:
            self.notify("No alert group selected.", severity="warning")
            return
        name, group = chosen
        from app.ui.panes.alerts_screens import pin_text

        latest = self.latest.get(name)
        stale = f" [stale: {latest.error}]" if latest is not None and latest.error is not None else ""
        self.post_request(pin_text(name, group, now_utc(), self.tz) + stale, "observation")

    # -- silences -----------------------------------------------------------------------------

    def _writable(self, name: str) -> Any:
        collector = self.collector_by_name.get(name)
        if collector is None or not getattr(collector, "allow_silences", False):
            self.notify(f"Read-only: silences are disabled for {name}. Set allow_silences: true for this "
                        "Alertmanager in the config to create and expire silences from here.",
                        title="Silences disabled", severity="warning", markup=False)
            return None
        return collector

    def action_silence(self) -> None:
        chosen = self.selected_group()
        if chosen is None:
            self.notify("Select an alert group to silence.", severity="warning")
            return
        name, group = chosen
        collector = self._writable(name)
        if collector is not None:
            worker: Worker[None] = self.run_worker(partial(silence_flow, self, collector, group), group="alerts-action", exclusive=True,
                            exit_on_error=False)

    def action_expire(self) -> None:
        key = self.silence_table.selected_key
        if key is None:
            self.notify("No silence of this incident to expire.", severity="warning")
            return
        name, _, silence_id = key.partition("\x1f")
        known = self.mine.get(silence_id)
        collector = self._writable(name)
        if collector is not None and known is not None and known[1] is not None:
            worker: Worker[None] = self.run_worker(partial(expire_flow, self, collector, known[1]), group="alerts-action", exclusive=True,
                            exit_on_error=False)

    def remember(self, name: str, silence: Silence | None, silence_id: str) -> None:
        """A silence just made: listed at once, before the next refresh brings it."""
        self.mine[silence_id] = (name, silence)
        data = self.data.get(name)
        if silence is not None and data is not None and all(s.id != silence_id for s in data.silences):
            from dataclasses import replace

            self.data[name] = replace(data, silences=(*data.silences, silence))
        self._show_silences()

    def forget(self, silence_id: str) -> None:
        self.mine.pop(silence_id, None)
        from dataclasses import replace

        for name, data in list(self.data.items()):
            self.data[name] = replace(data, silences=tuple(s for s in data.silences if s.id != silence_id))
        self._show_silences()

    def post_request(self, text: str, kind: str, extra: dict[str, Any] | None = None) -> None:
        self.post_message(TimelineRequest(text, kind, extra=extra or {}))
