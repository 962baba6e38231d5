"""The right half: header, countdowns, roles + checklist beside the timeline, entry line."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from app.config.roles import Role
from app.domain.actions import next_kind, parse_entry
from app.domain.events import EntryKind
from app.ui.incident.checklist import ChecklistTable
from app.ui.incident.countdowns import CountdownsPanel
from app.ui.incident.header import IncidentHeader
from app.ui.incident.roles import RolesTable
from app.ui.incident.timeline import KIND_LABEL, TimelineTable
from app.ui.widgets.filter_line import FilterLine, filter_suffix
from app.ui.widgets.keyed_table import KeyedTable
from app.ui.widgets.marks import SELECTED

TIMELINE_TITLE = "Timeline  (t write · x correct · z UTC)"


@dataclass
class EntrySubmitted(Message):
    """The scribe pressed Enter on the entry line. The line is already clear for the next
    entry; this one shows as pending until the app says it is durable."""

    kind: EntryKind
    text: str
    raw: str


class EntryInput(Input):
    BINDINGS = [
        Binding("escape", "leave", "Leave entry line", id="entry.leave"),
        Binding("ctrl+t", "cycle_kind", "Cycle kind", id="entry.kind"),
    ]

    async def _on_key(self, event: events.Key) -> None:
        # Enter is handled here, in key order. Left to the binding, it bubbles up to the
        # app and runs after the keys typed behind it were already inserted: fast typing
        # then merged two entries into one.
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()
            return
        await super()._on_key(event)

    async def action_submit(self) -> None:
        """Take the line and clear it in the same step: keys queued behind Enter belong to
        the next entry, never to this one."""
        raw = self.value
        panel = self.query_ancestor(IncidentPanel)
        kind, text = parse_entry(raw, panel.entry_kind)
        if not text:
            return
        self.value = ""
        panel.entry_kind = EntryKind.NOTE
        panel.show_kind()
        panel.post_message(EntrySubmitted(kind, text, raw))

    def action_leave(self) -> None:
        self.screen.query_one(TimelineTable).focus()

    def action_cycle_kind(self) -> None:
        panel = self.screen.query_one(IncidentPanel)
        panel.entry_kind = next_kind(panel.entry_kind)
        panel.show_kind()


class SectionTitle(Label):
    """A heading of the incident half; ▶ before it while its part has the focus."""

    def __init__(self, text: str, *, id: str | None = None) -> None:
        super().__init__(text, id=id, classes="section-title", markup=False)
        self.text = text
        self.marked = False

    def update(self, content="", *, layout: bool = True) -> None:
        self.text = str(content)
        super().update(Text(f"{SELECTED} " if self.marked else "") + Text(self.text), layout=layout)

    def mark(self, marked: bool) -> None:
        if marked != self.marked:
            self.marked = marked
            self.set_class(marked, "-focused")
            self.update(self.text)


class IncidentPanel(Vertical):
    def __init__(self, roles: list[Role], tz=None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.roles = roles
        self.tz = tz
        self.entry_kind = EntryKind.NOTE
        self._pending: dict[int, str] = {}  # ticket -> the line as typed, until durable
        self._queued: set[int] = set()  # of those, the ones kept in the outbox: store out of reach

    def compose(self) -> ComposeResult:
        yield IncidentHeader(id="incident-header")
        yield CountdownsPanel(id="countdowns")
        with Horizontal(id="incident-body"):
            with Vertical(id="incident-side"):
                yield SectionTitle("Roles  (r assign)", id="roles-title")
                yield RolesTable(self.roles, id="roles")
                yield SectionTitle("Checklist  (c, then Space/Enter)", id="checklist-title")
                yield ChecklistTable(id="checklist")
            with Vertical(id="timeline-box"):
                yield SectionTitle(TIMELINE_TITLE, id="timeline-title")
                yield FilterLine(id="timeline-filter")
                yield TimelineTable(self.tz, id="timeline")
                yield Static("", id="entry-pending", markup=False)
                with Horizontal(id="entry-line"):
                    yield Label(self._kind_text(self.entry_kind), id="entry-kind")
                    yield EntryInput(placeholder="t: write an entry — ! decision  > action  ? observation", id="entry")

    def on_mount(self) -> None:
        # The screen's focus, not focus events: focus given back when a dialog closes sends none.
        self.watch(self.screen, "focused", self._mark_focused)

    def _mark_focused(self, focused=None) -> None:
        for title in self.query(SectionTitle):
            part = {"roles-title": "roles", "checklist-title": "checklist", "timeline-title": "timeline"}.get(title.id or "")
            title.mark(focused is not None and focused.id == part)

    @staticmethod
    def _kind_text(kind: EntryKind) -> Text:
        # The timeline's own words: "communication" would not fit the 10 cells here.
        return Text(f"{KIND_LABEL.get(kind.value, kind.value):>8} ")

    def show_kind(self) -> None:
        """The kind the line will be saved as: a typed prefix (`!` decision) wins over Ctrl+T's."""
        entry = self.query("#entry").results(EntryInput)
        line = next(entry, None)
        kind = parse_entry(line.value, self.entry_kind)[0] if line is not None else self.entry_kind
        for label in self.query("#entry-kind").results(Label):
            label.update(self._kind_text(kind))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "entry":
            self.show_kind()
        elif event.input.id == "timeline-filter":
            self.query_one(TimelineTable).filter_to(event.value)
            self.show_timeline_filter()

    def on_keyed_table_filtered(self, _: KeyedTable.Filtered) -> None:
        self.show_timeline_filter()

    def show_timeline_filter(self) -> None:
        """The timeline's heading says what it is filtered to, and how many entries show."""
        timeline = self.query_one(TimelineTable)
        row_filter = timeline.row_filter
        title = self.query_one("#timeline-title", SectionTitle)
        suffix = filter_suffix(row_filter.query, timeline.row_count, timeline.total_rows) if row_filter else Text()
        title.update(f"{TIMELINE_TITLE}{suffix.plain}")

    # --- entries on their way to the store ------------------------------------------------
    def entry_pending(self, ticket: int, raw: str) -> None:
        self._pending[ticket] = raw
        self._show_pending()

    def entry_queued(self, ticket: int) -> None:
        """Kept on this machine until the store is back: said, not hidden behind "saving"."""
        if ticket in self._pending:
            self._queued.add(ticket)
            self._show_pending()

    @property
    def pending_tickets(self) -> set[int]:
        return set(self._pending)

    def entry_saved(self, ticket: int) -> None:
        """Durable: its row is in the timeline now."""
        self._queued.discard(ticket)
        if self._pending.pop(ticket, None) is not None:
            self._show_pending()

    def entry_failed(self, ticket: int) -> str | None:
        """Not saved: the text comes back to the line (or stays listed) so nothing is lost."""
        raw = self._pending.pop(ticket, None)
        self._queued.discard(ticket)
        self._show_pending()
        if raw is None:
            return None
        entry = self.query_one("#entry", EntryInput)
        entry.value = raw if not entry.value else f"{raw} {entry.value}"
        return raw

    def _show_pending(self) -> None:
        box = self.query_one("#entry-pending", Static)
        box.set_class(bool(self._pending), "-shown")
        if not self._pending:
            box.update("")
            return
        queued = [text for ticket, text in self._pending.items() if ticket in self._queued]
        saving = [text for ticket, text in self._pending.items() if ticket not in self._queued]
        lines = []
        for mark, texts in (("⇡ not yet shared ", queued), ("⧗ saving ", saving)):
            if texts:
                line = Text(mark, style="bold")
                line.append(" ".join(texts[-1].split())[:200])
                if len(texts) > 1:
                    line.append(f"  (+{len(texts) - 1} more)", style="dim")
                lines.append(line)
        box.update(Text("\n").join(lines))

    @property
    def pending_count(self) -> int:
        return len(self._pending)
