"""The markdown post-mortem draft: everything the timeline knows, and empty analysis sections.

Text from the timeline is escaped for markdown (tables, strike-through) so an entry can
never break the document's structure; secrets are masked by the caller's Scrubber.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.config import Config
from app.domain.events import EntryKind, EventType, Milestone, StoredEvent
from app.domain.incident import IncidentState, TimelineItem
from app.config.incident import OBLIGATION_PREFIX
from app.config.postmortem import ACTION_ITEMS
from app.domain.action_items import action_items
from app.domain.metrics import incident_metrics
from app.domain.record_fields import shown_value
from app.domain.timers import obligations
from app.domain.scrub import Scrubber
from app.domain.timefmt import dual, human_duration, utc_iso


_MD_SPECIAL = re.compile(r"([\\`*_~|<>\[\]])")


def md(text: str) -> str:
    """One line of literal text inside markdown (tables, lists, strike-through)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def detected_by(state: IncidentState, events: list[StoredEvent]) -> str:
    for e in events:
        if e.type is EventType.OPENED and e.data.get("detected_by"):
            return str(e.data["detected_by"])
    for e in events:
        if e.type is EventType.MILESTONE_MARKED and e.data.get("milestone") == Milestone.DETECTED:
            return e.actor
    return state.opened_by


def md_cell(text: str) -> str:
    """Literal text in one table cell, keeping its lines (a pinned lock tree, an update)."""
    lines = [line.rstrip() for line in str(text).replace("\r\n", "\n").split("\n")]
    return "<br>".join("&nbsp;" * (len(line) - len(line.lstrip(" "))) + md(line) for line in lines if line.strip())


def _entry_cell(item: TimelineItem) -> str:
    if item.struck:
        return f"~~{md(item.text)}~~ (corrected by #{item.struck_by}: {md(item.strike_reason or '')})"
    return md_cell(item.text)


def silences_made(events: list[StoredEvent]) -> list[dict[str, Any]]:
    """Alertmanager silences created and expired from the alerts pane, with what they
    matched and who did it: the entries carry the silence as data (app/ui/panes/alerts_actions.py)."""
    out: list[dict[str, Any]] = []
    for e in events:
        silence = e.data.get("silence") if e.type is EventType.ENTRY_ADDED else None
        if not isinstance(silence, dict):
            continue
        item: dict[str, Any] = {"time": utc_iso(e.at), "by": e.actor}
        for key in ("action", "alertmanager", "id", "matchers", "ends_at", "comment", "error"):
            if silence.get(key) not in (None, ""):
                item[key] = silence[key]
        out.append(item)
    return out


def _silences(add: Callable[[str], None], events: list[StoredEvent], when: Callable[[datetime | None], str]) -> None:
    made = silences_made(events)
    if not made:
        add("No Alertmanager silences were created or expired from warroom.")
    for s in made:
        what = f"{md(s.get('action', '?'))} silence {md(s.get('id', ''))} on {md(s.get('alertmanager', '?'))}".replace("  ", " ")
        matchers = ", ".join(md(m) for m in s.get("matchers", []))
        until = f", until {when(_parse(s['ends_at']))}" if s.get("action") == "created" and s.get("ends_at") else ""
        error = f" — {md(s['error'])}" if s.get("error") else ""
        comment = f"; comment: {md(s['comment'])}" if s.get("comment") else ""
        add(f"- {when(_parse(s['time']))}, {md(s['by'])}: {what}{until}: {matchers}{comment}{error}")


def _parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None


def _deadlines(add, config: Config, state: IncidentState, now: datetime, when) -> None:
    """The countdowns as of this draft: due, met or overdue, each with its time."""
    from app.domain.timers import TimerState, format_remaining, incident_countdowns

    # What is owed after resolution has its own section (_obligations), with its state.
    items = [c for c in incident_countdowns(config, state, now) if not c.key.startswith(OBLIGATION_PREFIX)]
    if not items:
        return
    add("")
    add(f"| Deadline (as of {when(now)}) | Due | State |")
    add("|---|---|---|")
    for c in items:
        if c.state is TimerState.MET:
            shown = f"met {when(c.met_at)}" if c.met_at else "met"
        elif c.state is TimerState.OVERDUE:
            shown = f"OVERDUE by {format_remaining(-c.remaining)}"
        else:
            shown = f"{c.state}: {format_remaining(c.remaining)} left"
        add(f"| {md(c.label)} | {when(c.due_at)} | {shown} |")


def render_markdown(
    state: IncidentState, events: list[StoredEvent], config: Config, now: datetime, scrub: Scrubber
) -> str:
    tz = config.tzinfo()
    sev = config.severity(state.severity)
    impact_lines = [t.text for t in state.timeline if t.event_type is EventType.ENTRY_ADDED and not t.struck and t.text.lower().startswith("impact:")]
    impact = impact_lines[-1].split(":", 1)[1].strip() if impact_lines else next(
        (str(e.data["impact"]) for e in events if e.type is EventType.OPENED and e.data.get("impact")), "To be written."
    )
    out: list[str] = []
    add = out.append
    when = lambda at: dual(at, tz) if at else "-"  # noqa: E731
    add(f"# Post-mortem: {state.id}: {md(state.title)}")
    add("")
    add(f"_Draft generated by warroom at {when(now)} from the incident's timeline. Times are UTC, with the configured time zone in brackets._")
    add("")
    add("## Summary")
    add("")
    add("| | |")
    add("|---|---|")
    add(f"| Incident | {state.id} |")
    add(f"| Title | {md(state.title)} |")
    add(f"| Severity | {md(state.severity)}{' (' + md(sev.description) + ')' if sev and sev.description else ''} |")
    add(f"| Status | {state.status} |")
    add(f"| Opened | {when(state.opened_at)} by {md(state.opened_by)} |")
    add(f"| Detected by | {md(detected_by(state, events))} |")
    add(f"| Resolved | {when(state.milestones.get(Milestone.RESOLVED)) if not state.is_open else 'not yet'} |")
    add(f"| Duration | {human_duration(state.elapsed(now))}{'' if not state.is_open else ' (still open)'} |")
    add(f"| Impact | {md(impact)} |")
    values = state.fields
    for field in config.fields:
        add(f"| {md(field.shown)} | {md(shown_value(values.get(field.name)))} |")
    severity_changes = [t for t in state.timeline if t.event_type is EventType.SEVERITY_CHANGED]
    for item in severity_changes:
        add(f"| Severity change | {when(item.at)}: {md(item.text)} |")
    add("")
    add("## Roles")
    add("")
    contacts = {r.name: r.contact for r in config.roles if r.contact}
    if state.role_history:
        add("| Role | Held by | Contact | Handoffs |" if contacts else "| Role | Held by | Handoffs |")
        add("|---|---|---|---|" if contacts else "|---|---|---|")
        roles = list(dict.fromkeys(r.role for r in state.role_history))
        for role in roles:
            history = [r for r in state.role_history if r.role == role]
            handoffs = "; ".join(
                f"{md(r.previous or '-')} → {md(r.person or 'unassigned')} at {when(r.at)} (by {md(r.actor)})" for r in history
            )
            contact = f" {md(contacts.get(role, '-'))} |" if contacts else ""
            add(f"| {md(role)} | {md(state.roles.get(role, 'unassigned'))} |{contact} {handoffs} |")
    else:
        add("No roles were assigned.")
    for unfilled in config.unfilled_roles(state.severity, state.roles):
        add("")
        add(f"⚠ {md(unfilled.name)} unassigned (required at {md(state.severity)})")
    add("")
    add("## Milestones and metrics")
    add("")
    add("| Milestone | Time |")
    add("|---|---|")
    for milestone in Milestone:
        add(f"| {milestone.value.capitalize()} | {when(state.milestones.get(milestone))} |")
    for metric in incident_metrics(state, now):
        suffix = " (still running)" if metric.running else ""
        add(f"| {metric.label} | {metric.display.rstrip('…')}{suffix} |")
    _deadlines(add, config, state, now, when)
    corrections = [t for t in state.timeline if t.event_type is EventType.MILESTONE_CORRECTED]
    if corrections:
        add("")
        add("Milestone corrections: " + "; ".join(f"{md(t.text)} ({when(t.at)}, {md(t.actor)})" for t in corrections))
    add("")
    _obligations(add, state, config, now, when)
    add("## Timeline")
    add("")
    add("| # | Time | Who | Kind | Entry |")
    add("|---|---|---|---|---|")
    for item in state.timeline:
        add(f"| {item.seq} | {when(item.at)} | {md(item.actor)} | {md(item.kind)} | {_entry_cell(item)} |")
    add("")
    add("## Checklist")
    add("")
    marks = dict(state.checklist)
    defined = config.checklist_for(state.severity)
    if not defined and not marks:
        add("No checklist.")
    # The runbook's structure stays: a heading per phase, a sub-heading per group within it.
    phase = group = None

    def heading(text: str) -> None:
        if out[-1] != "":
            add("")
        add(text)
        add("")

    for check in defined:
        if check.phase != phase:
            phase, group = check.phase, check.phase
            heading(f"### {md(phase)}")
        if check.group != group:
            group = check.group
            heading(f"#### {md(group)}")
        mark = marks.pop(check.id, None)
        box = "x" if mark and mark.ticked else " "
        detail = f" ({'ticked' if mark.ticked else 'unticked'} {when(mark.at)} by {md(mark.actor)})" if mark else ""
        add(f"{'  ' * check.depth}- [{box}] {md(check.text)}{detail}")
    if marks:
        heading("### Ticked, no longer in the checklist")
    for mark in marks.values():  # ticks of items no longer in the config
        add(f"- [{'x' if mark.ticked else ' '}] {md(mark.text)} ({when(mark.at)} by {md(mark.actor)})")
    add("")
    add("## Actions taken")
    add("")
    actions = [t for t in state.timeline if t.event_type is EventType.ENTRY_ADDED and t.kind == EntryKind.ACTION]
    if not actions:
        add("No action entries were logged.")
    for item in actions:
        add(f"- {when(item.at)}, {md(item.actor)}: {_entry_cell(item)}")
    add("")
    add("## Alert silences")
    add("")
    _silences(add, events, when)
    add("")
    add("## Status updates sent")
    add("")
    if not state.updates:
        add("No status updates were posted.")
    for update in state.updates:
        template = update.data.get("template")
        add(f"### #{update.seq} at {when(update.at)} by {md(update.actor)}{f' ({md(template)})' if template else ''}")
        add("")
        for line in update.text.splitlines() or [""]:
            add(f"> {md(line)}" if line.strip() else ">")
        add("")
        deliveries = [d for d in state.deliveries if int(d.data.get("update", -1)) == update.seq]
        if not deliveries:
            add("Delivery: not sent to any webhook.")
        for d in deliveries:
            add(f"- {_delivery_line(d, when)}")
        add("")
    for section in config.postmortem.sections:
        add(f"## {md(section.title)}")
        add("")
        for question in section.questions:
            add(f"- {md(question)}")
        if section.questions:
            add("")
        if section.title.casefold() == ACTION_ITEMS.casefold():
            _action_items(add, state, when)
        else:
            add("_To be written._")
        add("")
    return scrub("\n".join(out))


def _action_items(add: Callable[[str], None], state: IncidentState, when: Callable[[datetime | None], str]) -> None:
    items = action_items(state)
    for item in items:
        owner = f"owner: {md(item.owner)}" if item.owner else "owner: _unassigned_"
        due = f"due: {when(item.due)}" if item.due else "due: _not set_"
        add(f"- [ ] {md(item.text)} ({owner}; {due}; #{item.seq} by {md(item.by)})")
    if not items:
        add("- [ ] _To be written._")


def _obligations(add: Callable[[str], None], state: IncidentState, config: Config, now: datetime, when) -> None:
    """What is owed after resolution ("post-mortem draft within 48h"), with its state."""
    severity = config.severity(state.severity)
    if severity is None or not severity.after_resolution:
        return
    add("## After resolution")
    add("")
    resolved = state.milestones.get(Milestone.RESOLVED) if not state.is_open else None
    if resolved is None:
        add("Owed once the incident is resolved: " + "; ".join(
            f"{md(o.what)} (within {human_duration(o.within)})" for o in severity.after_resolution) + ".")
        add("")
        return
    add("| Obligation | Due | State |")
    add("|---|---|---|")
    hours = config.incident.business_hours
    for c in obligations(state, severity, resolved, now, config.incident.due_soon, hours):
        shown = f"done {when(c.met_at)}" if c.met_at else str(c.state)
        add(f"| {md(c.label)} | {when(c.due_at)} | {shown} |")
    add("")


def _delivery_line(d: StoredEvent, when) -> str:
    data = d.data
    parts = []
    if data.get("status") and data.get("error") != f"HTTP {data['status']}":
        parts.append(f"HTTP {data['status']}")
    if data.get("attempts"):
        parts.append(f"{data['attempts']} attempt{'s' if data['attempts'] != 1 else ''}")
    detail = f" ({', '.join(parts)})" if parts else ""
    if data["ok"]:
        return f"✔ delivered to {md(data['target'])} at {when(d.at)}{detail}"
    return f"✖ FAILED to {md(data['target'])} at {when(d.at)}: {md(data.get('error') or 'unknown error')}{detail}"
