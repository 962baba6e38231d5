"""Checks for URLs, HTTP headers and the store URL, done once when the config is loaded.

Kept free of pydantic and httpx: `warroom log` and the store use parse_store_url on their
fast path. A URL that passes here can be handed to httpx without raising: a malformed one
must be a config error naming its key, never a crash in the middle of an incident.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

# Whitespace and controls are never valid in a URL; a pasted one usually has a stray newline.
_URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f]")
# RFC 3986 reg-name characters (percent-escapes included).
_REG_NAME = re.compile(r"[A-Za-z0-9._~%!$&'()*+,;=-]+")
# RFC 9110 token: the only characters a header name may hold.
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# Header values may hold tab and visible text; CR/LF would start a new header (injection).
_HEADER_VALUE_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def check_http_url(value: str) -> str:
    """Return value if it is an http(s) URL with a host and a valid port; else ValueError."""
    if _URL_FORBIDDEN.search(value):
        raise ValueError("contains a space or control character (percent-encode it, e.g. %20)")
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise ValueError(f"not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not value.lower().startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    host = parts.hostname
    if not host:
        raise ValueError("has no host (write e.g. http://host:8080/path)")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError("port must be a number from 1 to 65535")
    if "[" in parts.netloc:
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            raise ValueError(f"[{host}] is not an IPv6 address") from None
    elif not _REG_NAME.fullmatch(host):
        raise ValueError(f"invalid host {host!r}")
    return value


def check_headers(headers: dict[str, str]) -> dict[str, str]:
    """Names must be tokens; values must not hold CR, LF or other controls. Values (often
    tokens) are never echoed in the message."""
    for name, value in headers.items():
        if not _HEADER_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a valid header name (letters, digits and -)")
        if "\r" in value or "\n" in value:
            raise ValueError(f"{name}: the value contains a line break (CR/LF), which is not allowed in an HTTP header")
        if _HEADER_VALUE_FORBIDDEN.search(value):
            raise ValueError(f"{name}: the value contains a control character, which is not allowed in an HTTP header")
    return headers


SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")
STORE_HINT = "use sqlite:///path/to/file.db or postgresql://host/dbname"
# libpq's key=value form ("host=db dbname=incidents", "service=incidents"), told apart from a
# file path by starting with one of these keywords and "=". Listed here, not asked of psycopg:
# this module stays import-light for `warroom log`.
_LIBPQ_KEYWORDS = (
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "service", "sslmode",
    "sslrootcert", "sslcert", "sslkey", "connect_timeout", "options", "application_name",
    "target_session_attrs", "load_balance_hosts", "channel_binding", "gssencmode", "krbsrvname",
    "sslcompression", "sslcrl", "sslpassword", "requiressl", "keepalives", "tcp_user_timeout",
    "warroom_schema",
)
_KEYWORD_FORM = re.compile(r"\s*(" + "|".join(_LIBPQ_KEYWORDS) + r")\s*=")


def parse_store_url(url: str) -> tuple[str, str]:
    """('sqlite', path) or ('postgresql', url) for a store URL or bare path; else ValueError."""
    if not url.strip():
        raise ValueError(f"is empty ({STORE_HINT})")
    if any(ch in url for ch in "\x00\r\n"):
        raise ValueError("contains a NUL or line break")
    if url.startswith(SQLITE_PREFIX):
        path = url[len(SQLITE_PREFIX) :]
        if not path:
            raise ValueError(f"names no file ({STORE_HINT})")
        # sqlite:////abs and sqlite:///abs both mean an absolute path here
        if url.startswith(SQLITE_PREFIX + "/") or path.startswith("/"):
            path = "/" + path.lstrip("/")
        return "sqlite", path
    if url.startswith(POSTGRES_PREFIXES) or _KEYWORD_FORM.match(url):
        return "postgresql", url
    if "://" in url:
        scheme = url.split("://", 1)[0]
        if scheme.lower() == "sqlite":
            raise ValueError("a SQLite store URL has three slashes: sqlite:///relative.db or sqlite:////abs/path.db")
        shown = scheme if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,20}", scheme) else "this scheme"
        raise ValueError(f"unsupported store URL {shown}://... ({STORE_HINT})")
    return "sqlite", url
