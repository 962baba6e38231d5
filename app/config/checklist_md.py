"""Import a markdown runbook's checklist, grouped under its headings.

`- [ ]` task items are the checklist when a runbook has any. Many runbooks have none and
write their procedure as numbered steps ("1. **Acknowledge the alert** in ..."): those
runbooks give their numbered steps instead, so pointing warroom at the runbook a team
already has just works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_TASK = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+(.*\S)\s*$")
_STEP = re.compile(r"^(\s*)\d{1,3}[.)]\s+(?!\[[ xX]\]\s)(.*\S)\s*$")
_EMPHASIS = re.compile(r"(\*\*|__|`)")


@dataclass(frozen=True)
class MarkdownTask:
    heading: str | None
    text: str
    depth: int
    done_in_source: bool


def decode(raw: bytes) -> str:
    """Runbooks come from wikis and Windows editors: accept BOMs, UTF-16 and cp1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _clean(text: str) -> str:
    return _EMPHASIS.sub("", text).strip()


def parse_tasks(text: str, *, steps: bool = False) -> list[MarkdownTask]:
    """`- [ ]` items; with `steps`, numbered list items (not in code fences) instead."""
    item_pattern = _STEP if steps else _TASK
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tasks: list[MarkdownTask] = []
    heading: str | None = None
    fence: str | None = None
    previous = ""
    for line in lines:
        fence_match = _FENCE.match(line)
        if fence is not None:
            if fence_match and fence_match.group(1)[0] == fence[0] and len(fence_match.group(1)) >= len(fence):
                fence = None
            previous = ""
            continue
        if fence_match:
            fence = fence_match.group(1)
            previous = ""
            continue
        atx = _ATX.match(line)
        if atx:
            heading = _clean(atx.group(2)) or heading
            previous = ""
            continue
        task = item_pattern.match(line)
        if task:
            indent = task.group(1).replace("\t", "    ")
            tasks.append(
                MarkdownTask(
                    heading=heading,
                    text=_clean(task.group(item_pattern.groups)),  # the text is the last group
                    depth=len(indent) // 2 if not steps else min(len(indent) // 3, 3),
                    done_in_source=not steps and task.group(2) in "xX",
                )
            )
            previous = ""
            continue
        if _SETEXT.match(line) and previous.strip() and not previous.lstrip().startswith(("-", "*", "+")):
            heading = _clean(previous)
            previous = ""
            continue
        previous = line
    return tasks


def load_tasks(path: Path) -> list[MarkdownTask]:
    """Raises UnreadableFile for anything but a regular file of at most 1 MiB (a runbook
    path pointing at /dev/zero or a FIFO must not eat memory or hang the start)."""
    from app.config.files import MAX_RUNBOOK_BYTES, read_regular

    text = decode(read_regular(path, MAX_RUNBOOK_BYTES))
    return parse_tasks(text) or parse_tasks(text, steps=True)
