"""Mask secrets before anything leaves warroom in an export or a message.

Two layers: patterns that look like secrets anywhere (URL passwords, password=..., bearer
tokens, Slack hook paths), and the exact secret strings the config holds (webhook URLs,
DSN passwords, health-check header values), which may have been pasted into an entry.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import unquote, unquote_plus, urlsplit, urlunsplit

if TYPE_CHECKING:
    from app.config import Config

MASK = "***"

# (pattern, replacement, cheap substrings one of which must occur in the lowered text):
# the substring test skips the regex for the vast majority of timeline lines.
_PATTERNS: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = [
    # scheme://user:password@host -> scheme://user:***@host
    (re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)([^\s@/]+)(@)"), rf"\g<1>{MASK}\g<3>", ("://",)),
    # libpq key=value and URL query forms: password=secret
    (
        re.compile(r"(?i)\b((?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)\s*[=:]\s*)('[^']*'|\"[^\"]*\"|[^\s&'\",;]+)"),
        rf"\g<1>{MASK}",
        ("pass", "pwd", "secret", "token", "key"),
    ),
    # URL query parameters whose name ends like a credential: ?access_token=, &X-Amz-Signature=, &sig=
    # (a backslash may precede '_' where markdown escaped it)
    (
        re.compile(r"(?i)([?&;][A-Za-z0-9_.~%\\-]*?(?:token|key|secret|password|passwd|pwd|signature|sig|credential|auth)=)([^&#\s'\"<>]+)"),
        rf"\g<1>{MASK}",
        ("token", "key", "secret", "pass", "pwd", "sig", "credential", "auth"),
    ),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), rf"\g<1>{MASK}", ("bearer",)),
    (re.compile(r"(https://hooks\.slack\.com/)[A-Za-z0-9/_-]+"), rf"\g<1>{MASK}", ("hooks.slack.com",)),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), MASK, ("xox",)),
]

# Query parameter names that carry credentials, matched on the name's ending after
# lower-casing and '-' -> '_': access_token, api_key, apikey, client_secret, X-Amz-Signature...
_SECRET_PARAM_ENDINGS = ("token", "key", "secret", "password", "passwd", "pwd", "signature", "sig", "credential", "auth")


def _secret_param(name: str) -> bool:
    return unquote_plus(name).lower().replace("-", "_").endswith(_SECRET_PARAM_ENDINGS)


def scrub_url(url: str) -> str:
    """The URL as it may be shown or exported: userinfo and credential query values masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return Scrubber()(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    pieces = []
    for piece in parts.query.split("&") if parts.query else []:
        name, sep, value = piece.partition("=")
        pieces.append(f"{name}={MASK}" if sep and value and _secret_param(name) else piece)
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(pieces), parts.fragment))


_MIN_SECRET = 6  # shorter config values (e.g. a header 'yes') would mask ordinary words


def _dsn_password(dsn: str) -> str | None:
    if "://" in dsn:
        try:
            password = urlsplit(dsn).password
        except ValueError:
            password = None
        if password:
            return unquote(password)
    match = re.search(r"(?i)\bpassword\s*=\s*('([^']*)'|(\S+))", dsn)
    if match:
        return match.group(2) if match.group(2) is not None else match.group(3)
    return None


class Scrubber:
    def __init__(self, secrets: Iterable[tuple[str, str]] = ()) -> None:
        """secrets: (exact text, what to show instead), e.g. (url, '<webhook slack>')."""
        pairs = {(s, label) for s, label in secrets if s and len(s) >= _MIN_SECRET}
        self._exact = sorted(pairs, key=lambda p: len(p[0]), reverse=True)

    @classmethod
    def from_config(cls, config: Config) -> Scrubber:
        secrets: list[tuple[str, str]] = []
        for hook in config.notify.webhooks:
            secrets.append((hook.url, f"<webhook {hook.name}>"))
        for target in config.postgres:
            password = _dsn_password(target.dsn)
            if password:
                secrets.append((password, MASK))
        for check in config.health:
            for value in check.headers.values():
                secrets.append((value, MASK))
        return cls(secrets)

    def __call__(self, text: str) -> str:
        for secret, label in self._exact:
            text = text.replace(secret, label)
        lowered = text.lower()
        for pattern, replacement, triggers in _PATTERNS:
            if any(t in lowered for t in triggers):
                text = pattern.sub(replacement, text)
        return text

    def data(self, value: Any) -> Any:
        """A copy of a JSON-like value with every string scrubbed."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        return value


_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "www-authenticate",
                             "proxy-authenticate"})
_SECRET_HEADER_WORDS = ("token", "secret", "key", "password", "passwd", "auth", "session", "cookie", "signature",
                        "credential")


def scrub_header(name: str, value: str) -> str:
    """A response header's value as it may be shown: credentials, cookies and anything named
    like a secret are replaced whole (its length kept, a hint what was there); URLs lose
    their passwords and credential parameters; the rest goes through the secret patterns."""
    lowered = name.lower()
    if lowered in _SECRET_HEADERS or any(word in lowered for word in _SECRET_HEADER_WORDS):
        return f"{MASK} (redacted, {len(value)} characters)"
    if lowered in ("location", "content-location", "link", "refresh"):
        value = " ".join(scrub_url(part) if "://" in part else part for part in value.split(" "))
    return Scrubber()(value)

