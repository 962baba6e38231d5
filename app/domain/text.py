"""Text from outside, made safe to show: one function for every surface.

Strings from targets (pod names, event messages, query text, health bodies, labels), from
the store (entries another client wrote) and from people (titles, operator names) may carry
terminal control sequences: ESC starts one that clears the screen, sets the window title
or writes the clipboard (OSC 52); a bare CR or a newline fakes a line of output. Such
characters are shown, never sent: C0 controls as their Unicode control pictures (ESC as
``␛``), DEL as ``␡``, C1 controls as ``\\x9b``; where one line is expected a line break is
shown as ``↵``. Printable text, including any language's, passes unchanged.
"""

from __future__ import annotations

import re
from typing import Any

_C0 = {code: chr(0x2400 + code) for code in range(0x20)}
_BASE = {**_C0, 0x7F: "␡", 0x2028: "↵", 0x2029: "↵", **{code: f"\\x{code:02x}" for code in range(0x80, 0xA0)}}
_ONE_LINE = {**_BASE, 0x0A: "↵", 0x0D: "↵", 0x09: " "}
_MULTI_LINE = {**{k: v for k, v in _BASE.items() if k not in (0x0A, 0x09)}, 0x0D: "", 0x2028: "\n", 0x2029: "\n"}
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CRLF = re.compile("\r\n")


def one_line(text: str) -> str:
    """For a table cell, a title, a name: controls visible, line breaks as ↵, tabs as spaces."""
    if not _UNSAFE.search(text):
        return text
    return _CRLF.sub("\n", text).translate(_ONE_LINE)


def multi_line(text: str) -> str:
    """For text that may span lines (a query, a status update): newlines and tabs are
    kept; a CR (which returns to the line start and overwrites it) is dropped."""
    if not _UNSAFE.search(text):
        return text
    return text.translate(_MULTI_LINE)


def from_bytes(data: bytes, limit: int | None = None) -> str:
    """Bytes from a target: invalid UTF-8 shown as U+FFFD, never an exception."""
    return data[:limit].decode("utf-8", errors="replace") if limit is not None else data.decode("utf-8", errors="replace")


def clean_data(value: Any) -> Any:
    """Every string inside JSON-like data (an event's payload) made safe, line breaks kept."""
    if isinstance(value, str):
        return multi_line(value)
    if isinstance(value, dict):
        return {one_line(k) if isinstance(k, str) else k: clean_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_data(v) for v in value]
    return value
