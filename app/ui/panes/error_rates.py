"""ErrorRatesPane: one table row per error-rate series, updated in place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable

from app.collectors.base import Collector, Level, Snapshot
from app.collectors.error_rates.model import ErrorRateData, ErrorRateRow, format_thresholds, format_value, row_text
from app.collectors.observations import Observer
from app.ui.messages import TimelineRequest
from app.ui.panes.base import LivePane
from app.ui.panes.details import error_rate_detail
from app.ui.widgets.fit import FlexColumn
from app.ui.widgets.keyed_table import KeyedTable
from app.ui.widgets.sparkline import sparkline

SPARK_WIDTH = 10
COLUMNS = (("level", "Level"), ("name", "Error rate"), ("value", "Value"), ("trend", "Trend"), ("limits", "Warn / crit"))


class ErrorRatesTable(KeyedTable):
    """The table; level colours come from styles/error_rates.tcss via component classes."""

    COMPONENT_CLASSES = KeyedTable.COMPONENT_CLASSES | {
        "error-rates--ok",
        "error-rates--warn",
        "error-rates--crit",
        "error-rates--unknown",
        "error-rates--muted",
    }

    def level_style(self, level: Level):
        return self.get_component_rich_style(f"error-rates-{level.css_class}", partial=True)

    def muted_style(self):
        return self.get_component_rich_style("error-rates--muted", partial=True)


@dataclass(frozen=True)
class ShownRow:
    """What a table row currently shows, for pinning it to the timeline."""

    collector: str
    row: ErrorRateRow
    data: ErrorRateData
    fetched_at: datetime


class ErrorRatesPane(LivePane[ErrorRateData]):
    BINDINGS = [Binding("p", "pin", "Pin rate", id="error_rates.pin")]

    def __init__(
        self,
        collectors: list[Collector[ErrorRateData]],
        *,
        title: str = "Error rates",
        tz: tzinfo | None = None,
        observer: Observer | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(collectors, title=title, tz=tz, observer=observer, id=id)
        self.table = ErrorRatesTable(cursor_type="row", zebra_stripes=False, id="error-rates-table")
        # Long series labels give way (cut with …) so the value never scrolls off.
        self._name_column = FlexColumn(self.table, "name", min_width=12, keep_after=1)
        self.shown: dict[str, ShownRow] = {}
        # collector -> row id -> cells, each collector's rows in the order it gave them
        self._rows_by_collector: dict[str, dict[str, tuple[Text, ...]]] = {}

    def compose(self) -> ComposeResult:
        yield self.compose_stale()
        yield self.table

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.table.add_column(label, key=key)
        # One placeholder row per collector so the pane has its shape before data arrives.
        for collector in self.collectors:
            self._rows_by_collector[collector.name] = {self._row_id(collector.name, ""): (
                Text("… wait", style=self.table.muted_style()),
                Text(collector.name),
                Text("…"),
                Text(""),
                Text(""),
            )}
        self._sync()
        super().on_mount()

    @staticmethod
    def _row_id(collector: str, key: str) -> str:
        return f"{collector}\x1f{key}"

    def render_snapshot(self, snapshot: Snapshot[ErrorRateData], last_good: Snapshot[ErrorRateData] | None) -> None:
        data = snapshot.data
        if snapshot.error is not None:
            if last_good is None:
                # Never had data: say why in the row itself rather than show nothing.
                row = ErrorRateRow("", "", None, Level.UNKNOWN, snapshot.error)
                fallback = data or ErrorRateData("ratio", None, None, "", "", ())
                self._show_rows(snapshot, fallback, (row,))
            # Otherwise keep the last good rows; the base class shows the stale line.
            return
        if data is None:
            return
        self._show_rows(snapshot, data, data.rows)

    def _show_rows(self, snapshot: Snapshot, data: ErrorRateData, rows: tuple[ErrorRateRow, ...]) -> None:
        cells = {}
        for row in rows:
            row_id = self._row_id(snapshot.name, row.key)
            self.shown[row_id] = ShownRow(snapshot.name, row, data, snapshot.fetched_at)
            cells[row_id] = self._row_cells(snapshot.name, row, data, series=len(rows) > 1)
        for row_id in self._rows_by_collector.get(snapshot.name, {}).keys() - cells.keys():
            self.shown.pop(row_id, None)
        self._rows_by_collector[snapshot.name] = cells
        self._sync()

    def _sync(self) -> None:
        """Rows in config order, each collector's series in the order it gave them (by labels)."""
        self.table.sync({row_id: cells for rows in self._rows_by_collector.values() for row_id, cells in rows.items()})
        self._name_column.schedule()

    def _row_cells(self, name: str, row: ErrorRateRow, data: ErrorRateData, *, series: bool = False) -> tuple[Text, ...]:
        level = Text(f"{row.level.symbol} {row.level.word}", style=self.table.level_style(row.level))
        title = Text(no_wrap=True, overflow="ellipsis")
        if series and row.labels:
            # Several series of one query differ only in their labels: those go first, so a
            # narrow column cuts the repeated name, not what tells the rows apart.
            title.append(compact_labels(row.labels))
            title.append(f" · {name}", style=self.table.muted_style())
        else:
            title.append(name)
            if row.labels:
                title.append(" ")
                title.append(compact_labels(row.labels), style=self.table.muted_style())
        if row.value is None:
            value = Text(_shorten(row.note or "no data"), style=self.table.muted_style())
        else:
            value = Text(format_value(row.value, data.unit), style=self.table.level_style(row.level))
            if row.note and row.note != value.plain:
                value.append(f" {_shorten(row.note)}", style=self.table.muted_style())
        limits = Text(_limits(data), style=self.table.muted_style())
        trend = Text(sparkline(list(row.history), SPARK_WIDTH, floor=0).rjust(SPARK_WIDTH))  # its width fixed: no layout as it fills
        return (level, title, value, trend, limits)

    def on_resize(self) -> None:
        self._name_column.schedule()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a series: its labels, value, thresholds and query (q / Esc back)."""
        event.stop()
        shown = self.shown.get(str(event.row_key.value))
        if shown is None:
            self.notify("No data on this row yet", severity="warning")
            return
        latest = self.latest.get(shown.collector)
        stale = latest.error if latest is not None else None
        self.app.push_screen(error_rate_detail(shown.collector, shown.row, shown.data, shown.fetched_at, stale, self.tz))

    def action_pin(self) -> None:
        """Pin the selected row's current state into the timeline."""
        key = self.table.selected_key
        if key is None:
            return
        shown = self.shown.get(key)
        if shown is None:
            self.notify("No data on this row yet", severity="warning")
            return
        row, data = shown.row, shown.data
        text = f"{shown.collector} {row.labels}".strip() + f" {row.level.word}: {row_text(row, data.unit)}"
        limits = format_thresholds(data.warn, data.crit, data.unit)
        at = shown.fetched_at.astimezone(self.tz).strftime("%H:%M:%S")
        text += f" ({limits}; as of {at})" if limits else f" (as of {at})"
        latest = self.latest.get(shown.collector)
        if latest is not None and latest.error is not None:
            text += f" [stale: {latest.error}]"
        self.post_message(TimelineRequest(text, "observation"))  # the app confirms once durable


def _limits(data: ErrorRateData) -> str:
    """'1% / 5%' for the narrow column; a missing threshold is '–'."""
    if data.warn is None and data.crit is None:
        return ""
    warn = format_value(data.warn, data.unit) if data.warn is not None else "–"
    crit = format_value(data.crit, data.unit) if data.crit is not None else "–"
    return f"{warn} / {crit}"


_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
_BARE_VALUE = re.compile(r"[\w.:/@+-]*")


def compact_labels(labels: str) -> str:
    """'{code="500",job="api"}' -> 'code=500 job=api' (quotes kept where a value needs them)."""
    name, brace, rest = labels.partition("{")
    if not brace:
        return labels
    pairs = [f"{k}={v}" if _BARE_VALUE.fullmatch(v) else f'{k}="{v}"' for k, v in _LABEL.findall(rest)]
    return " ".join(([name] if name else []) + pairs)


def _shorten(text: str, limit: int = 32) -> str:
    """Keep long Prometheus errors from pushing the other columns off screen (pin has it all)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
