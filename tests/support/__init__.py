"""Helpers every test area shares: one bounded wait, one host for a live pane."""

from tests.support.pane_host import PaneHost
from tests.support.until import until

__all__ = ["PaneHost", "until"]
