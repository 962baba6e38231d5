"""The dashboard's screen: Textual's own, minus a full redraw loop behind a dialog (issue 12).

When something changes on a screen covered by a dialog, Textual passes the change up to
the dialog's screen (which draws the dashboard dimmed behind it) and then marks the whole
covered screen for a repaint, which on its next update passes the whole screen up again,
and so on at every later update: each PostgreSQL refresh behind "Open a new incident" drew
the entire dashboard six times over. The dialog's screen has already been told what
changed, and a screen repaints in full when it comes back to the top, so the mark is
dropped here.

Its compositor draws, of a partial update, only the widgets under what changed
(app/ui/spot_compositor.py).
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from app.ui.spot_compositor import SpotCompositor


class DashboardScreen(Screen):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compositor = SpotCompositor()

    def _compositor_refresh(self) -> None:
        super()._compositor_refresh()
        if self.is_attached and self is not self.app.screen:
            self._repaint_required = False
