"""Where keys go. Keys that reach a part of the screen at once: 1-5 a live pane (the number
in its title), 0 the timeline. Tab still walks every part in order; these skip the walk.
And which of the app's single keys stand aside for a field, a dialog or a focused pane.

In the narrow view (below 100 columns) the halves take turns, so reaching a pane shows its
half first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, TextArea

from app.ui.bindings import ALWAYS, SINGLE_KEY_ACTIONS
from app.ui.live import PANES
from app.ui.panes.base import WARNING_EVENTS_KEY, LivePane

if TYPE_CHECKING:
    from app.ui.app import WarroomApp

_TITLES = {entry.number: entry.title for entry in PANES} | {WARNING_EVENTS_KEY: "Warning events"}


def pane_target(app: WarroomApp, number: int) -> Widget | None:
    """The widget key `number` focuses: the pane's first shown table (PostgreSQL's lock tree
    when there is one, else its long-running table), or the pods pane's Warning events."""
    live = app.main_screen.query_one("#live")
    if number == WARNING_EVENTS_KEY:
        return next(iter(live.query("#pods-events")), None)
    entry = next((e for e in PANES if e.number == number), None)
    if entry is None:
        return None
    pane = next(iter(live.query(f"#pane-{entry.source.name}")), None)
    if pane is None:
        return None
    tables = [w for w in pane.query("*") if w.can_focus and w.display]
    return tables[0] if tables else None


def focus_pane(app: WarroomApp, number: int) -> None:
    target = pane_target(app, number)
    if target is None:
        title = _TITLES.get(number, f"Pane {number}")
        app.notify(f"{number}: {title} is not configured or has nothing to show yet.", severity="warning", timeout=4)
        return
    screen = app.main_screen
    screen.remove_class("-side")
    screen.add_class("-show-live")  # the narrow view shows the live half; wider ones show both anyway
    screen.set_focus(target)
    # Once laid out: in the narrow view the live half was hidden a moment ago, so there was
    # nothing to scroll into sight yet.
    app.call_after_refresh(target.scroll_visible, animate=False)


def focus_timeline(app: WarroomApp) -> None:
    screen = app.main_screen
    screen.remove_class("-side")
    screen.remove_class("-show-live")
    screen.set_focus(app.timeline)


def key_allowed(app: WarroomApp, action: str) -> bool:
    """The app's check_action."""
    # Only our single-key bindings stand aside: Textual's own app actions (Tab's
    # focus_next in a dialog, ctrl+p's palette) must keep working in fields and modals.
    if action in ALWAYS or action not in SINGLE_KEY_ACTIONS:
        return True
    if isinstance(app.screen, ModalScreen) or isinstance(app.focused, (Input, TextArea)):
        return False  # the key is text for the field, or the dialog's own key
    # w switches halves only where they take turns: elsewhere the footer leaves it out.
    screen = getattr(app, "main_screen", None)  # bindings are checked before mount too
    if action == "switch_view" and (screen is None or not screen.has_class("-narrow")):
        return False
    return not _pane_claims(app, action)


def _pane_claims(app: WarroomApp, action: str) -> bool:
    """A focused live pane's own key wins over the app's (S silences in the alerts pane)."""
    keys = {b.key for b in app.BINDINGS if isinstance(b, Binding) and b.action == action}
    node = app.focused
    while node is not None and not isinstance(node, LivePane):
        node = node.parent  # type: ignore[assignment]
    return node is not None and any(isinstance(b, Binding) and b.key in keys for b in type(node).BINDINGS)
