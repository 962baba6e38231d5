"""Incident response settings: severities, roles, checklists, the store."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from app.config.checklist_md import MarkdownTask, load_tasks
from app.config.files import UnreadableFile
from app.config.urls import parse_store_url
from app.config.types import STRICT, Duration, ItemText, Name

PHASES_HINT = "triage, mitigation, resolution, ..."


class EscalationStep(BaseModel):
    model_config = STRICT

    after: Duration
    """How long after the current severity was set this step is due, e.g. 30m (0: at once)."""
    to: Name
    """Who is brought in at this step, e.g. 'Engineering Manager'."""


class Severity(BaseModel):
    model_config = STRICT

    name: Name
    """Short name used everywhere, e.g. SEV1."""
    description: str = Field(default="", max_length=1000)
    """What qualifies an incident for this severity."""
    respond_within: Duration | None = None
    """Acknowledgement deadline after the incident is opened; null for none, 0 for due at once."""
    update_every: Duration | None = None
    """Cadence of status updates; null for no countdown (0 is refused: it would always be due)."""
    escalation: list[EscalationStep] = []
    """Escalation ladder, in order of `after`."""

    @field_validator("update_every")
    @classmethod
    def _cadence(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value <= timedelta(0):
            raise ValueError("a cadence of 0 would make an update due all the time; write null for no update countdown")
        return value

    @field_validator("escalation")
    @classmethod
    def _ascending(cls, steps: list[EscalationStep]) -> list[EscalationStep]:
        afters = [step.after for step in steps]
        if afters != sorted(afters):
            raise ValueError("escalation steps must be in ascending order of 'after'")
        return steps


def _m(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)


DEFAULT_SEVERITIES = [
    Severity(
        name="SEV1",
        description="Critical: complete outage or data loss, all customers affected",
        respond_within=_m(5),
        update_every=_m(15),
        escalation=[
            EscalationStep(after=_m(15), to="Engineering Manager"),
            EscalationStep(after=_m(30), to="Director of Engineering"),
            EscalationStep(after=_m(60), to="VP Engineering"),
        ],
    ),
    Severity(
        name="SEV2",
        description="Major: key functionality broken, significant customer impact",
        respond_within=_m(15),
        update_every=_m(30),
        escalation=[
            EscalationStep(after=_m(30), to="Engineering Manager"),
            EscalationStep(after=_m(120), to="Director of Engineering"),
        ],
    ),
    Severity(
        name="SEV3",
        description="Minor: partial degradation, limited customer impact",
        respond_within=_m(60),
        update_every=_m(120),
        escalation=[EscalationStep(after=_m(240), to="Engineering Manager")],
    ),
    Severity(
        name="SEV4",
        description="Low: no significant customer impact",
        respond_within=_m(24 * 60),
        update_every=None,
    ),
]

DEFAULT_ROLES = ["Incident Commander", "Tech Lead", "Communications Lead", "Scribe"]


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


class ChecklistItem(BaseModel):
    """An inline item written as a mapping, for what a plain string cannot say."""

    model_config = STRICT

    text: ItemText
    """The item as shown, e.g. 'Acknowledge the alert'."""
    milestone: MilestoneName | None = None
    """Ticking the item offers to mark this milestone (detected, acknowledged, mitigated,
    resolved) when the incident has not marked it yet."""


class MarkdownImport(BaseModel):
    """A runbook's checklist, read when the config is loaded."""

    model_config = STRICT

    file: str = Field(min_length=1)
    """Path to the markdown runbook, relative to the config file."""

    _tasks: list[MarkdownTask] = PrivateAttr(default_factory=list)
    _path: Path = PrivateAttr(default=Path("."))

    @model_validator(mode="after")
    def _read(self, info: ValidationInfo) -> MarkdownImport:
        base = Path((info.context or {}).get("base_dir", "."))
        path = (base / self.file).expanduser()
        shown = self.file if str(path.resolve()) == self.file else f"{self.file} ({path.resolve()})"
        try:
            tasks = load_tasks(path)
        except UnreadableFile as exc:
            raise ValueError(f"cannot read {shown}: {exc}") from None
        if not tasks:
            raise ValueError(f"{shown} has no '- [ ]' items and no numbered steps")
        self._tasks, self._path = tasks, path
        return self

    @property
    def tasks(self) -> list[MarkdownTask]:
        return self._tasks

    def yield_text(self, items: list[ChecklistItemDef]) -> str:
        """What the import gave, for check-config: '12 items under 3 headings from x.md'."""
        mine = [item for item in items if item.imported]
        groups = {(item.phase, item.group) for item in mine}
        return f"{len(mine)} item{'s' if len(mine) != 1 else ''} under {len(groups)} heading{'s' if len(groups) != 1 else ''} from {self._path}"


def _file_only(value: object) -> object:
    return {"file": value} if isinstance(value, str) else value


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "item"


class ChecklistPhase(BaseModel):
    model_config = STRICT

    phase: Name
    """Phase of the response this list belongs to, e.g. triage, mitigation, resolution."""
    severities: list[str] = []
    """Only for incidents of these severities; empty means every severity."""
    items: list[ItemText | ChecklistItem] = []
    """Inline checklist items: text, or {text: ..., milestone: acknowledged}."""
    from_markdown: Annotated[MarkdownImport | None, BeforeValidator(_file_only)] = None
    """A markdown runbook to import (see MarkdownImport): a path relative to the config
    file, or a mapping {file: ..., ...}."""

    _resolved: list[ChecklistItemDef] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> ChecklistPhase:
        if not self.items and not self.from_markdown:
            raise ValueError("give 'items' or 'from_markdown'")
        resolved: list[ChecklistItemDef] = []
        for j, entry in enumerate(self.items):
            if isinstance(entry, ChecklistItem):
                resolved.append(self._item(self.phase, entry.text, 0, entry.milestone, origin=f"items[{j}]"))
            else:
                resolved.append(self._item(self.phase, entry, 0, origin=f"items[{j}]"))
        if self.from_markdown:
            for task in self.from_markdown.tasks:
                resolved.append(self._item(task.heading or self.phase, task.text, task.depth, origin="from_markdown", imported=True))
        self._resolved = resolved
        return self

    def _item(
        self, group: str, text: str, depth: int, milestone: MilestoneName | None = None, *, origin: str, imported: bool = False
    ) -> ChecklistItemDef:
        return ChecklistItemDef(
            id=f"{_slug(self.phase)}/{_slug(group)}/{_slug(text)}",
            phase=self.phase,
            group=group,
            text=text,
            depth=depth,
            severities=list(self.severities),
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


class IncidentSettings(BaseModel):
    model_config = STRICT

    store: str | None = None
    """Where incidents are kept: sqlite:///path/to/file.db (default: warroom.db in the
    user data dir), or a team's shared PostgreSQL as a libpq URL or key=value string
    (postgresql://host/dbname, "service=incidents"); `warroom_schema=name` picks the schema
    (default warroom). See README: Where incidents are kept."""
    id_format: str = "INC-{year}-{seq:03d}"
    """Incident id pattern; {year} and {seq} (per-year counter) are filled in."""
    monitoring_window: Duration = timedelta(minutes=30)
    """How long to watch after mitigation before resolving."""
    due_soon: Duration = timedelta(minutes=5)
    """A countdown turns 'due soon' when less than this remains."""

    @field_validator("id_format")
    @classmethod
    def _id_format(cls, value: str) -> str:
        return check_id_format(value)

    @field_validator("store")
    @classmethod
    def _store(cls, value: str | None) -> str | None:
        if value is not None:
            parse_store_url(value)
        return value


# The id becomes part of file names (exports) and is typed by people: only these characters,
# only {year} and {seq} (zero-padded width allowed), nothing str.format could be talked into.
_ID_TEXT = re.compile(r"[A-Za-z0-9_.-]*")
_ID_FIELDS = {"year": re.compile(r"(04)?d?"), "seq": re.compile(r"(0[1-9][0-9]?)?d?")}
MAX_ID_LENGTH = 64


def check_id_format(value: str) -> str:
    import string

    try:
        parts = list(string.Formatter().parse(value))
    except ValueError as exc:
        raise ValueError(f"id_format is not a valid pattern: {exc}") from None
    fields: set[str] = set()
    for literal, field, spec, conversion in parts:
        if not _ID_TEXT.fullmatch(literal):
            raise ValueError(f"only letters, digits, '-', '_' and '.' may surround {{year}} and {{seq}} (got {literal!r})")
        if field is None:
            continue
        shown = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if field not in _ID_FIELDS or conversion:
            raise ValueError(f"{shown} is not allowed (use {{year}} and {{seq}}, e.g. INC-{{year}}-{{seq:03d}})")
        if not _ID_FIELDS[field].fullmatch(spec or ""):
            raise ValueError(f"{shown} is not allowed (a width is written like {{seq:03d}})")
        fields.add(field)
    if "seq" not in fields:
        raise ValueError("id_format must contain {seq}, e.g. INC-{year}-{seq:03d}")
    if ".." in value or value.startswith((".", "-")):
        raise ValueError("id_format must not start with '.' or '-' nor contain '..' (ids become file names)")
    if len(value.format(year=2026, seq=1)) > MAX_ID_LENGTH:
        raise ValueError(f"id_format gives ids longer than {MAX_ID_LENGTH} characters")
    return value
