"""UpdateComposer: the next status update, pre-filled from its template, edited, posted.

The screen only composes: it returns what to post (or None) and copies the text to the
clipboard (OSC 52 via App.copy_to_clipboard). Recording, webhook delivery and retries are
app.notify's job, so the same path serves `warroom update` and the TUI. Styles are in
DEFAULT_CSS because the modal is self-contained and used from more than one host.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, TextArea

from app.config import Config
from app.domain.incident import IncidentState
from app.domain.templates import DEFAULT_TEMPLATES, choose_template, render_update

TEMPLATE_LABELS = {"initial": "initial notification", "update": "periodic update", "resolution": "resolution"}


@dataclass(frozen=True)
class ComposedUpdate:
    """What the commander decided to post."""

    text: str
    template: str


class UpdateComposer(ModalScreen[ComposedUpdate | None]):
    DEFAULT_CSS = """
    UpdateComposer { align: center middle; }
    UpdateComposer > Vertical {
        width: 90%; max-width: 100; height: 90%; max-height: 30;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    UpdateComposer .composer-title { text-style: bold; width: 1fr; }
    UpdateComposer .composer-hint { color: $text-muted; width: 1fr; }
    UpdateComposer TextArea { height: 1fr; min-height: 4; }
    UpdateComposer Horizontal { height: auto; align-horizontal: right; }
    UpdateComposer Button { margin-left: 1; min-width: 10; }
    """

    BINDINGS = [
        Binding("ctrl+s", "post", "Post", id="update.post", priority=True),
        Binding("ctrl+o", "copy", "Copy", id="update.copy", priority=True),
        Binding("ctrl+t", "next_template", "Template", id="update.template", priority=True),
        Binding("escape", "cancel", "Cancel", id="update.cancel"),
    ]

    def __init__(self, drafts: dict[str, str], template: str, *, incident: str = "", targets: list[str] | None = None) -> None:
        """drafts: text per template name (initial/update/resolution); template: the one shown first."""
        super().__init__()
        if template not in drafts:
            raise ValueError(f"no draft for template {template!r}")
        self.drafts = dict(drafts)
        self.template = template
        self.incident = incident
        self.targets = list(targets or [])

    @classmethod
    def for_incident(cls, state: IncidentState, config: Config, now: datetime, *, opened_impact: str | None = None) -> UpdateComposer:
        """Every template filled from the incident; the one its state calls for comes first."""
        drafts = {
            name: render_update(state, config, now, template=name, opened_impact=opened_impact).text for name in DEFAULT_TEMPLATES
        }
        targets = [hook.name for hook in config.notify.webhooks]
        return cls(drafts, choose_template(state), incident=state.id, targets=targets)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title(), id="composer-title", classes="composer-title")
            yield TextArea(self.drafts[self.template], id="composer-text", soft_wrap=True, show_line_numbers=False)
            sent_to = ", ".join(self.targets) if self.targets else "no webhook configured"
            yield Label(
                Text(f"Post records it (resets the update countdown), copies it and sends it to: {sent_to}"),
                classes="composer-hint",
            )
            yield Label(Text("ctrl+s post · ctrl+o copy · ctrl+t next template · esc cancel"), classes="composer-hint")
            with Horizontal():
                yield Button("Copy", id="composer-copy")
                yield Button("Cancel", id="composer-cancel")
                yield Button("Post", id="composer-post", variant="primary")

    def _title(self) -> Text:
        where = f" for {self.incident}" if self.incident else ""
        return Text(f"Status update{where}: {TEMPLATE_LABELS.get(self.template, self.template)}")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def action_post(self) -> None:
        text = self.text.strip()
        if not text:
            self.notify("The update is empty: write something or press Esc.", severity="warning")
            return
        self.app.copy_to_clipboard(text)
        self.dismiss(ComposedUpdate(text, self.template))

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text.strip())
        self.notify("Update copied to the clipboard.")

    def action_next_template(self) -> None:
        # Keep the edits of the template being left, so switching back loses nothing.
        self.drafts[self.template] = self.text
        names = list(self.drafts)
        self.template = names[(names.index(self.template) + 1) % len(names)]
        self.query_one(TextArea).load_text(self.drafts[self.template])
        self.query_one("#composer-title", Label).update(self._title())

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {"composer-post": self.action_post, "composer-copy": self.action_copy, "composer-cancel": self.action_cancel}
        actions[event.button.id or ""]()
