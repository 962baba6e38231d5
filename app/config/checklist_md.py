"""Import a markdown runbook's checklist, keeping its structure.

Runbooks write their procedure in several ways, often in one file: `- [ ]` task items,
numbered steps ("1. **Acknowledge the alert** in ..."), and numbered steps inside plain
``` blocks (a common way to keep a list together). All three are steps; each keeps the
headings above it, so a section can be taken alone and its sub-headings can become phases.

What is not a step: code (```bash blocks, even with "# 1." comments: a script, not a
checklist), plain bullets (symptoms, questions, contacts), tables, and templates: a
section whose heading says "template", or a ```markdown block, is the shape of a document
(a post-mortem, a notification), and its numbered section names are not things to tick.

The text is parsed with markdown-it-py (CommonMark), which rich already brings along.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it.token import Token

_FENCE_STEP = re.compile(r"^(\s*)\d{1,3}[.)]\s+(.*\S)\s*$")
_TASK = re.compile(r"^\[([ xX])\]\s+")
_TEMPLATE = re.compile(r"\btemplates?\b", re.IGNORECASE)
# Fences whose content is prose a person reads (so a numbered list in one is a procedure).
_PLAIN_FENCES = {"", "text", "txt", "plain", "plaintext"}
MAX_TEXT = 300


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    line: int


@dataclass(frozen=True)
class MarkdownTask:
    heading: str | None
    """The nearest heading above the item (cleaned), or None before the first heading."""
    text: str
    depth: int
    done_in_source: bool
    line: int = 0
    """1-based line in the file."""
    headings: tuple[Heading, ...] = field(default=())
    """Every heading above the item, outermost first."""
    kind: str = "task"
    """task (`- [ ]`), step (numbered list) or fenced (numbered line in a plain ``` block)."""


def decode(raw: bytes) -> str:
    """Runbooks come from wikis and Windows editors: accept BOMs, UTF-16 and cp1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def clean_heading(title: str) -> str:
    """'Resolution:' -> 'Resolution'; emphasis and surrounding space gone."""
    return re.sub(r"\s+", " ", title).strip().rstrip(":").strip()


def _inline_text(token: Token) -> str:
    """The visible text of an inline token: emphasis, code marks and link targets dropped."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    text = re.sub(r"\s+", " ", "".join(parts)).strip()
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _control_free(text: str) -> str:
    return "".join(c if c in "\n\t" or (ord(c) >= 0x20 and not 0x7F <= ord(c) < 0xA0) else " " for c in text)


def parse_markdown(text: str) -> tuple[list[Heading], list[MarkdownTask]]:
    """Every heading, and every step (task items, numbered steps, numbered lines in plain
    fences) outside templates, in document order."""
    from markdown_it import MarkdownIt  # here: only a config that imports a runbook pays for it

    tokens = MarkdownIt("commonmark").parse(_control_free(text.replace("\r\n", "\n").replace("\r", "\n")))
    headings: list[Heading] = []
    tasks: list[MarkdownTask] = []
    stack: list[Heading] = []
    lists: list[str] = []  # the open lists, innermost last: "bullet" or "ordered"
    item_seen: list[bool] = []  # per open list item: has its text been taken yet?
    for i, token in enumerate(tokens):
        line = (token.map[0] + 1) if token.map else 0
        if token.type == "heading_open":
            level = int(token.tag[1])
            title = clean_heading(_inline_text(tokens[i + 1]))
            heading = Heading(level, title, line)
            headings.append(heading)
            while stack and stack[-1].level >= level:
                stack.pop()
            stack.append(heading)
            continue
        if any(_TEMPLATE.search(h.title) for h in stack):
            continue
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append("ordered" if token.type == "ordered_list_open" else "bullet")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            item_seen.append(False)
        elif token.type == "list_item_close":
            item_seen.pop()
        elif token.type == "inline" and item_seen and not item_seen[-1] and tokens[i - 1].type == "paragraph_open":
            item_seen[-1] = True
            raw = token.content
            task = _TASK.match(raw)
            if task is None and lists[-1] != "ordered":
                continue
            body = _inline_text(token)
            if task:
                body = _TASK.sub("", body, count=1)
            body = clean_heading(body)
            if body:
                tasks.append(
                    MarkdownTask(
                        heading=stack[-1].title if stack else None,
                        text=body,
                        depth=len(lists) - 1,
                        done_in_source=task is not None and task.group(1) in "xX",
                        line=line,
                        headings=tuple(stack),
                        kind="task" if task else "step",
                    )
                )
        elif token.type == "fence" and token.info.strip().lower() in _PLAIN_FENCES:
            for offset, content in enumerate(token.content.split("\n")):
                step = _FENCE_STEP.match(content)
                if step:
                    body = clean_heading(re.sub(r"(\*\*|__|`)", "", step.group(2)))[:MAX_TEXT]
                    indent = len(step.group(1).replace("\t", "    "))
                    tasks.append(
                        MarkdownTask(
                            heading=stack[-1].title if stack else None,
                            text=body,
                            depth=min(indent // 3, 3),
                            done_in_source=False,
                            line=line + 1 + offset,
                            headings=tuple(stack),
                            kind="fenced",
                        )
                    )
    return headings, tasks


def parse_tasks(text: str) -> list[MarkdownTask]:
    return parse_markdown(text)[1]


def read_runbook(path: Path) -> str:
    """Raises UnreadableFile for anything but a regular file of at most 1 MiB (a runbook
    path pointing at /dev/zero or a FIFO must not eat memory or hang the start)."""
    from app.config.files import MAX_RUNBOOK_BYTES, read_regular

    return decode(read_regular(path, MAX_RUNBOOK_BYTES))


def load_tasks(path: Path) -> list[MarkdownTask]:
    return parse_tasks(read_runbook(path))
