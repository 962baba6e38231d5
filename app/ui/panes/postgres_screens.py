"""Modal screens of the PostgreSQL pane: one backend in full, and the confirm-before-signal dialog.

Query text is shown with markup=False: it comes from whoever connected to the database.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from app.collectors.locktree import Backend, format_seconds


def backend_facts(backend: Backend, database_name: str) -> list[tuple[str, str]]:
    facts = [
        ("database target", database_name),
        ("pid", str(backend.pid)),
        ("user", backend.user or "?"),
        ("database", backend.database or "?"),
        ("application", backend.application or "-"),
        ("client", backend.client or "-"),
        ("state", backend.state),
        ("wait event", backend.wait or "-"),
        ("query running for", format_seconds(backend.query_s) or "-"),
        ("transaction open for", format_seconds(backend.xact_s) or "-"),
        ("backend started", backend.backend_start or "-"),
    ]
    if backend.waiting:
        facts += [
            ("blocked by", ", ".join(str(p) for p in backend.blocked_by)),
            ("waiting for", f"{backend.lock_mode or '?'} on {backend.lock_target}"),
            ("waited", format_seconds(backend.wait_s)),
        ]
    return facts


class BackendDetailScreen(ModalScreen[None]):
    """Everything warroom knows about one backend, and its whole query text."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="postgres.detail.close"),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, backend: Backend, database_name: str) -> None:
        super().__init__()
        self.backend = backend
        self.database_name = database_name

    def compose(self) -> ComposeResult:
        with Vertical(id="pg-detail"):
            yield Static(f"Backend {self.backend.pid}", classes="pg-dialog-title", markup=False)
            for label, value in backend_facts(self.backend, self.database_name):
                yield Static(f"{label:>21}: {value}", classes="pg-fact", markup=False)
            yield Static("query:", classes="pg-fact")
            with VerticalScroll(id="pg-detail-query"):
                yield Static(self.backend.query or "(no query text visible)", markup=False)
            yield Static("Esc closes", classes="pg-dialog-hint")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)


class ConfirmActionScreen(ModalScreen[bool]):
    """'Terminate backend 1234 (alice, 6m12s): UPDATE ...?' Back is focused: the safe default."""

    BINDINGS = [
        Binding("escape", "answer(False)", "Back", id="postgres.confirm.back"),
        Binding("n", "answer(False)", "No", show=False),
        Binding("y", "answer(True)", "Yes", show=False),
        # As in every confirmation (app/ui/screens/confirm.py): ← then Enter confirms.
        Binding("left", "app.focus_previous", "Previous button", show=False),
        Binding("right", "app.focus_next", "Next button", show=False),
    ]

    def __init__(self, backend: Backend, *, terminate: bool, database_name: str, note: str = "") -> None:
        super().__init__()
        self.backend = backend
        self.terminate = terminate
        self.database_name = database_name
        self.note = note

    @property
    def verb(self) -> str:
        return "Terminate backend" if self.terminate else "Cancel the query of backend"

    def compose(self) -> ComposeResult:
        b = self.backend
        duration = format_seconds(b.duration_s) or "?"
        with Vertical(id="pg-confirm"):
            yield Static(f"{self.verb} {b.pid} on {self.database_name}?", classes="pg-dialog-title", markup=False)
            if self.note:
                yield Static(self.note, classes="pg-confirm-note", markup=False)
            yield Static(f"user {b.user or '?'} · database {b.database or '?'} · {b.state} for {duration}", markup=False)
            with VerticalScroll(id="pg-confirm-query"):
                yield Static(b.query or "(no query text visible)", markup=False)
            if self.terminate:
                yield Static("Terminating closes the session and rolls back its transaction.", classes="pg-confirm-note")
            elif b.idle_in_transaction:
                # pg_cancel_backend only interrupts a running statement: this session keeps its locks
                yield Static("It is idle in transaction: there is no query to cancel, and its locks stay held. "
                             "Terminate (K) ends its transaction.", classes="pg-confirm-note pg-cancel-noop")
            with Horizontal(id="pg-confirm-buttons"):
                yield Button("Terminate" if self.terminate else "Cancel query", id="pg-confirm-yes", variant="error")
                yield Button("Back", id="pg-confirm-no", variant="primary")
            action = "Terminate" if self.terminate else "Cancel query"
            yield Static(f"Enter = Back · ← then Enter = {action} · y {action} · Esc back", classes="pg-dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#pg-confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "pg-confirm-yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
