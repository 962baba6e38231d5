"""The incident record's own fields: what a runbook's record asks for beyond what warroom
knows (detected_by, users_affected, revenue_lost, duration in minutes), typed so a value
typed at 3 a.m. is checked as it is typed."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.config.types import STRICT, ItemText, Name

FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


class RecordField(BaseModel):
    model_config = STRICT

    name: str
    """The key in the YAML record and for `warroom incident set`, e.g. users_affected
    (lower case letters, digits and _)."""
    label: Name | None = None
    """How the dashboard and the post-mortem name it, e.g. 'Users affected' (default: the name)."""
    type: Literal["text", "number", "duration", "choice"] = "text"
    """text (one line), number, duration (15m, 2h) or choice (one of `choices`)."""
    choices: list[Name] = Field(default_factory=list, max_length=50)
    """For type choice: the allowed values, e.g. [monitoring, customer, employee]."""
    description: ItemText | None = None
    """What to write there, shown when the value is asked for."""
    section: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,39}$")
    """Where the YAML record puts it, to match a runbook's record: e.g. impact for
    `impact: {users_affected: ..., revenue_lost: ...}` (the impact text is then its
    `summary`). Default: at the top level, where a field named like a key warroom fills
    (detected_by) takes its place."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not FIELD_NAME.fullmatch(value):
            raise ValueError(f"{value[:40]!r} is not a field name: lower case letters, digits and _, starting with a letter")
        return value

    @model_validator(mode="after")
    def _choices(self) -> RecordField:
        if self.type == "choice" and not self.choices:
            raise ValueError("a choice field needs its `choices`")
        if self.type != "choice" and self.choices:
            raise ValueError(f"`choices` only go with type: choice (this one is {self.type})")
        if len({c.casefold() for c in self.choices}) != len(self.choices):
            raise ValueError("a choice is listed twice")
        return self

    @property
    def shown(self) -> str:
        return self.label or self.name


def check_fields(fields: list[RecordField]) -> None:
    seen: dict[str, int] = {}
    for i, f in enumerate(fields):
        if f.name in seen:
            raise ValueError(f"fields[{i}].name: {f.name!r} is used twice (also fields[{seen[f.name]}])")
        seen[f.name] = i
