"""Every key in one list: the help screen and the command palette are built from the
app's bindings and the live panes' own, so a key cannot be missing from either."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.binding import Binding
from textual.widget import Widget

if TYPE_CHECKING:
    from app.ui.app import WarroomApp


def pane_bindings(app: WarroomApp) -> list[tuple[Widget, Binding]]:
    """Keys of the live panes (pin, database actions, ...), with the widget they act on."""
    found: list[tuple[Widget, Binding]] = []
    seen: set[tuple[type, str]] = set()
    for widget in app.main_screen.query("#live *"):
        if not type(widget).__module__.startswith("app.ui.panes"):
            continue
        for binding in type(widget).BINDINGS:
            if isinstance(binding, Binding) and (type(widget), binding.key) not in seen:
                seen.add((type(widget), binding.key))
                found.append((widget, binding))
    return found


def key_help(app: WarroomApp) -> list[tuple[str, str]]:
    keys = [(b.key_display or app.get_key_display(b), b.description) for b in app.BINDINGS if isinstance(b, Binding)]
    for widget, binding in pane_bindings(app):
        parent = widget.parent
        title = widget.border_title or (parent.border_title if isinstance(parent, Widget) else None) or "pane"
        keys.append((app.get_key_display(binding), f"{binding.description} ({title}, when focused)"))
    return keys


def palette_commands(app: WarroomApp) -> Iterator[SystemCommand]:
    for binding in app.BINDINGS:
        if isinstance(binding, Binding) and binding.action != "quit" and binding.id != "help.f1":
            yield SystemCommand(
                f"{binding.description} ({app.get_key_display(binding)})",
                f"Same as pressing {app.get_key_display(binding)}",
                lambda action=binding.action: app.call_later(app.run_action, action),
            )
    for widget, binding in pane_bindings(app):
        yield SystemCommand(
            f"{binding.description} ({app.get_key_display(binding)}, {type(widget).__name__})",
            f"Same as pressing {app.get_key_display(binding)} in that pane",
            lambda w=widget, action=binding.action: app.call_later(w.run_action, action),
        )
