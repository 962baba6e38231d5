"""Incident response settings: severities, roles, checklists, the store."""

from __future__ import annotations

import re
from datetime import timedelta

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# The checklist models moved to app/config/checklists.py; imported here for older callers.
from app.config.checklists import (
    DEFAULT_CHECKLISTS,
    ChecklistItem,
    ChecklistItemDef,
    ChecklistPhase,
    MilestoneName,
    check_checklist_ids,
)
from app.config.business_hours import BusinessHours
from app.config.postmortem import Obligation
from app.config.urls import parse_store_url
from app.config.types import STRICT, Duration, Name

PHASES_HINT = "triage, mitigation, resolution, ..."


UNLESS_WORDS = ("mitigated", "acknowledged", "resolved")


class Unless(BaseModel):
    """What makes an escalation step unnecessary. Written as one word, or as
    `{progress_within: 15m}` for a runbook's "15 min: if no progress, bring in the team lead"."""

    model_config = STRICT

    milestone: Literal["mitigated", "acknowledged", "resolved"] | None = None
    progress_within: Duration | None = None

    @model_validator(mode="before")
    @classmethod
    def _words(cls, value: object) -> object:
        if isinstance(value, str):
            word = value.strip().lower()
            if word not in UNLESS_WORDS:
                raise ValueError(f"expected one of {', '.join(UNLESS_WORDS)} or {{progress_within: 15m}} (got {value[:40]!r})")
            return {"milestone": word}
        if isinstance(value, dict) and set(value) != {"progress_within"} and "milestone" not in value:
            raise ValueError("expected one of mitigated, acknowledged, resolved or {progress_within: 15m}")
        return value

    @model_validator(mode="after")
    def _one(self) -> Unless:
        if (self.milestone is None) == (self.progress_within is None):
            raise ValueError("give either a milestone (mitigated, acknowledged, resolved) or progress_within")
        if self.progress_within is not None and self.progress_within <= timedelta(0):
            raise ValueError("progress_within must be longer than 0")
        return self

    @property
    def label(self) -> str:
        """How the countdown names the condition ('' for the default, mitigated)."""
        if self.progress_within is not None:
            return "if no progress"
        return {"acknowledged": "if not acknowledged", "resolved": "if unresolved"}.get(self.milestone or "", "")


class EscalationStep(BaseModel):
    model_config = ConfigDict(**STRICT, populate_by_name=True)  # `from` is a keyword in Python

    after: Duration
    """How long after the current severity was set (or the opening, with `from: opened`)
    this step is due, e.g. 30m (0: at once)."""
    to: Name
    """Who is brought in at this step, e.g. 'Engineering Manager'."""
    contact: Name | None = None
    """How to reach them, e.g. 'eng-manager@example.com' or '@em-oncall' (in the escalation entry)."""
    unless: Unless = Unless(milestone="mitigated")
    """What makes the step unnecessary: mitigated (default), acknowledged, resolved, or
    {progress_within: 15m}: a step is due only if nothing moved (an action or decision
    entry, a milestone, a status change, a ticked checklist item) in that time before it."""
    from_: Literal["severity_set", "opened"] = Field(default="severity_set", validation_alias="from")
    """What `after` counts from: when the current severity was set (default; raising the
    severity starts its ladder afresh) or when the incident was opened."""


class Severity(BaseModel):
    model_config = STRICT

    name: Name
    """Short name used everywhere, e.g. SEV1."""
    description: str = Field(default="", max_length=1000)
    """What qualifies an incident for this severity."""
    respond_within: Duration | None = None
    """Acknowledgement deadline after the incident is opened (met by the acknowledged
    milestone); null for none, 0 for due at once."""
    first_response_within: Duration | None = None
    """For runbooks that give response and acknowledgement apart ("30-minute response,
    2-hour acknowledgment"): someone acts on the incident (an entry, a role taken, a
    milestone, a status or severity change, a tick, an update) within this after opening."""
    update_every: Duration | None = None
    """Cadence of status updates; null for no countdown (0 is refused: it would always be due)."""
    escalation: list[EscalationStep] = []
    """Escalation ladder, in order of `after`."""
    update_on_status_change: bool = False
    """A status change makes the next status update due at once ("every 15 minutes or
    when the status changes"); the cadence runs again from that update."""
    after_resolution: list[Obligation] = Field(default_factory=list, max_length=50)
    """What is owed once resolved, each with its deadline, e.g.
    [{what: Post-mortem draft, within: 48h}, {what: Corrective actions done, within: 30d}]."""
    clock: Literal["wall", "business"] = "wall"

    """`business`: this severity's timers count only `incident.business_hours` (a runbook's
    "next business day"); `wall` (default): every minute counts."""

    @field_validator("update_every")
    @classmethod
    def _cadence(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value <= timedelta(0):
            raise ValueError("a cadence of 0 would make an update due all the time; write null for no update countdown")
        return value

    @field_validator("after_resolution")
    @classmethod
    def _distinct(cls, obligations: list[Obligation]) -> list[Obligation]:
        seen: dict[str, int] = {}
        for i, obligation in enumerate(obligations):
            key = obligation_id(obligation.what)
            if key in seen:
                raise ValueError(f"{obligation.what[:60]!r} is listed twice ([{seen[key]}] and [{i}])")
            seen[key] = i
        return obligations

    @field_validator("escalation")
    @classmethod
    def _ascending(cls, steps: list[EscalationStep]) -> list[EscalationStep]:
        for base in ("severity_set", "opened"):
            afters = [step.after for step in steps if step.from_ == base]
            if afters != sorted(afters):
                raise ValueError("escalation steps must be in ascending order of 'after'" + (" (among those `from: opened`)" if base == "opened" else ""))
        return steps


AFTER_RESOLUTION = "after resolution"
"""The checklist phase that holds a severity's obligations after resolution."""


OBLIGATION_PREFIX = "after-resolution/"


def obligation_id(what: str) -> str:
    """The checklist id of an obligation: ticking it meets it."""
    slug = re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-")[:60] or "item"
    return f"{OBLIGATION_PREFIX}{slug}"


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


__all__ = [
    "DEFAULT_CHECKLISTS",
    "DEFAULT_ROLES",
    "DEFAULT_SEVERITIES",
    "ChecklistItem",
    "ChecklistItemDef",
    "ChecklistPhase",
    "EscalationStep",
    "IncidentSettings",
    "MilestoneName",
    "Severity",
    "check_checklist_ids",
    "check_id_format",
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
    business_hours: BusinessHours | None = None
    """The team's working hours, for severities with `clock: business`, e.g.
    {timezone: America/New_York, days: [mon, tue, wed, thu, fri], start: '09:00', end: '17:00'}."""

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
