"""The warroom App: live panes on the left, the incident panel on the right.

The app renders and routes keys; it never waits on the store. Every incident command goes
to the IncidentSession (app/incident/session.py), which writes on its own thread and posts
results back as SessionPosted messages; the screen shows an event only once it is durable.
The commander's dialogs are in app/ui/incident_flows.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.driver import Driver
from textual.events import DescendantFocus, Resize
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Header, Input, Label, TextArea
from textual.worker import Worker, WorkerState

from app.config import Config
from app.domain.clock import Clock, SystemClock
from app.domain.incident import IncidentState
from app.domain.timers import incident_countdowns
from app.incident import Command, IncidentCore, LogEntry, ToggleChecklist
from app.incident.commands import KINDS
from app.incident import results as r
from app.incident.session import IncidentSession
from app.store import IncidentStore
from app.store.base import Presence
from app.store.outbox import outbox_for as team_outbox
from app.ui import notices, team
from app.ui.dashboard_screen import DashboardScreen
from app.ui.failures import crash_line, report_failed_worker
from app.ui.incident.checklist import ChecklistTable, ChecklistToggle
from app.ui.incident.countdowns import CountdownsPanel
from app.ui.incident.header import IncidentHeader
from app.ui.incident.milestone_offer import offer_linked_milestone
from app.ui.incident.panel import EntryInput, EntrySubmitted, IncidentPanel
from app.ui.incident.roles import RolesTable
from app.ui.incident.timeline import TimelineTable
from app.ui.deadline_watch import DeadlineWatch
from app.ui.incident_flows import IncidentFlows
from app.ui.bindings import APP_BINDINGS
from app.ui.focus import focus_pane, focus_timeline, key_allowed
from app.ui.footer import FittedFooter, give_dialogs_footers
from app.ui.keys import WarroomCommands, key_sections
from app.ui.live import LiveArea
from app.ui.live_levels import LiveLevels
from app.ui.panes.health import HealthPane
from app.ui.messages import SessionPosted, SnapshotArrived, TimelineRequest
from app.ui.panes.base import LivePane
from app.ui.screens.help import HelpScreen
from app.ui.status_strip import StatusStrip
from app.ui.styles import css_paths

NARROW_BELOW = 100  # columns: below this the live half and the incident half take turns
WIDE_FROM = 160  # columns: from here roles + checklist sit beside the timeline
SHORT_BELOW = 32  # rows: below this roles + checklist are a view of their own (c / t)


class WarroomApp(App[None]):
    TITLE = "warroom"
    CSS_PATH = css_paths()
    # Keys start at the timeline: the first Tab stop (a table) would otherwise take them, and
    # a cursor nobody chose would decide which role `r` starts on.
    AUTO_FOCUS = "#timeline"
    BINDINGS = list[BindingType](APP_BINDINGS)  # app/ui/bindings.py: footer order, and why they are priority keys

    state: reactive[IncidentState | None] = reactive(None, always_update=True, init=False)
    """The incident on screen: our own fold, fed by the session's messages."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return key_allowed(self, action)  # app/ui/focus.py: fields, dialogs and panes first

    def __init__(self, config: Config, store: IncidentStore, clock: Clock | None = None) -> None:
        super().__init__()
        self.config = config
        self.clock = clock or SystemClock()
        self.tz = config.tzinfo()
        self.core = IncidentCore(store, config, clock=self.clock)
        self.session = IncidentSession(self.core, lambda result: self.post_message(SessionPosted(result)), outbox=team_outbox(store))
        self.team_present: list[Presence] = []
        # Mounted live panes, whose routine refreshes refresh_clock draws (panes/base.py).
        self.paced_live_panes: dict[LivePane, None] = {}
        self.flows = IncidentFlows(self)
        self.live_levels = LiveLevels(lambda: (c for pane in self.query(LivePane) for c in pane.collectors))
        self._checklist_severity: str | None = None
        # A lambda for the bell: a subclass (the tests' RecordingApp) counts rings instead.
        self.deadlines = DeadlineWatch(config, lambda: self.bell(), self.session.log_due_escalations)
        self._entry_tickets: set[int] = set()
        self._pin_tickets: dict[int, str] = {}  # a pane's pin: say "logged" once durable
        self._crash_line: str | None = None

    @property
    def store(self) -> IncidentStore:
        return self.core.store

    # --- layout ------------------------------------------------------------------------
    def get_default_screen(self) -> Screen:
        return DashboardScreen(id="_default")

    def get_driver_class(self) -> type[Driver]:
        default = super().get_driver_class()
        if default.__module__ == "textual.drivers.linux_driver":  # not Windows, nor a TEXTUAL_DRIVER
            from app.ui.quiet_driver import QuietLinuxDriver  # (termios: imported where it exists)
            return QuietLinuxDriver
        return default

    def compose(self) -> ComposeResult:
        yield Header()
        # Outside #main: it stays whichever half is shown, at every size.
        yield StatusStrip(id="status-strip")
        with Horizontal(id="main"):
            yield LiveArea(self.config, id="live")
            yield IncidentPanel(self.config.roles, self.tz, id="incident")
        yield FittedFooter()

    def on_mount(self) -> None:
        # Kept, not queried: timers fire while a modal is on top, or while shutting down.
        self.main_screen = self.screen
        self.timeline = self.query_one(TimelineTable)
        self.roles_table = self.query_one(RolesTable)
        self.checklist = self.query_one(ChecklistTable)
        self.header_widget = self.query_one(IncidentHeader)
        self.countdowns_panel = self.query_one(CountdownsPanel)
        self.panel = self.query_one(IncidentPanel)
        self.checklist_title = self.panel.query_one("#checklist-title", Label)
        self.status_strip = self.query_one(StatusStrip)
        self._apply_size(self.size.width, self.size.height)
        give_dialogs_footers(self)
        self.session.start()  # follows other terminals on a thread of its own
        self.set_interval(1.0, self.refresh_clock)
        self.refresh_clock()
        self.session.list_incidents("start")

    def on_unmount(self) -> None:
        # Entries typed just before quitting are written before the process ends.
        self.session.close()

    def on_resize(self, event: Resize) -> None:
        self._apply_size(event.size.width, event.size.height)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # A steady cursor: a blinking one repaints its field (and what lies under a dialog)
        # twice a second for as long as the field has focus - most of an idle dialog's CPU.
        if isinstance(event.widget, (Input, TextArea)):
            event.widget.cursor_blink = False

    def _apply_size(self, width: int, height: int) -> None:
        screen = getattr(self, "main_screen", None)
        if screen is None:  # a resize can arrive before mount
            return
        screen.set_class(width < NARROW_BELOW, "-narrow")
        screen.set_class(width >= WIDE_FROM, "-wide")
        screen.set_class(height < SHORT_BELOW, "-short")
        self.refresh_bindings()  # w does something only in the narrow view

    # --- rendering ---------------------------------------------------------------------
    def watch_state(self, state: IncidentState | None) -> None:
        """A whole incident arrived (loaded, opened, switched to): render all of it."""
        self.sub_title = state.id if state else ""
        self.deadlines.reset()
        self.timeline.load(state)
        self.refresh_panel(rebuild_checklist=True)

    def required_unfilled(self, state: IncidentState | None) -> dict[str, str]:
        """Roles the incident's severity requires that nobody holds, with that severity."""
        if state is None or not state.is_open:
            return {}
        return {r.name: state.severity for r in self.config.unfilled_roles(state.severity, state.roles)}

    def refresh_panel(self, *, rebuild_checklist: bool = False) -> None:
        state = self.state
        unfilled = self.required_unfilled(state)
        self.roles_table.show(state, unfilled)
        self.status_strip.show_unfilled(list(unfilled))
        checklist = self.checklist
        if rebuild_checklist or (state and state.severity != self._checklist_severity):
            self._checklist_severity = state.severity if state else None
            checklist.set_items(self.config.checklist_for(self._checklist_severity) if state else [], state)
        else:
            checklist.show(state)
        done, total = checklist.done_count
        self.checklist_title.update(f"Checklist {done}/{total}  (c, then Space/Enter)")
        team.refresh_presence(self)
        self.refresh_clock()

    def refresh_clock(self) -> None:
        """Each second: elapsed time and countdowns from the injected clock."""
        now = self.clock.now()
        state = self.state
        self.header_widget.show(state, now, self.tz)
        items = []
        if state is not None:
            items = incident_countdowns(self.config, state, now)
        self.countdowns_panel.show(items, self.tz)
        self.status_strip.show(state, now, items)
        self.deadlines.tick(state, items)
        for pane in tuple(self.paced_live_panes):
            pane.draw_waiting()  # in this second's frame, with the clock

    def on_snapshot_arrived(self, message: SnapshotArrived) -> None:
        # Bubbled up from the pane, which has rendered it already.
        if self.live_levels.take([message.snapshot]):
            self.status_strip.show_live(self.live_levels.worst())

    def on_health_pane_snapshots_arrived(self, message: HealthPane.SnapshotsArrived) -> None:
        if self.live_levels.take(message.snapshots):  # thousands of checks arrive in batches
            self.status_strip.show_live(self.live_levels.worst())

    # --- what the session tells us -------------------------------------------------------------
    def on_session_posted(self, message: SessionPosted) -> None:
        if not self.panel.is_attached:
            return  # quitting: the session finished after the screen was taken down
        handler = _RESULT_HANDLERS.get(type(message.result))
        if handler is not None:
            handler(self, message.result)

    def _loaded(self, result: r.IncidentLoaded) -> None:
        self.state = result.state

    def _events_appended(self, result: r.EventsAppended) -> None:
        state = self.state
        if state is None or state.id != result.incident_id:
            return
        before = len(state.timeline)
        severity = state.severity
        for event in result.events:
            state.apply(event)
        new_items = state.timeline[before:]
        if new_items:
            self.timeline.apply_events(state, new_items)
            self.refresh_panel(rebuild_checklist=state.severity != severity)

    def _command_done(self, result: r.CommandDone) -> None:
        pinned_to = self._pin_tickets.pop(result.ticket, None)
        if pinned_to is not None:
            self.notify(f"Logged to {pinned_to}'s timeline.", timeout=3, markup=False)
        self._entry_tickets.discard(result.ticket)
        self.panel.entry_saved(result.ticket)  # typed, or kept offline: shared now

    def _command_failed(self, result: r.CommandFailed) -> None:
        self._pin_tickets.pop(result.ticket, None)
        if result.ticket in self._entry_tickets:
            self._entry_tickets.discard(result.ticket)
            self.panel.entry_failed(result.ticket)
        self.notify(result.reason, title="Not saved", severity="warning" if result.rejected else "error", timeout=10, markup=False)

    # --- failures nobody caught ------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place for a worker that died (a pane's collector loop, a dialog's worker)."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            report_failed_worker(self, event.worker)

    def _handle_exception(self, error: Exception) -> None:
        """A crash is logged with its trace (never shown with locals: they can hold secrets)
        and the app exits non-zero."""
        self._crash_line = crash_line(error)
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        self.bell()
        self._exit_renderables.append(Text(self._crash_line or "warroom: unexpected error"))
        self._close_messages_no_wait()

    # --- actions -----------------------------------------------------------------------
    def submit(self, command: Command) -> int | None:
        if self.state is None:
            self.notify("No incident open: press o to open one.", severity="warning")
            return None
        return self.session.submit(self.state.id, command)

    def action_entry(self) -> None:
        self.main_screen.remove_class("-side")
        self.main_screen.remove_class("-show-live")
        # set_focus now, not focus() (deferred): keys typed right after `t` must land in the line.
        self.main_screen.set_focus(self.panel.query_one(EntryInput))

    def on_entry_submitted(self, message: EntrySubmitted) -> None:
        ticket = self.submit(LogEntry(message.text, message.kind.value))
        if ticket is None:
            self.panel.entry_pending(-1, message.raw)
            self.panel.entry_failed(-1)
            return
        self._entry_tickets.add(ticket)
        self.panel.entry_pending(ticket, message.raw)

    def on_timeline_request(self, message: TimelineRequest) -> None:
        """One place answers a pane's request: it says 'logged' once durable, or why not."""
        if self.state is None or not self.state.is_open:
            if not message.automatic:  # an automatic observation with nothing open is not news
                first = message.text.splitlines()[0] if message.text else ""
                self.notify(f"Not logged (no open incident): {first}", severity="warning", markup=False)
            return
        kind = message.kind if message.kind in KINDS else "observation"
        if message.automatic:
            self.session.observe(self.state.id, message.text, kind, automatic=True)
            return
        ticket = self.submit(LogEntry(message.text, kind, dict(message.extra)))
        if ticket is not None:
            self._pin_tickets[ticket] = self.state.id

    def action_record_update(self) -> None:
        self.flows.compose_update()

    def action_retry_updates(self) -> None:
        if self.state is None:
            self.flows.compose_update()  # says how to open one
            return
        self.session.retry_deliveries(self.state.id)

    def action_roles(self) -> None:
        # The roles list's cursor counts only when the person is looking at it.
        self.flows.roles(self.roles_table.selected_role if self.roles_table.has_focus else None)

    def action_checklist(self) -> None:
        self.main_screen.remove_class("-show-live")
        self.main_screen.add_class("-side")
        self.main_screen.set_focus(self.checklist)
        self.checklist.focus_open_item()

    def on_checklist_toggle(self, message: ChecklistToggle) -> None:
        self.flows.submit(ToggleChecklist(message.item.id, message.item.text, message.tick))
        offer_linked_milestone(self, message.item, message.tick)

    def action_severity(self) -> None:
        self.flows.severity()

    def action_record_fields(self) -> None:
        self.flows.record_fields()

    def action_status(self) -> None:
        self.flows.status()

    def action_milestone(self) -> None:
        self.flows.milestone()

    def action_correct(self) -> None:
        self.flows.correct()

    def action_export(self) -> None:
        self.flows.export()

    def action_open_incident(self) -> None:
        self.flows.open_incident()

    def action_switch_incident(self) -> None:
        self.session.list_incidents("switch")

    def action_toggle_utc(self) -> None:
        table = self.timeline
        table.set_utc(not table.utc)
        self.notify("Times in UTC" if table.utc else "Times in local time", timeout=2)

    def action_switch_view(self) -> None:
        self.main_screen.toggle_class("-show-live")

    def action_focus_pane(self, number: int) -> None:
        focus_pane(self, number)

    def action_focus_timeline(self) -> None:
        focus_timeline(self)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(key_sections(self), self.config.roles))

    COMMANDS = App.COMMANDS | {WarroomCommands}  # app/ui/keys.py: human names, careful matching

# Each handler takes the one result type it is filed under.
_RESULT_HANDLERS: dict[type[r.SessionResult], Callable[[WarroomApp, Any], None]] = {
    r.IncidentsListed: lambda app, result: app.flows.start(result),
    r.IncidentLoaded: WarroomApp._loaded,
    r.EventsAppended: WarroomApp._events_appended,
    r.CommandDone: WarroomApp._command_done,
    r.CommandFailed: WarroomApp._command_failed,
    r.OpenFailed: lambda app, result: app.flows.open_failed(result),
    r.StoreFailed: notices.store_failed,
    r.UpdateDelivered: notices.update_delivered,
    r.UpdateFailed: lambda app, result: app.flows.update_failed(result),
    r.DeliveriesRetried: notices.deliveries_retried,
    r.EscalationsLogged: notices.escalations_logged,
    r.Exported: notices.exported,
    r.CommandQueued: team.command_queued,
    r.UpdateQueued: team.update_queued,
    r.StoreOffline: team.store_offline,
    r.StoreBack: team.store_back,
    r.PresenceSeen: team.presence_seen,
}
