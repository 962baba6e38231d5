"""Response roles: a name, and optionally the duties, how to reach the holder, from which
severity the role must be filled, and which role leads (the commander)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, StrictBool, model_validator

from app.config.types import STRICT, Contact, ItemText, Name, check_name

DEFAULT_COMMANDER = "Incident Commander"
MAX_DUTIES = 20


class Role(BaseModel):
    """A role; in the file either a bare name (`- Scribe`) or a mapping with `name`."""

    model_config = STRICT

    name: Name
    """Shown everywhere the role is, e.g. Tech Lead."""
    duties: list[ItemText] = Field(default_factory=list, max_length=MAX_DUTIES)
    """What the holder does, one line each: shown when assigning the role and in its help."""
    contact: Contact | None = None
    """How to reach the person or rotation (pager, Slack handle, URL); shown beside the role."""
    required_from: Name | None = None
    """A severity: the role must be filled at this severity and every more severe one. An
    unfilled required role is shown as a warning in the incident panel and `warroom status`."""
    commander: StrictBool = False
    """This role leads the incident (at most one role). Handing it off asks first; its holder
    is `$commander` in templates and logs what every terminal sees alike. Default: the role
    named Incident Commander, else the first role."""

    @model_validator(mode="before")
    @classmethod
    def _bare_name(cls, value: Any) -> Any:
        # Configs written before roles had settings list bare names: they keep working.
        # Checked here so a bad bare name is reported at roles[i], where the person wrote it.
        if not isinstance(value, (str, dict)):
            raise ValueError(f"expected a role name or a mapping with name: (got {str(value)[:24]})")
        return {"name": check_name(value)} if isinstance(value, str) else value


def commander_of(roles: list[Role]) -> str:
    marked = [r.name for r in roles if r.commander]
    if marked:
        return marked[0]
    names = [r.name for r in roles]
    return DEFAULT_COMMANDER if DEFAULT_COMMANDER in names else names[0]


def check_roles(roles: list[Role], severities: list[str]) -> None:
    """Across roles and severities: one commander at most, known severities."""
    marked = [i for i, r in enumerate(roles) if r.commander]
    if len(marked) > 1:
        a, b = marked[:2]
        raise ValueError(
            f"roles[{b}].commander: {roles[a].name!r} (roles[{a}]) is already the commander; only one role may have commander: true"
        )
    for i, role in enumerate(roles):
        if role.required_from is not None and role.required_from not in severities:
            raise ValueError(f"roles[{i}].required_from: unknown severity {role.required_from!r} (known: {', '.join(severities)})")


def required_roles(roles: list[Role], severities: list[str], severity: str) -> list[Role]:
    """The roles that must be filled at `severity` (severities are listed most severe first).
    A severity this config does not know (an incident opened under another config) needs none."""
    if severity not in severities:
        return []
    rank = severities.index(severity)
    return [r for r in roles if r.required_from is not None and rank <= severities.index(r.required_from)]
