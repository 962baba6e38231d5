"""Modal screens of the alerts pane: one group's alerts in full, and the silence form.

Labels and annotations come from whoever sent the alert: shown literally (markup=False,
controls made visible by app/domain/text.py) and cut cleanly where they are huge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from urllib.parse import quote

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from app.collectors.alertmanager.model import AlertGroup
from app.collectors.base import now_utc
from app.collectors.transitions import format_age
from app.config.alertmanager import Matcher, check_silence_matchers, parse_matchers
from app.config.types import format_duration, parse_duration
from app.domain.text import multi_line, one_line

MAX_VALUE = 2000
"""Characters of one label or annotation shown in full view; a 10 KB value says how much more."""


def cut(text: str, limit: int) -> str:
    """One line, controls visible, at most `limit` characters (… at the cut)."""
    text = one_line(text)
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def cut_block(text: str, limit: int = MAX_VALUE) -> str:
    """Several lines allowed (a description), controls visible; a huge value says what is left out."""
    text = multi_line(text)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text) - limit} more characters)"


def when(at: datetime | None, now: datetime, tz: tzinfo | None) -> str:
    if at is None:
        return "?"
    return f"{at.astimezone(tz).strftime('%Y-%m-%d %H:%M:%S')} ({format_age(now - at)} ago)"


def pin_text(alertmanager: str, group: AlertGroup, now: datetime, tz: tzinfo | None) -> str:
    """The group as a timeline entry: what fires, how much, since when, what it says."""
    firing, quiet = group.counts()
    since = group.since.astimezone(tz).strftime("%H:%M:%S") if group.since else "?"
    age = format_age(now - group.since) if group.since else "?"
    state = f"{group.level.word}, {firing} firing" if firing else f"{quiet} silenced/inhibited"
    lines = [f"Alertmanager {alertmanager}: {cut(group.alertname, 120)} ({state}; since {since}, {age})"]
    if group.summary:
        lines.append(f"summary: {cut(group.summary, 300)}")
    common = {k: v for k, v in group.common_labels.items() if k != "alertname"}
    if common:
        lines.append("labels: " + cut(", ".join(f"{k}={v}" for k, v in sorted(common.items())), 300))
    for name, values in group.differing.items():
        lines.append(f"{cut(name, 60)}: " + cut(", ".join(values), 300))
    return "\n".join(lines)


class AlertGroupScreen(ModalScreen[None]):
    """Every alert of a group: labels, annotations, generator URL, state, silences."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="alerts.detail.close"),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, group: AlertGroup, alertmanager: str, tz: tzinfo | None, url: str = "") -> None:
        super().__init__()
        self.group, self.alertmanager, self.tz = group, alertmanager, tz
        self.url = url
        """The Alertmanager's base URL, for a link to the group in its own UI."""

    def compose(self) -> ComposeResult:
        now = now_utc()
        group = self.group
        firing, quiet = group.counts()
        with Vertical(id="alerts-detail", classes="alerts-dialog"):
            yield Static(cut(f"{group.alertname} on {self.alertmanager}: {firing} firing"
                             + (f", {quiet} silenced/inhibited" if quiet else ""), 200),
                         classes="alerts-dialog-title", markup=False)
            with VerticalScroll(id="alerts-detail-body"):
                for i, alert in enumerate(group.alerts, 1):
                    state = alert.state + (" (silenced by " + ", ".join(alert.silenced_by) + ")" if alert.silenced_by else "")
                    state += " (inhibited)" if alert.inhibited_by else ""
                    head = f"#{i} {alert.level.symbol} {alert.level.word} {alert.severity or '(no severity)'} · {state}"
                    yield Static(cut(head, 300), classes="alerts-detail-head", markup=False)
                    yield Static(f"  since: {when(alert.starts_at, now, self.tz)}", markup=False)
                    for key, value in sorted(alert.labels.items()):
                        yield Static(f"  {cut(key, 60)} = {cut_block(value)}", classes="alerts-label", markup=False)
                    for key, value in sorted(alert.annotations.items()):
                        yield Static(f"  {cut(key, 60)}: {cut_block(value)}", classes="alerts-annotation", markup=False)
                    if alert.generator_url:
                        yield Static(f"  source: {cut(alert.generator_url, MAX_VALUE)}", classes="alerts-link", markup=False)
                    if alert.receivers:
                        yield Static(f"  receivers: {cut(', '.join(alert.receivers), 300)}", markup=False)
            if self.url:
                link = f"{self.url}/#/alerts?silenced=true&inhibited=true&filter=" + quote(str(Matcher("alertname", group.alertname)))
                yield Static(f"in Alertmanager: {cut(link, MAX_VALUE)}", classes="alerts-link", markup=False)
            yield Static("Esc closes", classes="alerts-dialog-hint")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class SilenceRequest:
    matchers: list[Matcher]
    duration: timedelta
    comment: str


class SilenceFormScreen(ModalScreen["SilenceRequest | None"]):
    """Matchers (proposed: exactly this group), duration and comment, all editable; what the
    matchers select is counted as you type. Sending is confirmed on the next screen."""

    BINDINGS = [Binding("escape", "back", "Back", id="alerts.silence.back")]

    def __init__(self, alertmanager: str, group: AlertGroup, matchers: list[Matcher], duration: timedelta,
                 comment: str, all_labels: list[dict[str, str]]) -> None:
        super().__init__()
        self.alertmanager, self.group = alertmanager, group
        self.matchers_text = ", ".join(map(str, matchers))
        self.duration_text = format_duration(duration)
        self.comment = comment
        self.all_labels = all_labels
        """Labels of every alert the pane knows on this Alertmanager, to count what would be silenced."""

    def compose(self) -> ComposeResult:
        with Vertical(id="alerts-silence", classes="alerts-dialog"):
            yield Label(cut(f"Silence {self.group.alertname} on {self.alertmanager}", 200), classes="alerts-dialog-title")
            yield Label("Matchers")
            yield Input(self.matchers_text, id="silence-matchers")
            yield Static("", id="silence-preview", markup=False)
            yield Label("Duration (e.g. 30m, 1h, 2h30m)")
            yield Input(self.duration_text, id="silence-duration")
            yield Label("Comment")
            yield Input(self.comment, id="silence-comment")
            yield Static("", id="silence-error", classes="alerts-error", markup=False)
            with Horizontal(id="silence-buttons"):
                yield Button("Silence…", id="silence-ok", variant="warning")
                yield Button("Back", id="silence-back", variant="primary")
            yield Static("Enter in a field or Silence… asks once more · Esc back", classes="alerts-dialog-hint")

    def on_mount(self) -> None:
        self._preview()
        self.query_one("#silence-matchers", Input).focus()

    @on(Input.Changed, "#silence-matchers")
    def _preview(self) -> None:
        preview = self.query_one("#silence-preview", Static)
        try:
            matchers = parse_matchers(self.query_one("#silence-matchers", Input).value)
            check_silence_matchers(matchers)
        except ValueError as exc:
            preview.update(cut(f"⚠ {exc}", 200))
            return
        hits = [labels for labels in self.all_labels if all(m.matches(labels) for m in matchers)]
        mine = sum(1 for labels in hits if labels.get("alertname") == self.group.alertname)
        others = len(hits) - mine
        text = f"selects {mine} of the {len(self.group.alerts)} alerts of this group"
        if others:
            text += f" and ⚠ {others} other alert{'s' if others != 1 else ''}"
        preview.update(text)

    def request(self) -> SilenceRequest | None:
        error = self.query_one("#silence-error", Static)
        try:
            matchers = parse_matchers(self.query_one("#silence-matchers", Input).value)
            check_silence_matchers(matchers)
        except ValueError as exc:
            error.update(cut(f"Matchers: {exc}", 200))
            return None
        try:
            duration = parse_duration(self.query_one("#silence-duration", Input).value)
        except ValueError as exc:
            error.update(cut(f"Duration: {exc}", 200))
            return None
        if duration.total_seconds() < 60:
            error.update("Duration: at least 1m")
            return None
        comment = self.query_one("#silence-comment", Input).value.strip()
        if not comment:
            error.update("Comment: Alertmanager needs one (say why)")
            return None
        return SilenceRequest(matchers, duration, comment)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "silence-ok":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        request = self.request()
        if request is not None:
            self.dismiss(request)

    def action_back(self) -> None:
        self.dismiss(None)
