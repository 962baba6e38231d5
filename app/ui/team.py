"""What the screen says about the shared store: who is on the incident, and an outage.

The session (app/incident/session.py) finds these out on its own threads; these handlers only
render. An outage is on the status strip, which never leaves the screen: "store offline since
14:02:11 · 3 waiting"; each command typed meanwhile stays listed under the timeline as
"⇡ not yet shared" until the store has it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.domain.incident import IncidentState
from app.incident import results as r
from app.incident.commands import LogEntry, describe
from app.store.base import Presence

if TYPE_CHECKING:
    from app.ui.app import WarroomApp

def presence_line(present: list[Presence], state: IncidentState | None, commander: str = "Incident Commander") -> str:
    """"on: alice (IC), bob (Scribe), carol": each person once, with their roles; the
    commander role (whatever the config calls it) is IC, the others by name."""
    people = sorted({p.operator for p in present})
    roles_of: dict[str, list[str]] = {}
    for role, person in (state.roles.items() if state is not None else []):
        roles_of.setdefault(person, []).append("IC" if role == commander else role)
    named = [f"{who} ({', '.join(roles_of[who])})" if who in roles_of else who for who in people]
    return "on: " + ", ".join(named) if named else ""


def presence_seen(app: WarroomApp, result: r.PresenceSeen) -> None:
    state = app.state
    if state is None or state.id != result.incident_id:
        return
    app.team_present = result.present
    # With one person on a local file there is nobody to see: the line would be noise.
    shown = app.store.pushes_changes or len({p.terminal for p in result.present}) > 1
    app.header_widget.show_presence(presence_line(result.present, state, app.config.commander_role) if shown else "")


def refresh_presence(app: WarroomApp) -> None:
    """Roles changed: the same people, named with their new roles."""
    if app.team_present:
        presence_seen(app, r.PresenceSeen(app.state.id if app.state else "", app.team_present))


def store_offline(app: WarroomApp, result: r.StoreOffline) -> None:
    first = app.status_strip.store_note is None
    since = result.since.astimezone(app.tz).strftime("%H:%M:%S")
    waiting = f" · {result.waiting} waiting" if result.waiting else ""
    app.status_strip.show_store(f"⚠ store offline since {since}{waiting}")
    if first:
        # libpq's reasons run to several sentences; the first says it, the log keeps the rest.
        reason = result.reason.split("; ")[0]
        reason = reason if len(reason) <= 120 else reason[:119] + "…"
        app.notify(
            f"Keep typing: entries are kept on this machine and shared when it is back.\n{reason}",
            title="Incident store out of reach", severity="warning", timeout=6, markup=False,
        )


def store_back(app: WarroomApp, result: r.StoreBack) -> None:
    app.status_strip.show_store(None)
    sent = f": {result.sent} waiting change{'s' if result.sent != 1 else ''} shared" if result.sent else ""
    app.notify(f"Incident store back{sent}.", timeout=6, markup=False)


def command_queued(app: WarroomApp, result: r.CommandQueued) -> None:
    if result.ticket not in app.panel.pending_tickets:
        text = result.command.text if isinstance(result.command, LogEntry) else describe(result.command)
        app.panel.entry_pending(result.ticket, text)
    app.panel.entry_queued(result.ticket)


def update_queued(app: WarroomApp, result: r.UpdateQueued) -> None:
    app.notify(
        "The store is out of reach: the update is kept on this machine, recorded and sent to its targets when it is back.",
        title="Update not yet shared", severity="warning", timeout=10, markup=False,
    )
