"""Silencing from the alerts pane: the form, the confirmation, the request, the timeline entry.

Both writes (create, expire) are confirmed with Back as the default, and their outcome, done
or failed, goes to the timeline as an action entry carrying the silence as data, so the
post-mortem export can list the silences created and expired (app/domain/record.py).
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, Protocol

from rich.text import Text

from app.collectors.alertmanager import AlertmanagerCollector
from app.collectors.alertmanager.model import AlertGroup, AlertsData, Silence, matchers_for_group
from app.collectors.base import now_utc
from app.config.types import format_duration
from app.ui.panes.alerts_screens import SilenceFormScreen, SilenceRequest, cut
from app.ui.screens.confirm import ConfirmScreen



class AlertsPane(Protocol):
    """What these flows need of the pane (app/ui/panes/alerts.py), without importing it back."""

    @property
    def app(self) -> Any: ...
    tz: tzinfo | None
    operator: str
    data: dict[str, AlertsData]

    def remember(self, name: str, silence: Silence | None, silence_id: str) -> None: ...
    def forget(self, silence_id: str) -> None: ...
    def post_request(self, text: str, kind: str, extra: dict[str, Any] | None = None) -> None: ...
    def notify(self, message: str, *, severity: Any = ..., markup: bool = ...) -> None: ...


def default_comment(pane: AlertsPane, group: AlertGroup) -> str:
    state = getattr(pane.app, "state", None)
    if state is not None and getattr(state, "is_open", False):
        return one_line_title(f"{state.id}: {state.title} (silenced from warroom: {group.alertname})")
    return f"silenced from warroom: {group.alertname}"


def one_line_title(text: str) -> str:
    return cut(text, 400)


def _hhmm(at: Any, tz: tzinfo | None) -> str:
    return at.astimezone(tz).strftime("%H:%M") if at is not None else "?"


async def silence_flow(pane: AlertsPane, collector: AlertmanagerCollector, group: AlertGroup) -> None:
    data = pane.data.get(collector.name)
    all_labels = [a.labels for g in data.groups for a in g.alerts] if data else [a.labels for a in group.alerts]
    form = SilenceFormScreen(collector.name, group, matchers_for_group(group), collector.target.silence_duration,
                             default_comment(pane, group), all_labels)
    request: SilenceRequest | None = await pane.app.push_screen_wait(form)
    if request is None:
        return
    ends = now_utc() + request.duration
    details = [
        Text(f"Matchers: {cut(', '.join(map(str, request.matchers)), 600)}"),
        Text(f"For {format_duration(request.duration)}, until {_hhmm(ends, pane.tz)}"),
        Text(f"Comment: {cut(request.comment, 400)}"),
        Text(f"Created by: {pane.operator}"),
        Text("Notifications for matching alerts stop until it ends or is expired (E)."),
    ]
    confirmed = await pane.app.push_screen_wait(
        ConfirmScreen(f"Create a silence on Alertmanager {collector.name}?", details, action="Create silence")
    )
    if not confirmed:
        return
    result = await collector.create_silence(request.matchers, request.duration, pane.operator, request.comment)
    matchers = ", ".join(map(str, request.matchers))
    if result.ok:
        pane.remember(collector.name, await collector.silence(result.silence_id), result.silence_id)
        text = (f"Alertmanager {collector.name}: silence {result.silence_id} created by {pane.operator} for "
                f"{format_duration(request.duration)} (until {_hhmm(ends, pane.tz)}): {matchers}; comment: {request.comment}")
    else:
        text = f"Alertmanager {collector.name}: silence by {pane.operator} FAILED: {result.message} (matchers: {matchers})"
    extra = {"silence": {
        "action": "created" if result.ok else "create failed", "alertmanager": collector.name, "id": result.silence_id,
        "matchers": [str(m) for m in request.matchers], "ends_at": ends.isoformat().replace("+00:00", "Z"),
        "comment": request.comment, "ok": result.ok, **({} if result.ok else {"error": result.message}),
    }}
    pane.post_request(one_line_title(text), "action", extra)
    pane.notify(cut(result.message, 300), severity="information" if result.ok else "error", markup=False)


async def expire_flow(pane: AlertsPane, collector: AlertmanagerCollector, silence: Silence) -> None:
    details = [
        Text(f"Matchers: {cut(silence.matchers_text, 600)}"),
        Text(f"Until {_hhmm(silence.ends_at, pane.tz)}, created by {cut(silence.created_by, 80)}"),
        Text(f"Comment: {cut(silence.comment, 400)}"),
        Text("Matching alerts notify again at once."),
    ]
    confirmed = await pane.app.push_screen_wait(
        ConfirmScreen(f"Expire silence {silence.id[:8]} on Alertmanager {collector.name}?", details, action="Expire silence")
    )
    if not confirmed:
        return
    result = await collector.expire_silence(silence.id)
    outcome = "expired" if result.ok else f"expiry FAILED: {result.message}"
    text = f"Alertmanager {collector.name}: silence {silence.id} {outcome} by {pane.operator} ({silence.matchers_text})"
    extra = {"silence": {
        "action": "expired" if result.ok else "expire failed", "alertmanager": collector.name, "id": silence.id,
        "matchers": [str(m) for m in silence.matchers], "comment": silence.comment, "ok": result.ok,
        **({} if result.ok else {"error": result.message}),
    }}
    if result.ok:
        pane.forget(silence.id)
    pane.post_request(one_line_title(text), "action", extra)
    pane.notify(cut(result.message, 300), severity="information" if result.ok else "error", markup=False)
