"""The incident core both front ends call: every command validated once (commands.py),
run against a store (core.py), and for the TUI a session that keeps store I/O off the
screen's loop and posts results back (session.py)."""

from app.incident.commands import (
    AssignRole,
    Command,
    CommandRejected,
    CorrectEntry,
    LogEntry,
    MarkMilestone,
    Resolve,
    SetSeverity,
    SetStatus,
    SetField,
    ToggleChecklist,
)
from app.incident.core import IncidentCore, logs_shared_observations

__all__ = [
    "AssignRole",
    "Command",
    "CommandRejected",
    "CorrectEntry",
    "IncidentCore",
    "LogEntry",
    "MarkMilestone",
    "Resolve",
    "SetSeverity",
    "SetStatus",
    "SetField",
    "ToggleChecklist",
    "logs_shared_observations",
]
