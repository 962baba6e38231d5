"""The warroom App: live panes on the left, the incident panel on the right.

Every user action becomes a NewEvent appended by a thread worker; the screen shows it
only after `store.append()` returned (durable). Other processes' events are picked up by
polling `store.changed()` and folded in with `IncidentState.apply()` (app/ui/incident_sync.py);
the commander's record keys are in app/ui/record_actions.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Resize
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Input, Label, TextArea

from app.config import Config
from app.domain import actions
from app.domain.clock import Clock, SystemClock
from app.domain.events import EventType, Milestone, Status
from app.domain.incident import IncidentState
from app.domain.timers import TimerState, countdowns
from app.store import IncidentStore
from app.ui.incident.checklist import ChecklistTable, ChecklistToggle
from app.ui.incident.countdowns import CountdownsPanel
from app.ui.incident.header import IncidentHeader
from app.ui.incident.panel import EntryInput, EntrySubmitted, IncidentPanel
from app.ui.incident.roles import RolesTable
from app.ui.incident.timeline import TimelineTable
from app.ui.incident_sync import IncidentSync
from app.ui.live import LiveArea
from app.ui.messages import TimelineRequest
from app.ui.record_actions import RecordActions
from app.ui.screens.help import HelpScreen
from app.ui.screens.pickers import ChoiceScreen
from app.ui.screens.prompt import TextPromptScreen
from app.ui.screens.roles import RoleScreen
from app.ui.styles import css_paths

POLL_SECONDS = 0.4
NARROW_BELOW = 100  # columns: below this the live half and the incident half take turns
WIDE_FROM = 160  # columns: from here roles + checklist sit beside the timeline
SHORT_BELOW = 32  # rows: below this roles + checklist are a view of their own (c / t)
_ALWAYS = {"quit"}  # actions that work whatever has focus


class WarroomApp(IncidentSync, RecordActions, App[None]):
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
        self.load_start()

    def on_resize(self, event: Resize) -> None:
        self._apply_size(event.size.width, event.size.height)

    def _apply_size(self, width: int, height: int) -> None:
        screen = getattr(self, "main_screen", None)
        if screen is None:  # a resize can arrive before mount
            return
        screen.set_class(width < NARROW_BELOW, "-narrow")
        screen.set_class(width >= WIDE_FROM, "-wide")
        screen.set_class(height < SHORT_BELOW, "-short")

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
        if message.automatic and not self.logs_shared_observations(self.state):
            return
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
