"""`from_markdown:` a runbook's steps as checklist items, by section, with its headings as
phases or groups, and severity markers such as "(for P0/P1 incidents)" understood."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from app.config.checklist_md import Heading, MarkdownTask, clean_heading, parse_markdown, read_runbook
from app.config.files import UnreadableFile
from app.config.types import STRICT

SEVERITY_NAMES_KEY = "severity_names"
"""Validation-context key under which Config leaves its severity names for the import."""
_SPLIT = re.compile(r"\s*(?:/|,|&|\band\b|\bor\b)\s*", re.IGNORECASE)
_NUMBERING = re.compile(r"^\d{1,3}[.)]\s+")


def _norm(name: str) -> str:
    """SEV-1, sev 1 and SEV1 are one name; so are '2. Initial Response:' and 'initial response'."""
    return re.sub(r"[^a-z0-9]+", "", name.lower())


def _short(text: str, limit: int = 120) -> str:
    """A path or heading quoted in a one-line error: a 10 KB value must not become the line."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _heading_key(title: str) -> str:
    return _norm(_NUMBERING.sub("", clean_heading(title)))


@dataclass(frozen=True)
class ImportedItem:
    phase: str
    group: str
    text: str
    depth: int
    severities: list[str]
    line: int


class MarkdownImport(BaseModel):
    """A runbook's steps, read when the config is loaded: `- [ ]` items, numbered steps and
    numbered lines in plain ``` blocks, outside templates and code."""

    model_config = STRICT

    file: str = Field(min_length=1)
    """Path to the markdown runbook, relative to the config file."""
    section: str | None = Field(default=None, min_length=1, max_length=300)
    """Take only this section: a heading's text, matched without its numbering, trailing
    colon, case or spacing ('Post-Incident Activities' finds '### 5. Post-Incident
    Activities:'). Where a heading repeats, give its path: 'High Error Rate (P1) > Resolution Actions'."""
    phase_from: Literal["headings"] | None = None
    """headings: each heading right below the section (or below the runbook's title) is a
    phase of its own; deeper headings group the steps within it."""
    severities_from: list[str] = []
    """Markers that limit a step, or every step under a heading, to some severities, written
    with ... where the names go: "(for ... incidents)", "(...)". The marker is dropped from
    the text. Names match the config's severities ignoring case, spaces and dashes (SEV-1 is
    SEV1; SEV1/2 is SEV1 and SEV2); a marker naming an unknown severity is an error."""

    _items: list[ImportedItem] = PrivateAttr(default_factory=list)
    _path: Path = PrivateAttr(default=Path("."))
    _left_out: int = PrivateAttr(default=0)
    _parsed: tuple[list[Heading], list[MarkdownTask]] = PrivateAttr(default=([], []))
    _names: list[str] = PrivateAttr(default_factory=list)
    _compiled: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _memo: dict[str, list[str] | None] = PrivateAttr(default_factory=dict)

    @field_validator("severities_from", mode="before")
    @classmethod
    def _markers(cls, value: object) -> object:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or len(values) > 10:
            raise ValueError("write a marker such as '(for ... incidents)', or a list of at most 10 markers")
        for marker in values:
            if isinstance(marker, str) and (marker.count("...") != 1 or len(marker) > 100):
                raise ValueError(
                    f"write each marker (at most 100 characters) with ... where the severity names go, "
                    f"e.g. '(for ... incidents)' (got {marker[:40]!r})"
                )
        return values

    @model_validator(mode="after")
    def _read(self, info: ValidationInfo) -> MarkdownImport:
        context = info.context if isinstance(info.context, dict) else {}
        path = (Path(context.get("base_dir", ".")) / self.file).expanduser()
        shown = _short(self.file) if str(path.resolve()) == self.file else f"{_short(self.file)} ({_short(str(path.resolve()))})"
        try:
            self._parsed = parse_markdown(read_runbook(path))
        except UnreadableFile as exc:
            raise ValueError(f"cannot read {shown}: {exc}") from None
        self._path = path
        self._names = list(context.get(SEVERITY_NAMES_KEY, []))
        self._compiled = self._patterns()
        self.items(None, [])  # every mistake in the section or the markers shows at load time
        return self

    def items(self, phase: str | None, severities: list[str]) -> list[ImportedItem]:
        """The steps as checklist items of an entry with this phase and severities."""
        headings, tasks = self._parsed
        root = self._root(headings)
        if root is not None:
            end = next((h.line for h in headings if h.line > root.line and h.level <= root.level), None)
            tasks = [t for t in tasks if t.line > root.line and (end is None or t.line < end)]
        elif headings and sum(1 for h in headings if h.level == headings[0].level) == 1:
            root = headings[0]  # a runbook's single title is not a phase
        out: list[ImportedItem] = []
        left_out = 0
        for task in tasks:
            inner = [h for h in task.headings if root is None or h.line > root.line]
            marked: set[str] | None = None
            for text in [h.title for h in task.headings] + [task.text]:
                names = self._marked(text, task.line)
                if names is not None:
                    marked = set(names) if marked is None else marked & set(names)
            allowed = list(severities)
            if marked is not None:
                allowed = [n for n in (severities or self._names) if n in marked]
                if not allowed:
                    left_out += 1
                    continue
            titles = [self._title(h.title) for h in inner]
            own = phase or (self._title(root.title) if root else "checklist")
            if self.phase_from == "headings":
                item_phase = titles[0] if titles else own
                group = titles[-1] if len(titles) > 1 else item_phase
            else:
                item_phase = own
                group = titles[-1] if titles else (self._title(root.title) if root else own)
            out.append(ImportedItem(item_phase, group, self._unmarked(task.text), task.depth, allowed, task.line))
        if not out:
            where = f"section {_short(self.section, 60)!r} of {_short(self.file)}" if self.section else _short(self.file)
            why = f" ({left_out} for other severities)" if left_out else ""
            raise ValueError(f"{where} has no '- [ ]' items and no numbered steps{why}")
        self._left_out = left_out
        return out

    def _root(self, headings: list[Heading]) -> Heading | None:
        if self.section is None:
            return None
        path = [_heading_key(part) for part in self.section.split(">")]
        matches = []
        for i, heading in enumerate(headings):
            if _heading_key(self._unmarked(heading.title)) != path[-1] and _heading_key(heading.title) != path[-1]:
                continue
            ancestors: list[str] = []
            level = heading.level
            for earlier in reversed(headings[:i]):
                if earlier.level < level:
                    ancestors.insert(0, _heading_key(self._unmarked(earlier.title)))
                    ancestors.insert(0, _heading_key(earlier.title))
                    level = earlier.level
            remaining = path[:-1]
            for key in ancestors:
                if remaining and key == remaining[0]:
                    remaining.pop(0)
            if not remaining:
                matches.append(heading)
        if not matches:
            known = ", ".join(repr(_short(h.title, 40)) for h in headings[:8]) + (", ..." if len(headings) > 8 else "")
            raise ValueError(f"{_short(self.file)} has no heading {_short(self.section, 60)!r} (headings: {known or 'none'})")
        if len(matches) > 1:
            lines = ", ".join(str(h.line) for h in matches)
            raise ValueError(
                f"{_short(self.section, 60)!r} is the heading of {len(matches)} sections of {_short(self.file)} (lines {lines}); "
                "give its path, e.g. 'Parent heading > " + self.section.split(">")[-1].strip() + "'"
            )
        return matches[0]

    def _patterns(self) -> list[re.Pattern[str]]:
        out = []
        for marker in self.severities_from:
            before, after = (re.escape(part.strip()) for part in marker.split("..."))
            space = r"\s*"
            out.append(re.compile(f"{space}{before}{space}(?P<names>[^()\n]+?){space}{after}", re.IGNORECASE))
        return out

    def _marked(self, text: str, line: int) -> list[str] | None:
        """The severities a marker in the text names, or None when there is no marker."""
        if text in self._memo:  # headings repeat for every step below them
            return self._memo[text]
        self._memo[text] = found = self._find_marker(text, line)
        return found

    def _find_marker(self, text: str, line: int) -> list[str] | None:
        known = {_norm(n): n for n in self._names}
        for pattern in self._compiled:
            for match in pattern.finditer(text):
                names: list[str] = []
                unknown: list[str] = []
                prefix = ""
                for token in (t for t in _SPLIT.split(match.group("names")) if t):
                    if token.isdigit() and prefix:  # SEV1/2: the 2 borrows SEV
                        token = prefix + token
                    prefix = re.sub(r"\d+$", "", token)
                    hit = known.get(_norm(token))
                    (names if hit else unknown).append(hit or token)
                if not names:
                    continue  # "(First 15 minutes)": not a list of severities
                if unknown:
                    raise ValueError(
                        f"{_short(self.file)} line {line}: {match.group(0).strip()!r} names {unknown[0]!r}, which is not a severity "
                        f"(known: {', '.join(self._names)})"
                    )
                return names
        return None

    def _unmarked(self, text: str) -> str:
        if self._marked(text, 0) is None:
            return text
        for pattern in self._compiled:
            stripped = text
            for match in reversed(list(pattern.finditer(text))):
                if self._marked(match.group(0), 0) is not None:
                    stripped = stripped[: match.start()] + stripped[match.end() :]
            text = stripped
        return clean_heading(text) or text

    def _title(self, heading: str) -> str:
        """A heading as a phase or group name: '### 2. Initial Response (P0):' -> 'Initial
        Response' (the order is kept by position; a number would be noise in the name)."""
        return _NUMBERING.sub("", self._unmarked(heading)) or heading

    def yield_text(self, resolved_count: int, groups: int) -> str:
        """What the import gave, for check-config."""
        left = f"; {self._left_out} for other severities left out" if self._left_out else ""
        where = f"section {self.section!r} of {self._path}" if self.section else str(self._path)
        return (
            f"{resolved_count} item{'s' if resolved_count != 1 else ''} under {groups} heading{'s' if groups != 1 else ''} "
            f"from {where}{left}"
        )


__all__ = ["ImportedItem", "MarkdownImport", "MarkdownTask", "SEVERITY_NAMES_KEY"]
