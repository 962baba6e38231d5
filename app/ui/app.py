"""The warroom App: live panes on the left, the incident panel on the right.

Every user action becomes a NewEvent appended by a thread worker; the screen shows it
only after `store.append()` returned (durable). Other processes' events are picked up by
polling `store.changed()` and folded in with `IncidentState.apply()`.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Resize
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Input, Label, TextArea

from app.config import Config
from app.domain import actions
from app.domain.clock import Clock, SystemClock
from app.domain.events import EventType, Milestone, NewEvent, Status, StoredEvent
from app.domain.incident import IncidentState, fold
from app.domain.timers import TimerState, countdowns
from app.errors import WarroomError
from app.logfile import log_exception
from app.store import IncidentStore
from app.store.base import IncidentSummary
from app.ui.incident.checklist import ChecklistTable, ChecklistToggle
from app.ui.incident.countdowns import CountdownsPanel
from app.ui.incident.header import IncidentHeader
from app.ui.incident.panel import EntryInput, EntrySubmitted, IncidentPanel
from app.ui.incident.roles import RolesTable
from app.ui.incident.timeline import TimelineTable
from app.ui.live import LiveArea
from app.ui.messages import TimelineRequest
from app.ui.record_actions import COMMANDER, RecordActions
from app.ui.screens.help import HelpScreen
from app.ui.screens.open_incident import OpenIncidentScreen
from app.ui.screens.pickers import ChoiceScreen
from app.ui.screens.prompt import TextPromptScreen
from app.ui.screens.roles import RoleScreen
from app.ui.styles import css_paths

log = logging.getLogger(__name__)

POLL_SECONDS = 0.4
NARROW_BELOW = 100  # columns: below this the live half and the incident half take turns
WIDE_FROM = 160  # columns: from here roles + checklist sit beside the timeline
SHORT_BELOW = 32  # rows: below this roles + checklist are a view of their own (c / t)
NEW_INCIDENT = "\x00new"  # picker value meaning "open a new incident"
_ALWAYS = {"quit"}  # actions that work whatever has focus


class WarroomApp(RecordActions, App[None]):
    TITLE = "warroom"
    CSS_PATH = css_paths()
    # Order is footer order: at 80 columns only the first few fit, so help and the
    # live/incident switch come right after quit. Single keys are priority bindings: they
    # run before the key is forwarded to the focused widget, so `t` followed at once by
    # text (a paste, tmux send-keys, a fast typist) moves focus before the text arrives.
    # check_action() stands them aside while a text field has focus or a modal is open.
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("question_mark", "help", "Help", id="help", priority=True),
        Binding("w", "switch_view", "Live/Incident", id="view.switch", priority=True),
        Binding("t", "entry", "Entry", id="timeline.entry", priority=True),
        Binding("u", "record_update", "Update", id="incident.update", priority=True),
        Binding("r", "roles", "Roles", id="incident.roles", priority=True),
        Binding("c", "checklist", "Checklist", id="incident.checklist", priority=True),
        Binding("s", "severity", "Severity", id="incident.severity", priority=True),
        Binding("S", "status", "Status", id="incident.status", priority=True),
        Binding("m", "milestone", "Milestone", id="incident.milestone", priority=True),
        Binding("x", "correct", "Correct", id="timeline.correct", priority=True),
        Binding("z", "toggle_utc", "UTC", id="timeline.utc", priority=True),
        Binding("i", "switch_incident", "Incidents", id="incident.switch", priority=True),
        Binding("o", "open_incident", "Open", id="incident.open", priority=True),
        Binding("e", "export", "Export", id="incident.export", priority=True),
        Binding("U", "retry_updates", "Retry delivery", id="incident.retry_updates", show=False, priority=True),
        Binding("f1", "help", "Help", id="help.f1", show=False, priority=True),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Only our single-key bindings stand aside: Textual's own app actions (Tab's
        # focus_next in a dialog, ctrl+p's palette) must keep working in fields and modals.
        if action in _ALWAYS or action not in _SINGLE_KEY_ACTIONS:
            return True
        if isinstance(self.screen, ModalScreen) or isinstance(self.focused, (Input, TextArea)):
            return False  # the key is text for the field, or the dialog's own key
        return True

    def __init__(self, config: Config, store: IncidentStore, clock: Clock | None = None) -> None:
        super().__init__()
        self.config = config
        self.store = store
        self.clock = clock or SystemClock()
        self.tz = config.tzinfo()
        self.state: IncidentState | None = None
        self._checklist_severity: str | None = None
        self._rung: set[tuple[str, str, object]] = set()  # countdowns the bell already rang for
        self._bell_seeded = False
        self._polling = False
        self._escalations_seen: set[tuple[str, str, object]] = set()

    # --- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield LiveArea(self.config, id="live")
            yield IncidentPanel(self.config.roles, self.tz, id="incident")
        yield Footer()

    def on_mount(self) -> None:
        # Kept, not queried: timers fire while a modal is on top, or while shutting down.
        self.main_screen = self.screen
        self.timeline = self.query_one(TimelineTable)
        self.roles_table = self.query_one(RolesTable)
        self.checklist = self.query_one(ChecklistTable)
        self.header_widget = self.query_one(IncidentHeader)
        self.countdowns_panel = self.query_one(CountdownsPanel)
        self.panel = self.query_one(IncidentPanel)
        self._apply_size(self.size.width, self.size.height)
        self.set_interval(POLL_SECONDS, self._poll)
        self.set_interval(1.0, self.refresh_clock)
        self.refresh_clock()
        self._load_incidents()

    def on_resize(self, event: Resize) -> None:
        self._apply_size(event.size.width, event.size.height)

    def _apply_size(self, width: int, height: int) -> None:
        screen = getattr(self, "main_screen", None)
        if screen is None:  # a resize can arrive before mount
            return
        screen.set_class(width < NARROW_BELOW, "-narrow")
        screen.set_class(width >= WIDE_FROM, "-wide")
        screen.set_class(height < SHORT_BELOW, "-short")

    # --- store I/O (thread workers) -------------------------------------------------------
    def _store_failed(self, what: str, exc: BaseException) -> None:
        """One place for store errors: a person gets a line, the log gets the trace."""
        try:
            log_exception(exc)
        except OSError:
            pass
        reason = str(exc) if isinstance(exc, WarroomError) else f"{type(exc).__name__}: {exc}"
        self.notify(f"{what}: {reason}", title="Not saved" if "save" in what else "Store problem", severity="error", timeout=10)

    @work(thread=True, group="store.load", exit_on_error=False)
    def _load_incidents(self) -> None:
        try:
            summaries = self.store.incidents()
        except (WarroomError, sqlite3.Error, OSError) as exc:
            self.call_from_thread(self._store_failed, "cannot list incidents", exc)
            return
        self.call_from_thread(self._choose_start, summaries)

    def _choose_start(self, summaries: list[IncidentSummary]) -> None:
        open_ = [s for s in summaries if s.is_open]
        if len(open_) == 1:
            self.load_incident(open_[0].id)
        elif open_:
            self._pick_incident(open_, "Several incidents are open: which one?")
        else:
            self.action_open_incident()

    @work(thread=True, group="store.load_incident", exclusive=True, exit_on_error=False)
    def load_incident(self, incident_id: str) -> None:
        try:
            state = fold(incident_id, self.store.events(incident_id))
        except (WarroomError, sqlite3.Error, OSError) as exc:
            self.call_from_thread(self._store_failed, f"cannot load {incident_id}", exc)
            return
        self.call_from_thread(self._show_incident, state)

    def _show_incident(self, state: IncidentState) -> None:
        self.state = state
        self.sub_title = state.id
        self._bell_seeded = False
        self.timeline.load(state)
        self._refresh_panel(rebuild_checklist=True)

    @work(thread=True, group="store.write", exit_on_error=False)
    def _open(self, title: str, severity: str) -> None:
        try:
            opened = self.store.open_incident(
                title=title, severity=severity, actor=self.config.operator, at=self.clock.now(), id_format=self.config.incident.id_format
            )
            state = fold(opened.incident_id, self.store.events(opened.incident_id))
        except (WarroomError, sqlite3.Error, OSError, ValueError) as exc:
            self.call_from_thread(self._store_failed, "cannot save the new incident", exc)
            self.call_from_thread(self.push_screen, OpenIncidentScreen(self.config.severities, title=title, severity=severity), self._opened_screen_done)
            return
        self.call_from_thread(self._show_incident, state)

    def append(
        self,
        events: NewEvent | list[NewEvent],
        *,
        on_saved: Callable[[], None] | None = None,
        on_failed: Callable[[], None] | None = None,
    ) -> None:
        """Append to the current incident in a thread; the UI updates once durable."""
        if self.state is None:
            self.notify("No incident open: press o to open one.", severity="warning")
            if on_failed:
                on_failed()
            return
        self._append_worker(self.state.id, events if isinstance(events, list) else [events], on_saved, on_failed)

    @work(thread=True, group="store.write", exit_on_error=False)
    def _append_worker(self, incident_id: str, events: list[NewEvent], on_saved, on_failed) -> None:
        try:
            for event in events:
                self.store.append(incident_id, event)
            # Fetch from our last seen seq, not just our own event: another process may
            # have written in between, and the fold needs events in order.
            after = self.state.last_seq if self.state and self.state.id == incident_id else 0
            new = self.store.events(incident_id, after_seq=after)
        except (WarroomError, sqlite3.Error, OSError, ValueError) as exc:
            self.call_from_thread(self._store_failed, "cannot save", exc)
            if on_failed:
                self.call_from_thread(on_failed)
            return
        self.call_from_thread(self._apply_events, incident_id, new)
        if on_saved:
            self.call_from_thread(on_saved)

    def _poll(self) -> None:
        if self.state is not None and not self._polling:
            self._polling = True
            self._poll_worker(self.state.id, self.state.last_seq)

    @work(thread=True, group="store.poll", exit_on_error=False)
    def _poll_worker(self, incident_id: str, after: int) -> None:
        try:
            if self.store.changed():
                new = self.store.events(incident_id, after_seq=after)
                if new:
                    self.call_from_thread(self._apply_events, incident_id, new)
        except (WarroomError, sqlite3.Error, OSError) as exc:
            log.warning("poll failed: %s", exc)
        finally:
            self._polling = False

    def _apply_events(self, incident_id: str, events: list[StoredEvent]) -> None:
        state = self.state
        if state is None or state.id != incident_id:
            return
        before = len(state.timeline)
        severity = state.severity
        for event in events:
            state.apply(event)
        new_items = state.timeline[before:]
        if not new_items:
            return
        self.timeline.apply_events(state, new_items)
        self._refresh_panel(rebuild_checklist=state.severity != severity)

    # --- rendering ---------------------------------------------------------------------
    def _refresh_panel(self, *, rebuild_checklist: bool = False) -> None:
        state = self.state
        self.roles_table.show(state)
        checklist = self.checklist
        if rebuild_checklist or (state and state.severity != self._checklist_severity):
            self._checklist_severity = state.severity if state else None
            checklist.set_items(self.config.checklist_for(self._checklist_severity) if state else [], state)
        else:
            checklist.show(state)
        done, total = checklist.done_count
        self.panel.query_one("#checklist-title", Label).update(f"Checklist {done}/{total}  (c, then Space/Enter)")
        self.refresh_clock()

    def refresh_clock(self) -> None:
        """Each second: elapsed time and countdowns from the injected clock."""
        now = self.clock.now()
        state = self.state
        self.header_widget.show(state, now, self.tz)
        items = []
        if state is not None:
            settings = self.config.incident
            items = countdowns(
                state, self.config.severity(state.severity), now, due_soon=settings.due_soon, monitoring_window=settings.monitoring_window
            )
        self.countdowns_panel.show(items, self.tz)
        self.check_escalations(items)
        overdue = {(state.id, c.key, c.due_at) for c in items if c.state is TimerState.OVERDUE} if state else set()
        fresh = overdue - self._rung
        self._rung |= fresh
        # Already overdue when an incident is (re)loaded is not news; going overdue is.
        if fresh and self._bell_seeded:
            self.bell()
        self._bell_seeded = state is not None

    # --- actions -----------------------------------------------------------------------
    def _require_incident(self) -> IncidentState | None:
        if self.state is None:
            self.notify("No incident open: press o to open one, or i to pick one.", severity="warning")
        return self.state

    def action_entry(self) -> None:
        self.main_screen.remove_class("-side")
        self.main_screen.remove_class("-show-live")
        # set_focus now, not focus() (deferred): keys typed right after `t` must land in the line.
        self.main_screen.set_focus(self.panel.query_one(EntryInput))

    def on_entry_submitted(self, message: EntrySubmitted) -> None:
        panel = self.panel
        event = actions.entry_added(message.text, message.kind, self.config.operator, self.clock.now())
        self.append(event, on_saved=lambda: panel.entry_saved(message.raw), on_failed=panel.entry_failed)

    def on_timeline_request(self, message: TimelineRequest) -> None:
        """One place answers a pane's request: it says 'logged' once durable, or why not."""
        if self.state is None or not self.state.is_open:
            if not message.automatic:  # an automatic observation with nothing open is not news
                first = message.text.splitlines()[0] if message.text else ""
                self.notify(f"Not logged (no open incident): {first}", severity="warning", markup=False)
            return
        commander = self.state.roles.get(COMMANDER)
        if message.automatic and commander and commander != self.config.operator:
            return  # the commander's terminal logs it; every terminal would log it again
        kind = message.kind if message.kind in {"note", "action", "decision", "observation", "communication"} else "observation"
        incident_id = self.state.id
        saved = None if message.automatic else (lambda: self.notify(f"Logged to {incident_id}'s timeline.", timeout=3))
        self.append(actions.entry_added(message.text, kind, self.config.operator, self.clock.now()), on_saved=saved)

    def action_roles(self) -> None:
        state = self._require_incident()
        if state is None:
            return
        selected = self.roles_table.selected_role

        def done(result: tuple[str, str] | None) -> None:
            if result is None or self.state is None:
                return
            role, person = result
            if self.state.roles.get(role, "") == person:
                self.notify(f"{role} is already {person or 'unassigned'}.", markup=False)
                return
            self.append(
                actions.role_assigned(role, person, self.config.operator, self.clock.now()),
                on_failed=lambda: self.action_roles(),
            )

        roles = list(dict.fromkeys([*self.config.roles, *state.roles]))
        self.push_screen(RoleScreen(roles, dict(state.roles), list(state.role_history), self.tz, role=selected), done)

    def action_checklist(self) -> None:
        self.main_screen.remove_class("-show-live")
        self.main_screen.add_class("-side")
        self.main_screen.set_focus(self.checklist)
        self.checklist.focus_open_item()

    def on_checklist_toggle(self, message: ChecklistToggle) -> None:
        if self._require_incident() is None:
            return
        item = message.item
        self.append(actions.checklist_toggled(item.id, item.text, message.tick, self.config.operator, self.clock.now()))

    def action_severity(self) -> None:
        state = self._require_incident()
        if state is None:
            return
        choices = [(s.name, f"{s.name}  {s.description}") for s in self.config.severities]

        def done(severity: str | None) -> None:
            if severity and self.state and severity != self.state.severity:
                self.append(actions.severity_changed(severity, self.state.severity, self.config.operator, self.clock.now()))

        self.push_screen(ChoiceScreen("Severity", choices, state.severity), done)

    def action_status(self) -> None:
        state = self._require_incident()
        if state is None:
            return

        def done(status: Status | None) -> None:
            if status is None or self.state is None or status == self.state.status:
                return
            now = self.clock.now()
            events = []
            if status is Status.RESOLVED and Milestone.RESOLVED not in self.state.milestones:
                events.append(actions.milestone_marked(Milestone.RESOLVED, self.config.operator, now))
            events.append(actions.status_changed(status, self.state.status, self.config.operator, now))
            self.append(events)

        self.push_screen(ChoiceScreen("Status", [(s, s.value) for s in Status], state.status), done)

    def action_correct(self) -> None:
        if self._require_incident() is None:
            return
        item = self.timeline.selected_item()
        if item is None or item.event_type is not EventType.ENTRY_ADDED:
            self.notify("Select a timeline entry first (t leaves the line; ↑/↓ in the timeline).", severity="warning")
            return
        if item.struck:
            self.notify(f"#{item.seq} is already corrected.", severity="warning")
            return

        def done(reason: str | None) -> None:
            if reason:
                self.append(
                    actions.entry_corrected(item.seq, reason, self.config.operator, self.clock.now()),
                    on_failed=lambda: self.push_screen(TextPromptScreen("Why is it wrong?", initial=reason, context=item.text), done),
                )

        self.push_screen(TextPromptScreen(f"Correct entry #{item.seq}: why is it wrong?", context=item.text, placeholder="reason"), done)

    def action_toggle_utc(self) -> None:
        table = self.timeline
        table.set_utc(not table.utc)
        self.notify("Times in UTC" if table.utc else "Times in local time", timeout=2)

    def action_switch_view(self) -> None:
        self.main_screen.toggle_class("-show-live")

    def action_open_incident(self) -> None:
        self.push_screen(OpenIncidentScreen(self.config.severities), self._opened_screen_done)

    def _opened_screen_done(self, result: tuple[str, str] | None) -> None:
        if result is not None:
            self._open(*result)
        elif self.state is None:
            self._refresh_panel()

    def action_switch_incident(self) -> None:
        self._switch_worker()

    @work(thread=True, group="store.load", exit_on_error=False)
    def _switch_worker(self) -> None:
        try:
            summaries = self.store.incidents()
        except (WarroomError, sqlite3.Error, OSError) as exc:
            self.call_from_thread(self._store_failed, "cannot list incidents", exc)
            return
        self.call_from_thread(self._pick_incident, summaries, "Switch incident")

    def _pick_incident(self, summaries: list[IncidentSummary], title: str) -> None:
        ordered = sorted(summaries, key=lambda s: not s.is_open)  # stable: open first, newest first
        choices: list[tuple[str, str]] = [
            (s.id, f"{s.id}  {s.severity}  {s.status:<13} {s.opened_at.astimezone(self.tz):%Y-%m-%d %H:%M}  {s.title}")
            for s in ordered
        ]
        choices.append((NEW_INCIDENT, "＋ open a new incident"))

        def done(choice: str | None) -> None:
            if choice == NEW_INCIDENT:
                self.action_open_incident()
            elif choice:
                self.load_incident(choice)
            elif self.state is None:
                self._refresh_panel()

        self.push_screen(ChoiceScreen(title, choices, self.state.id if self.state else None), done)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.key_help()))

    def _pane_bindings(self) -> list[tuple[object, Binding]]:
        """Keys of the live panes (pin, database actions, ...), with the widget they act on."""
        found: list[tuple[object, Binding]] = []
        seen: set[tuple[type, str]] = set()
        for widget in self.main_screen.query("#live *"):
            if not type(widget).__module__.startswith("app.ui.panes"):
                continue
            for binding in type(widget).BINDINGS:
                if isinstance(binding, Binding) and (type(widget), binding.key) not in seen:
                    seen.add((type(widget), binding.key))
                    found.append((widget, binding))
        return found

    def key_help(self) -> list[tuple[str, str]]:
        keys = [(b.key_display or self.get_key_display(b), b.description) for b in self.BINDINGS if isinstance(b, Binding)]
        for widget, binding in self._pane_bindings():
            title = getattr(widget, "border_title", None) or getattr(widget.parent, "border_title", None) or "pane"
            keys.append((self.get_key_display(binding), f"{binding.description} ({title}, when focused)"))
        return keys

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action != "quit" and binding.id != "help.f1":
                yield SystemCommand(
                    f"{binding.description} ({self.get_key_display(binding)})",
                    f"Same as pressing {self.get_key_display(binding)}",
                    lambda action=binding.action: self.call_later(self.run_action, action),
                )
        for widget, binding in self._pane_bindings():
            yield SystemCommand(
                f"{binding.description} ({self.get_key_display(binding)}, {type(widget).__name__})",
                f"Same as pressing {self.get_key_display(binding)} in that pane",
                lambda w=widget, action=binding.action: self.call_later(w.run_action, action),
            )


_SINGLE_KEY_ACTIONS = frozenset(b.action for b in WarroomApp.BINDINGS if isinstance(b, Binding))
