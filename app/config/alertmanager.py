"""Alertmanager instances (the `alertmanager:` section) and the label matchers they take.

Matchers are written as in amtool and PromQL: `team="payments"`, `env!=dev`,
`instance=~"db-.*"`. They are parsed here, once, so a typo is a config error naming its key,
and the pane's silence form reads them back with the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.config.types import STRICT, Duration, HttpUrl
from app.config.urls import check_headers

LevelName = Literal["CRIT", "WARN", "OK", "UNKNOWN"]

_MATCHER = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^,"{}\s]*)\s*')


@dataclass(frozen=True)
class Matcher:
    """One label matcher, as Alertmanager's API v2 takes it."""

    name: str
    value: str
    is_regex: bool = False
    is_equal: bool = True

    @property
    def operator(self) -> str:
        return {(False, True): "=", (False, False): "!=", (True, True): "=~", (True, False): "!~"}[(self.is_regex, self.is_equal)]

    def __str__(self) -> str:
        # Control characters are written as \xNN: the text goes into an input field and the
        # timeline, and parse_matchers reads it back to the exact value.
        escaped = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", self.value.replace("\\", "\\\\").replace('"', '\\"'))
        return f'{self.name}{self.operator}"{escaped}"'

    def as_api(self) -> dict[str, object]:
        return {"name": self.name, "value": self.value, "isRegex": self.is_regex, "isEqual": self.is_equal}

    def matches(self, labels: dict[str, str]) -> bool:
        """As Alertmanager matches: a missing label is the empty string; regexes are anchored."""
        value = labels.get(self.name, "")
        if self.is_regex:
            try:
                hit = re.fullmatch(self.value, value) is not None
            except re.error:
                return False
        else:
            hit = value == self.value
        return hit == self.is_equal


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|.)")


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code == "n":
        return "\n"
    return chr(int(code[1:], 16)) if len(code) == 3 and code[0] == "x" else code


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return _ESCAPE.sub(_unescape, text[1:-1])
    return text


def parse_matchers(text: str) -> list[Matcher]:
    """`a="1", b=~"x.*"` (braces allowed around it) -> matchers; ValueError names the problem."""
    body = text.strip()
    if body.startswith("{") and body.endswith("}"):
        body = body[1:-1]
    matchers: list[Matcher] = []
    pos = 0
    while pos < len(body):
        match = _MATCHER.match(body, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"cannot read a matcher at {body[pos:pos + 30]!r} (write e.g. team=\"payments\")")
        name, op, raw = match.groups()
        value = _unquote(raw)
        regex = op in ("=~", "!~")
        if regex:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"{name}{op}: invalid regular expression {value!r}: {exc}") from None
        matchers.append(Matcher(name, value, regex, op in ("=", "=~")))
        pos = match.end()
        if pos < len(body):
            if body[pos] != ",":
                raise ValueError(f"expected ',' between matchers at {body[pos:pos + 30]!r}")
            pos += 1
    return matchers


def check_silence_matchers(matchers: list[Matcher]) -> None:
    """Alertmanager refuses a silence that would match every alert: say so before sending."""
    if not matchers:
        raise ValueError("a silence needs at least one matcher")
    if all(m.matches({}) for m in matchers):
        raise ValueError("these matchers also match an alert without labels (every alert): add one that needs a label value")


DEFAULT_SEVERITIES: dict[str, LevelName] = {
    "critical": "CRIT", "page": "CRIT", "error": "CRIT",
    "warning": "WARN", "warn": "WARN",
    "info": "OK", "none": "OK",
}


class AlertmanagerTarget(BaseModel):
    model_config = STRICT

    name: str = Field(min_length=1)
    """Name shown in the pane and in `warroom status`."""
    url: HttpUrl
    """Base URL of the Alertmanager (or Grafana / Mimir / Thanos) API, e.g. http://alertmanager:9093."""
    headers: dict[str, str] = {}
    """Extra request headers (e.g. Authorization, X-Scope-OrgID); use ${TOKEN} for secrets."""
    timeout: Duration = timedelta(seconds=5)
    """Request timeout."""
    interval: Duration = timedelta(seconds=15)
    """Time between refreshes."""
    verify: bool | str = True
    """TLS verification: true, false, or a path to a CA bundle."""
    filter: list[str] = []
    """Only alerts matching all of these, e.g. ['team="payments"', 'env=~"prod|staging"'] (sent as the API's filter)."""
    show_silenced: bool = False
    """Also list silenced alerts (shown muted; they do not set the pane's level)."""
    show_inhibited: bool = False
    """Also list inhibited alerts (shown muted; they do not set the pane's level)."""
    allow_silences: bool = False
    """Allow creating and expiring silences from the pane (S and E, with confirmation, logged to the timeline)."""
    severity_label: str = "severity"
    """The label that says how bad an alert is."""
    severities: dict[str, LevelName] = Field(default_factory=lambda: dict(DEFAULT_SEVERITIES))
    """Values of severity_label and the level each means (compared case-insensitively)."""
    default_level: LevelName = "WARN"
    """Level of a firing alert whose severity is missing or not listed in `severities`."""
    silence_duration: Duration = timedelta(hours=1)
    """Proposed length of a silence made from the pane."""

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        return check_headers(value)

    @field_validator("filter")
    @classmethod
    def _filter(cls, value: list[str]) -> list[str]:
        out: list[str] = []
        for item in value:
            matchers = parse_matchers(item)
            if not matchers:
                raise ValueError(f"empty matcher {item!r}")
            out.extend(str(m) for m in matchers)
        return out

    @field_validator("severities")
    @classmethod
    def _severities(cls, value: dict[str, LevelName]) -> dict[str, LevelName]:
        return {k.lower(): v for k, v in value.items()}

    @model_validator(mode="after")
    def _durations(self) -> AlertmanagerTarget:
        if self.timeout.total_seconds() <= 0 or self.interval.total_seconds() <= 0:
            raise ValueError("timeout and interval must be longer than 0s")
        if self.silence_duration.total_seconds() < 60:
            raise ValueError("silence_duration must be at least 1m")
        return self

    def matchers(self) -> list[Matcher]:
        return [m for item in self.filter for m in parse_matchers(item)]
