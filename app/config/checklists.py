"""Checklists per phase: typed into the config, or imported from a markdown runbook."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, PrivateAttr, model_validator

from app.config.runbook_import import MarkdownImport
from app.config.types import STRICT, ItemText, Name

MilestoneName = Literal["detected", "acknowledged", "mitigated", "resolved"]
"""The incident milestones (app.domain.events.Milestone; config sits below the domain)."""


class ChecklistItemDef(BaseModel):
    """One resolved checklist item; `id` is stable across restarts so ticks keep their meaning."""

    id: str
    phase: str
    group: str
    text: str
    depth: int = 0
    severities: list[str] = []
    milestone: MilestoneName | None = None
    origin: str = Field(default="", exclude=True)
    """Where in the checklist entry it came from (items[2], from_markdown), for error messages."""
    imported: bool = Field(default=False, exclude=True)
    after_resolution: bool = Field(default=False, exclude=True)
    """An obligation of the severity, due after resolution (not open business at resolving)."""


class ChecklistItem(BaseModel):
    """An inline item written as a mapping, for what a plain string cannot say."""

    model_config = STRICT

    text: ItemText
    """The item as shown, e.g. 'Acknowledge the alert'."""
    milestone: MilestoneName | None = None
    """Ticking the item offers to mark this milestone (detected, acknowledged, mitigated,
    resolved) when the incident has not marked it yet."""


def _file_only(value: object) -> object:
    return {"file": value} if isinstance(value, str) else value


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "item"


class ChecklistPhase(BaseModel):
    model_config = STRICT

    phase: Name | None = None
    """Phase of the response this list belongs to, e.g. triage, mitigation, resolution.
    Required, except for an import with `phase_from: headings` (there it names the phase of
    steps that sit above the first sub-heading; default: the section's heading)."""
    severities: list[str] = []
    """Only for incidents of these severities; empty means every severity."""
    items: list[ItemText | ChecklistItem] = []
    """Inline checklist items: text, or {text: ..., milestone: acknowledged}."""
    from_markdown: Annotated[MarkdownImport | None, BeforeValidator(_file_only)] = None
    """A markdown runbook: a path relative to the config file (every step of the file), or
    {file, section, phase_from, severities_from} (see README: Runbook import)."""

    _resolved: list[ChecklistItemDef] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _resolve(self) -> ChecklistPhase:
        if not self.items and not self.from_markdown:
            raise ValueError("give 'items' or 'from_markdown'")
        by_headings = self.from_markdown is not None and self.from_markdown.phase_from == "headings"
        if self.phase is None and not by_headings:
            raise ValueError("'phase' is missing (name the phase, or import with phase_from: headings)")
        own_phase = self.phase or "checklist"
        resolved: list[ChecklistItemDef] = []
        for j, entry in enumerate(self.items):
            text, milestone = (entry.text, entry.milestone) if isinstance(entry, ChecklistItem) else (entry, None)
            resolved.append(self._item(own_phase, own_phase, text, 0, list(self.severities), milestone, origin=f"items[{j}]"))
        if self.from_markdown:
            for got in self.from_markdown.items(self.phase, self.severities):
                resolved.append(
                    self._item(got.phase, got.group, got.text, got.depth, got.severities, origin="from_markdown", imported=True)
                )
        self._resolved = resolved
        return self

    def _item(
        self,
        phase: str,
        group: str,
        text: str,
        depth: int,
        severities: list[str],
        milestone: MilestoneName | None = None,
        *,
        origin: str,
        imported: bool = False,
    ) -> ChecklistItemDef:
        return ChecklistItemDef(
            id=f"{_slug(phase)}/{_slug(group)}/{_slug(text)}",
            phase=phase,
            group=group,
            text=text,
            depth=depth,
            severities=severities,
            milestone=milestone,
            origin=origin,
            imported=imported,
        )

    @property
    def resolved(self) -> list[ChecklistItemDef]:
        return self._resolved


def _overlap(a: list[str], b: list[str]) -> bool:
    return not a or not b or bool(set(a) & set(b))


def check_checklist_ids(phases: list[ChecklistPhase]) -> None:
    """Every incident's checklist must hold each id once: the dashboard keys its rows and
    the store its ticks by id. The same text in the same phase and heading for the same
    severity is refused when both were typed into the config (a copy-paste slip); a runbook
    that repeats a step gets the repeat its own id (-2, -3), as the runbook means two steps.
    Entries for disjoint severities may share ids on purpose: a tick carries over when the
    severity changes."""
    seen: dict[str, list[tuple[int, ChecklistItemDef]]] = {}
    for i, phase in enumerate(phases):
        for item in phase.resolved:
            base, n = item.id, 2
            while True:
                clash = next((c for c in seen.get(item.id, []) if _overlap(c[1].severities, item.severities)), None)
                if clash is None:
                    break
                j, other = clash
                if not item.imported and not other.imported:
                    raise ValueError(
                        f"checklists[{i}].{item.origin}: {item.text[:60]!r} is listed twice in phase {item.phase!r} "
                        f"(also checklists[{j}].{other.origin}); remove one or word them apart"
                    )
                item.id = f"{base}-{n}"
                n += 1
            seen.setdefault(item.id, []).append((i, item))


DEFAULT_CHECKLISTS = [
    {
        "phase": "triage",
        "items": [
            {"text": "Acknowledge the alert", "milestone": "acknowledged"},
            "Take command and announce it in the incident channel",
            "Assign roles: Tech Lead, Communications Lead, Scribe",
            "Assess severity and customer impact",
            "Check recent deployments and changes",
        ],
    },
    {
        "phase": "mitigation",
        "items": [
            "Decide: roll back or fix forward",
            "Update the status page",
            "Post a status update on cadence",
        ],
    },
    {
        "phase": "resolution",
        "items": [
            "Verify the issue is resolved",
            "Monitor for 30 minutes",
            "Send the all-clear message",
            "Stand down the incident team",
            "Schedule the post-mortem",
        ],
    },
]
