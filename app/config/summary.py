"""What `warroom check-config` prints: the config as warroom understood it, one line per
topic, so a difference from what was meant shows before an incident does."""

from __future__ import annotations

from datetime import timedelta

from app.config.incident import EscalationStep
from app.config.model import Config
from app.config.types import format_duration


def _d(value: timedelta | None) -> str:
    if value is None:
        return "none"
    return "at once" if value == timedelta(0) else format_duration(value)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _step(step: EscalationStep) -> str:
    since = " from opening" if step.from_ == "opened" else ""
    text = f"after {format_duration(step.after)}{since}: {step.to}" + (f" [{step.contact}]" if step.contact else "")
    if step.unless.progress_within is not None:
        return f"{text} if no progress in {format_duration(step.unless.progress_within)}"
    return f"{text} unless {step.unless.milestone}" if step.unless.milestone != "mitigated" else text


def summary_lines(config: Config) -> list[str]:
    lines = [f"config: {config.source or 'built-in defaults (no file found)'}"]
    sevs = ", ".join(
        f"{s.name} ({f'first response {_d(s.first_response_within)}, ' if s.first_response_within is not None else ''}"
        f"acknowledge {_d(s.respond_within)}, update every {_d(s.update_every)}"
        f"{' or on a status change' if s.update_on_status_change else ''}, "
        f"{_count(len(s.escalation), 'escalation step')}{', business hours' if s.clock == 'business' else ''})"
        for s in config.severities
    )
    lines.append(f"severities: {sevs}")
    if config.incident.business_hours is not None:
        lines.append(f"business hours: {config.incident.business_hours.describe()}")
    for s in config.severities:
        if s.escalation:
            ladder = "; ".join(_step(step) for step in s.escalation)
            lines.append(f"escalation {s.name}: {ladder}")
    lines.extend(_role_lines(config))
    if config.fields:
        described = ", ".join(
            f"{f.name} ({'one of ' + '/'.join(f.choices) if f.choices else f.type}{', in ' + f.section if f.section else ''})"
            for f in config.fields
        )
        lines.append(f"record fields: {described}")
    shown = [f"{s.name} (marks {s.marks})" if s.marks else s.name for s in config.statuses]
    lines.append("statuses: " + " → ".join(shown) + " (resolves)")
    phases: dict[str, int] = {}
    for entry in config.checklists:
        for item in entry.resolved:
            phases[item.phase] = phases.get(item.phase, 0) + 1
    total = sum(phases.values())
    detail = ", ".join(f"{name} {n}" for name, n in phases.items())
    lines.append(f"checklist: {_count(total, 'item')} in {_count(len(phases), 'phase')}" + (f" ({detail})" if detail else ""))
    for i, entry in enumerate(config.checklists):
        if entry.from_markdown is not None:
            mine = [item for item in entry.resolved if item.imported]
            groups = len({(item.phase, item.group) for item in mine})
            limited = sum(1 for item in mine if item.severities != list(entry.severities))
            text = entry.from_markdown.yield_text(len(mine), groups)
            text += f"; {limited} only for some severities" if limited else ""
            lines.append(f"checklists[{i}] from_markdown: {text}")
    return lines


def _role_lines(config: Config) -> list[str]:
    """One line for the names (the commander marked), one per role that says more."""
    commander = config.commander_role
    lines = ["roles: " + ", ".join(f"{r.name} (commander)" if r.name == commander else r.name for r in config.roles)]
    for role in config.roles:
        said = []
        if role.required_from:
            said.append(f"required from {role.required_from}")
        if role.contact:
            said.append(f"contact {role.contact}")
        if role.duties:
            said.append(f"{len(role.duties)} {'duty' if len(role.duties) == 1 else 'duties'}")
        if said:
            lines.append(f"role {role.name}: {'; '.join(said)}")
    return lines
