"""Footers that show what fits and what does something here.

Textual's footer lays every key out in a row and the terminal cuts it off: at 120 columns
the commander's footer ended at `m Mileston` while `w Live/Incident` (which does nothing
there) took room. This one takes keys in order of use (the focused part's own keys, then
the app's list in app/ui/bindings.py), keeps only whole ones that fit the width, and leaves
out what check_action() says does nothing now. `?` (help) comes first, so every key left
out is one press away.

A dialog gets a footer of its own with only its own keys: the dashboard's footer behind a
dialog went on showing a pane's `K Terminate (kill)` while an update was being written.
"""

from __future__ import annotations


from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from app.ui.bindings import APP_BINDINGS

PALETTE_WIDTH = 12  # "^p palette" docked at the right, and its bar
_APP_ORDER = {b.action: i for i, b in enumerate(APP_BINDINGS)}


def key_width(key_display: str, description: str) -> int:
    """A FooterKey as drawn: ' key description '."""
    return len(key_display) + 2 + (len(description) + 1 if description else 0)


def shown_bindings(screen: Screen, *, own_only: bool = False) -> list[tuple[Binding, bool, str]]:
    """Bindings to show, most used first: the focused part's own keys, then the app's in
    the order of app/ui/bindings.py. `own_only`: leave out the app's (a dialog's footer)."""
    found: list[tuple[int, int, Binding, bool, str]] = []
    seen: set[str] = set()
    for position, (node, binding, enabled, tooltip) in enumerate(screen.active_bindings.values()):
        if not binding.show or binding.action in seen:
            continue
        is_app = isinstance(node, App)
        if is_app and own_only:
            continue
        seen.add(binding.action)
        # Application keys go by our list; everything else keeps Textual's order (focused first).
        rank = (1, _APP_ORDER.get(binding.action, len(_APP_ORDER))) if is_app else (0, position)
        found.append((*rank, binding, enabled, tooltip))
    # Help first (what does not fit is listed there), then the switch between the halves
    # where there is one: without it the narrow view hides half the dashboard.
    first = {"help": 0, "switch_view": 1}
    found.sort(key=lambda item: (first.get(item[2].action, 2), item[0], item[1]))
    return [(binding, enabled, tooltip) for _, _, binding, enabled, tooltip in found]


class FittedFooter(Footer):
    """The footer of the dashboard, or (own_only) of a dialog."""

    def __init__(self, *, own_only: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, show_command_palette=not own_only)
        self.own_only = own_only
        self._width = 0

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        room = self.size.width or self.app.size.width
        if self.show_command_palette:
            room -= PALETTE_WIDTH
        for binding, enabled, tooltip in shown_bindings(self.screen, own_only=self.own_only):
            if not enabled:
                continue  # does nothing here: leave the room to a key that does
            display = self.app.get_key_display(binding)
            width = key_width(display, binding.description)
            if width > room:
                break  # a prefix of the order: the same keys in the same places at a given width
            room -= width
            yield FooterKey(binding.key, display, binding.description, binding.action,
                            tooltip=tooltip).data_bind(compact=Footer.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                _, binding, enabled, tooltip = palette
                yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                                classes="-command-palette", disabled=not enabled, tooltip=tooltip or binding.description)

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self._width = self.size.width
            self._bindings_ready = True
            self.call_after_refresh(self.recompose)


def give_dialogs_footers(app: App) -> None:
    """Every dialog, when shown, gets a footer of its own keys (see the module docstring)."""

    def changed(screen: Screen) -> None:
        if isinstance(screen, ModalScreen) and not screen.query(FittedFooter):
            screen.mount(FittedFooter(own_only=True))

    app.screen_change_signal.subscribe(app, changed)


