"""Helpers every test area shares: one bounded wait, one host for a live pane."""

from tests.support.incident_app import START, RecordingApp, make_app, make_config, settle
from tests.support.pane_host import PaneHost
from tests.support.until import until

__all__ = ["START", "PaneHost", "RecordingApp", "make_app", "make_config", "settle", "until"]
