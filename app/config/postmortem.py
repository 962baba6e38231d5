"""What is owed after an incident: obligations with deadlines per severity ("post-mortem
draft within 24 hours", "review within a week") and the post-mortem's own sections."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from app.config.types import STRICT, Duration, ItemText, Name

ACTION_ITEMS = "Action items"
"""The section that lists the action items (owner, due date) taken during the incident."""


class Obligation(BaseModel):
    model_config = STRICT

    what: ItemText
    """What is owed, e.g. 'Post-mortem draft shared'. Shown as a countdown once the incident
    is resolved, and as an item of the checklist's 'after resolution' phase: ticking it meets it."""
    within: Duration
    """How long after resolution it is due, e.g. 24h, 7d (on the severity's clock)."""


class PostmortemSection(BaseModel):
    model_config = STRICT

    title: Name
    """The section's heading, e.g. 'Response evaluation'. A section titled 'Action items'
    lists the action items logged during the incident."""
    questions: list[ItemText] = Field(default_factory=list, max_length=50)
    """Questions the section must answer, printed under its heading (e.g. the five whys)."""


DEFAULT_SECTIONS = [
    PostmortemSection(title="Root cause"),
    PostmortemSection(title="Contributing factors"),
    PostmortemSection(title=ACTION_ITEMS),
    PostmortemSection(title="Lessons learned"),
]


class PostmortemSettings(BaseModel):
    model_config = STRICT

    sections: list[PostmortemSection] = Field(default_factory=lambda: list(DEFAULT_SECTIONS), min_length=1, max_length=50)
    """The analysis sections of the post-mortem draft, after what the timeline knows."""

    @field_validator("sections")
    @classmethod
    def _unique(cls, sections: list[PostmortemSection]) -> list[PostmortemSection]:
        seen: set[str] = set()
        for section in sections:
            key = section.title.casefold()
            if key in seen:
                raise ValueError(f"section {section.title!r} is listed twice")
            seen.add(key)
        return sections
