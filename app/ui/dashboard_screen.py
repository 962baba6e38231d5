"""The dashboard's screen: Textual's own, minus a full redraw loop behind a dialog (issue 12).

When something changes on a screen covered by a dialog, Textual passes the change up to
the dialog's screen (which draws the dashboard dimmed behind it) and then marks the whole
covered screen for a repaint, which on its next update passes the whole screen up again,
and so on at every later update: each PostgreSQL refresh behind "Open a new incident" drew
the entire dashboard six times over. The dialog's screen has already been told what
changed, and a screen repaints in full when it comes back to the top, so the mark is
dropped here.
"""

from __future__ import annotations

from textual.screen import Screen


class DashboardScreen(Screen):
    def _compositor_refresh(self) -> None:
        super()._compositor_refresh()
        if self.is_attached and self is not self.app.screen:
            self._repaint_required = False
