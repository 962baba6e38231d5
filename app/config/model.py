"""The whole configuration file as one validated model."""

from __future__ import annotations

import getpass
import re
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from app.config.incident import (
    AFTER_RESOLUTION,
    DEFAULT_CHECKLISTS,
    DEFAULT_ROLES,
    DEFAULT_SEVERITIES,
    ChecklistItemDef,
    ChecklistPhase,
    IncidentSettings,
    Severity,
    check_checklist_ids,
    obligation_id,
)
from app.config.fields import RecordField, check_fields
from app.config.notify import NotifySettings, check_template_names
from app.config.postmortem import PostmortemSettings
from app.config.alertmanager import AlertmanagerTarget
from app.config.error_rates import ErrorRate
from app.config.health import HealthCheck
from app.config.kubernetes import KubernetesTarget
from app.config.postgres import PostgresTarget
from app.config.timeline import AutoTimelineSettings
from app.config.roles import Role, check_roles, commander_of, required_roles
from app.config.runbook_import import SEVERITY_NAMES_KEY
from app.config.statuses import STATUS_FIELD, StatusDef, check_statuses, find_status
from app.config.types import STRICT, check_zone


DUTIES = "duties"
"""The checklist phase of the roles' duties (one heading per role)."""


def _unique(names: list[str]) -> None:
    first: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in first:
            raise ValueError(f"{name!r} is used twice ([{first[name]}] and [{i}]); names must be unique")
        first[name] = i


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Config(BaseModel):
    model_config = STRICT

    incident: IncidentSettings = IncidentSettings()
    """Incident store and id format."""
    severities: list[Severity] = Field(default_factory=lambda: list(DEFAULT_SEVERITIES), min_length=1, validate_default=True)
    """Severity levels, most severe first."""
    roles: list[Role] = Field(default_factory=lambda: [Role(name=n) for n in DEFAULT_ROLES], min_length=1)
    """Response roles that can be assigned: bare names, or mappings with duties, contact,
    required_from and commander (see app/config/roles.py)."""
    statuses: list[StatusDef] = STATUS_FIELD
    """The status lifecycle in order: bare names or mappings with description and marks; the
    last one resolves the incident. Default: investigating, identified, monitoring, resolved."""
    checklists: list[ChecklistPhase] = Field(
        default_factory=lambda: [ChecklistPhase.model_validate(c) for c in DEFAULT_CHECKLISTS]
    )
    """Checklists per phase (optionally per severity)."""
    timezone: str = "local"
    """Time zone for display: 'local' or an IANA name like Europe/Berlin. Stored times are UTC."""
    operator: str = Field(default_factory=_os_user, min_length=1)
    """Who is at this terminal; recorded as the actor of every event. Default: the OS user."""
    health: list[HealthCheck] = []
    """HTTP health checks."""
    error_rates: list[ErrorRate] = []
    """Error rates from Prometheus or a /metrics endpoint."""
    postgres: list[PostgresTarget] = []
    """PostgreSQL databases to watch."""
    kubernetes: list[KubernetesTarget] = []
    """Kubernetes clusters to watch."""
    alertmanager: list[AlertmanagerTarget] = []
    """Alertmanager instances whose firing alerts are shown (and silenced, where allowed)."""
    notify: NotifySettings = NotifySettings()
    """Delivery of status updates."""
    auto_timeline: AutoTimelineSettings = AutoTimelineSettings()
    """When live checks write observations to the open incident by themselves."""
    fields: list[RecordField] = Field(default_factory=list, max_length=50)
    """The incident record's own fields (detected_by, users_affected, revenue_lost ...), typed;
    set with R in the dashboard or `warroom incident set`, carried by every export."""
    postmortem: PostmortemSettings = PostmortemSettings()
    """The post-mortem draft's analysis sections and their questions."""

    source: Path | None = Field(default=None, exclude=True)
    """Set by the loader: the file this came from (not a config key)."""

    @field_validator("operator")
    @classmethod
    def _operator(cls, value: str) -> str:
        # The operator is every event's actor: a control character would reach every screen.
        if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value) or not value.strip():
            raise ValueError("must be a name on one line, without control characters")
        return value.strip()

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return check_zone(value)

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: list[Role]) -> list[Role]:
        _unique([r.name for r in value])
        return value

    @field_validator("severities")
    @classmethod
    def _severities(cls, value: list[Severity], info: ValidationInfo) -> list[Severity]:
        _unique([s.name for s in value])
        if isinstance(info.context, dict):
            # Checklists are validated after severities (field order): a runbook import
            # reads severity markers such as "(for P0/P1 incidents)" against these names.
            info.context[SEVERITY_NAMES_KEY] = [s.name for s in value]
        return value

    @model_validator(mode="after")
    def _cross_checks(self) -> Config:
        names = [s.name for s in self.severities]
        for i, severity in enumerate(self.severities):
            if severity.clock == "business" and self.incident.business_hours is None:
                raise ValueError(f"severities[{i}].clock: 'business' needs incident.business_hours (the team's working hours)")
        check_checklist_ids(self.checklists)
        check_roles(self.roles, names)
        check_statuses(self.statuses)
        check_template_names(self.notify, self.role_names, names)
        check_fields(self.fields)
        for i, phase in enumerate(self.checklists):
            for sev in phase.severities:
                if sev not in names:
                    raise ValueError(f"checklists[{i}].severities: unknown severity {sev!r} (known: {', '.join(names)})")
        for section in ("health", "error_rates", "postgres", "kubernetes", "alertmanager"):
            counts = Counter(item.name for item in getattr(self, section))  # not list.count: 20,000 checks
            dupes = sorted(n for n, count in counts.items() if count > 1)
            if dupes:
                raise ValueError(f"{section}: duplicate name {dupes[0]!r}")
        return self

    @property
    def role_names(self) -> list[str]:
        return [r.name for r in self.roles]

    @property
    def commander_role(self) -> str:
        """The role that leads: marked `commander: true`, else Incident Commander, else the first."""
        return commander_of(self.roles)

    def role(self, name: str) -> Role | None:
        return next((r for r in self.roles if r.name == name), None)

    def unfilled_roles(self, severity: str, holders: dict[str, str]) -> list[Role]:
        """Roles required at `severity` that nobody holds."""
        return [r for r in required_roles(self.roles, [s.name for s in self.severities], severity) if not holders.get(r.name)]

    @property
    def status_names(self) -> list[str]:
        return [s.name for s in self.statuses]

    @property
    def final_status(self) -> str:
        """The status that resolves the incident (the last one)."""
        return self.statuses[-1].name

    def find_status(self, typed: str) -> StatusDef | None:
        return find_status(self.statuses, typed)

    def _duty_items(self, severity: str | None) -> list[ChecklistItemDef]:
        """Each role's duties as the checklist's "duties" phase, one heading per role: for the
        roles this severity requires, and roles required at no particular severity."""
        names = [s.name for s in self.severities]
        required = {r.name for r in required_roles(self.roles, names, severity)} if severity in names else set()
        out: list[ChecklistItemDef] = []
        for role in self.roles:
            if role.duties and (role.required_from is None or role.name in required):
                role_slug = re.sub(r"[^a-z0-9]+", "-", role.name.lower()).strip("-") or "role"
                for duty in role.duties:
                    item_id = base = f"duties/{role_slug}/{re.sub(r'[^a-z0-9]+', '-', duty.lower()).strip('-')[:60] or 'duty'}"
                    n = 2
                    while any(item.id == item_id for item in out):  # two duties that read alike
                        item_id, n = f"{base}-{n}", n + 1
                    out.append(ChecklistItemDef(id=item_id, phase=DUTIES, group=role.name, text=duty))
        return out

    def field(self, name: str) -> RecordField | None:
        return next((f for f in self.fields if f.name == name), None)

    def severity(self, name: str) -> Severity | None:
        return next((s for s in self.severities if s.name == name), None)

    def checklist_for(self, severity: str | None) -> list[ChecklistItemDef]:
        items: list[ChecklistItemDef] = []
        for phase in self.checklists:
            # an imported step may be limited further than its entry, by a severity marker
            items.extend(item for item in phase.resolved if not item.severities or severity in item.severities)
        items.extend(self._duty_items(severity))
        sev = self.severity(severity) if severity else None
        if sev is not None:
            items.extend(
                ChecklistItemDef(
                    id=obligation_id(o.what), phase=AFTER_RESOLUTION, group=AFTER_RESOLUTION,
                    text=o.what, severities=[sev.name], after_resolution=True,
                )
                for o in sev.after_resolution
            )
        return items

    def tzinfo(self):
        return None if self.timezone == "local" else ZoneInfo(self.timezone)
