"""The status lifecycle: the names an incident's status takes, in order, the last one
resolving it. Milestones (detected, acknowledged, mitigated, resolved) stay what the
metrics (TTA, TTM, TTR) count; a status may mark one on the way (`marks: mitigated`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from app.config.types import STRICT, ItemText, Name, check_name

RESOLVED = "resolved"
"""What a resolving status change stores, whatever the final status is called (its name is
kept beside it): stores, other terminals and older warrooms know an incident is over by it."""
DEFAULT_STATUSES = ["investigating", "identified", "monitoring", RESOLVED]


class StatusDef(BaseModel):
    """A status; in the file either a bare name (`- Mitigating`) or a mapping with `name`."""

    model_config = STRICT

    name: Name
    """As shown in the status strip, the `S` picker, updates and exports, e.g. Mitigating."""
    description: ItemText | None = None
    """What the status means, shown beside it in the `S` picker."""
    marks: Literal["acknowledged", "mitigated"] | None = None
    """Setting this status also marks that milestone (if not marked yet), so TTA / TTM count
    from it. The final status always marks `resolved`."""

    @model_validator(mode="before")
    @classmethod
    def _bare_name(cls, value: Any) -> Any:
        if not isinstance(value, (str, dict)):
            raise ValueError(f"expected a status name or a mapping with name: (got {str(value)[:24]})")
        return {"name": check_name(value)} if isinstance(value, str) else value


def default_statuses() -> list[StatusDef]:
    return [StatusDef(name=n) for n in DEFAULT_STATUSES]


StatusList = list[StatusDef]
STATUS_FIELD: Any = Field(default_factory=default_statuses, min_length=2)


def check_statuses(statuses: list[StatusDef]) -> None:
    seen: dict[str, int] = {}
    marked: dict[str, int] = {}
    last = len(statuses) - 1
    for i, status in enumerate(statuses):
        key = status.name.casefold()
        if key in seen:
            raise ValueError(f"statuses[{i}].name: {status.name!r} is already statuses[{seen[key]}] (case does not count: the CLI takes either)")
        seen[key] = i
        if key == RESOLVED and i != last:
            raise ValueError(f"statuses[{i}].name: 'resolved' can only be the last status (the last one resolves the incident)")
        if status.marks and i == 0:
            raise ValueError("statuses[0].marks: an incident opens in the first status without marking anything; put marks on a later status")
        if status.marks and i == last:
            raise ValueError(f"statuses[{i}].marks: the last status resolves the incident and marks 'resolved' itself")
        if status.marks in marked:
            raise ValueError(f"statuses[{i}].marks: {status.marks} is already marked by statuses[{marked[status.marks]}]")
        if status.marks:
            marked[status.marks] = i


def find_status(statuses: list[StatusDef], typed: str) -> StatusDef | None:
    """The status `typed` names, case aside; 'resolved' always names the last one."""
    key = typed.strip().casefold()
    found = next((s for s in statuses if s.name.casefold() == key), None)
    return found or (statuses[-1] if key == RESOLVED else None)
