"""The hostile payloads every surface is fed, and the check that none of them got out raw."""

from __future__ import annotations

import re

PAYLOADS = {
    "clear": "clear\x1b[2Jscreen",
    "title": "set\x1b]0;pwned\x07title",
    "clipboard": "clip\x1b]52;c;aGVsbG8=\x07board",
    "c1": "csi\x9b31mred",
    "cr": "over\rwrite",
    "bell": "ring\x07bell",
    "newline": "first\nSECONDLINE ✔ OK fake",
    "markup": "[bold red]not markup[/]",
}
# What must never reach a terminal: C0 controls (tab and, where lines are allowed, newline
# aside), DEL and C1 controls.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def raw_controls(text: str, *, lines: bool = True) -> list[str]:
    found = RAW.findall(text)
    if not lines:
        found += re.findall("[\n]", text)
    return sorted({repr(c) for c in found})
