"""Session results that only tell the person something: one notification each.

Kept apart from app/ui/app.py, which handles the results that change what is on screen.
Every text here can quote a store, a webhook or a person: markup=False throughout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.incident import results as r

if TYPE_CHECKING:
    from app.ui.app import WarroomApp


def store_failed(app: WarroomApp, result: r.StoreFailed) -> None:
    app.notify(f"{result.what}: {result.reason}", title="Store problem", severity="error", timeout=10, markup=False)


def update_delivered(app: WarroomApp, result: r.UpdateDelivered) -> None:
    lines = [d.summary() for d in result.results]
    app.notify(
        "\n".join(lines) or "Update recorded (no webhooks configured).", title="Status update",
        severity="information" if all(d.ok for d in result.results) else "error", markup=False, timeout=8,
    )


def deliveries_retried(app: WarroomApp, result: r.DeliveriesRetried) -> None:
    lines = [f"update #{seq}: {d.summary()}" for seq, d in result.results]
    app.notify("\n".join(lines) or "Nothing to retry: every update was delivered.", markup=False,
               severity="information" if all(d.ok for _, d in result.results) else "error")


def escalations_logged(app: WarroomApp, result: r.EscalationsLogged) -> None:
    for step in result.steps:
        app.notify(step.text(app.tz), title="Escalation due", severity="warning", markup=False, timeout=15)


def exported(app: WarroomApp, result: r.Exported) -> None:
    app.notify(f"Wrote {result.path}", title="Exported", markup=False, timeout=10)
