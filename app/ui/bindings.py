"""The dashboard's own keys, in one list the app, its footer, help and palette all read.

Single keys are priority bindings: they run before the key is forwarded to the focused
widget, so `t` followed at once by text (a paste, tmux send-keys, a fast typist) moves focus
before the text arrives. The app's check_action() stands them aside while a text field has
focus or a dialog is open.
"""

from __future__ import annotations

from textual.binding import Binding

APP_BINDINGS = [
    Binding("question_mark", "help", "Help", id="help", priority=True),
    Binding("w", "switch_view", "Live/Incident", id="view.switch", priority=True),
    Binding("t", "entry", "Entry", id="timeline.entry", priority=True),
    Binding("u", "record_update", "Update", id="incident.update", priority=True),
    Binding("s", "severity", "Severity", id="incident.severity", priority=True),
    Binding("S", "status", "Status", id="incident.status", priority=True),
    Binding("r", "roles", "Roles", id="incident.roles", priority=True),
    Binding("c", "checklist", "Checklist", id="incident.checklist", priority=True),
    Binding("m", "milestone", "Milestone", id="incident.milestone", priority=True),
    Binding("1", "focus_pane(1)", "Panes", id="pane.1", key_display="1-5", priority=True),
    *(Binding(str(n), f"focus_pane({n})", f"Pane {n}", id=f"pane.{n}", show=False, priority=True) for n in range(2, 7)),
    Binding("0", "focus_timeline", "Timeline", id="timeline.focus", priority=True),
    Binding("x", "correct", "Correct", id="timeline.correct", priority=True),
    Binding("z", "toggle_utc", "UTC", id="timeline.utc", priority=True),
    Binding("e", "export", "Export", id="incident.export", priority=True),
    Binding("i", "switch_incident", "Incidents", id="incident.switch", priority=True),
    Binding("o", "open_incident", "Open", id="incident.open", priority=True),
    Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    Binding("U", "retry_updates", "Retry delivery", id="incident.retry_updates", show=False, priority=True),
    Binding("R", "record_fields", "Record fields", id="incident.fields", show=False, priority=True),
    Binding("f1", "help", "Help", id="help.f1", show=False, priority=True),
]
"""In footer order: at 80 columns only the first few fit (app/ui/footer.py)."""

ALWAYS = frozenset({"quit"})
"""Actions that work whatever has focus."""

SINGLE_KEY_ACTIONS = frozenset(b.action.partition("(")[0] for b in APP_BINDINGS)
"""Action names as check_action() receives them (without their arguments)."""
