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
from app.config.notify import DEFAULT_AUDIENCE
from app.domain.incident import IncidentState
from app.domain.templates import available_drafts, render_update

TEMPLATE_LABELS = {"initial": "initial notification", "update": "periodic update", "resolution": "resolution"}


def draft_key(audience: str, template: str) -> str:
    """'update' for the internal audience, 'customer/update' for another."""
    return template if audience == DEFAULT_AUDIENCE else f"{audience}/{template}"


def split_key(key: str) -> tuple[str, str]:
    audience, _, template = key.rpartition("/")
    return audience or DEFAULT_AUDIENCE, template


@dataclass(frozen=True)
class ComposedUpdate:
    """What the commander decided to post."""

    text: str
    template: str
    audience: str = DEFAULT_AUDIENCE


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

    def __init__(
        self, drafts: dict[str, str], template: str, *, incident: str = "", targets: dict[str, list[str]] | None = None
    ) -> None:
        """drafts: text per draft key (draft_key(audience, template): 'update', 'customer/update');
        template: the key shown first; targets: receivers per audience."""
        super().__init__()
        if template not in drafts:
            raise ValueError(f"no draft for template {template!r}")
        self.drafts = dict(drafts)
        self.template = template
        self.incident = incident
        self.targets = dict(targets or {})

    @classmethod
    def for_incident(cls, state: IncidentState, config: Config, now: datetime, *, opened_impact: str | None = None) -> UpdateComposer:
        """Every audience's every template filled from the incident; for each audience the one
        its state calls for comes first, the internal audience first of all."""
        drafts = {
            draft_key(audience, name): render_update(state, config, now, template=name, opened_impact=opened_impact, audience=audience).text
            for audience, name in available_drafts(state, config)
        }
        targets: dict[str, list[str]] = {}
        for hook in config.notify.webhooks:
            targets.setdefault(hook.audience, []).append(hook.name)
        return cls(drafts, next(iter(drafts)), incident=state.id, targets=targets)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title(), id="composer-title", classes="composer-title")
            yield TextArea(self.drafts[self.template], id="composer-text", soft_wrap=True, show_line_numbers=False)
            yield Label(self._sent_to(), id="composer-targets", classes="composer-hint")
            yield Label(Text("ctrl+s post · ctrl+o copy · ctrl+t next template or audience · esc cancel"), classes="composer-hint")
            with Horizontal():
                yield Button("Copy", id="composer-copy")
                yield Button("Cancel", id="composer-cancel")
                yield Button("Post", id="composer-post", variant="primary")

    def _title(self) -> Text:
        where = f" for {self.incident}" if self.incident else ""
        audience, template = split_key(self.template)
        who = "" if audience == DEFAULT_AUDIENCE else f"{audience} · "
        return Text(f"Status update{where}: {who}{TEMPLATE_LABELS.get(template, template)}")

    def _sent_to(self) -> Text:
        audience, _ = split_key(self.template)
        names = self.targets.get(audience, [])
        sent_to = ", ".join(names) if names else f"no webhook for the {audience} audience"
        return Text(f"Post records it (resets the update countdown), copies it and sends it to: {sent_to}")

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
        audience, template = split_key(self.template)
        self.dismiss(ComposedUpdate(text, template, audience))

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
        self.query_one("#composer-targets", Label).update(self._sent_to())

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {"composer-post": self.action_post, "composer-copy": self.action_copy, "composer-cancel": self.action_cancel}
        actions[event.button.id or ""]()
