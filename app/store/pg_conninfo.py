"""Connecting to the PostgreSQL store: the connection string, its schema, safe defaults, and
errors told in one line without the password.

The string the person gave (URL or key=value) goes to libpq nearly as is, so PG* variables,
~/.pgpass, service files and sslmode work exactly as they do for psql. warroom adds only what
is missing: application_name, connect_timeout, TCP keepalives, and server-side timeouts in the
startup packet (they hold from the first statement, with no extra round trip).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import psycopg
from psycopg import conninfo as pg_conninfo

from app.errors import StoreError, StoreUnreachable

DEFAULT_SCHEMA = "warroom"
SCHEMA_PARAM = "warroom_schema"  # ours, taken out before libpq sees the string (it refuses unknown ones)
# Lower-case letters, digits and _: the schema name also names the NOTIFY channel, which has
# to fit PostgreSQL's 63-byte identifiers, and needs no quoting in the README's SQL.
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,39}")
_KEYWORD_SCHEMA = re.compile(rf"(?:^|\s){SCHEMA_PARAM}\s*=\s*('(?:[^'\\]|\\.)*'|\S*)")

CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 5_000
# A writer that vanished mid-transaction (laptop lid closed) must not hold the incident's
# row lock for long: every other terminal's appends wait on it.
IDLE_IN_TRANSACTION_MS = 15_000
_TCP_DEFAULTS = {"keepalives": "1", "keepalives_idle": "10", "keepalives_interval": "5", "keepalives_count": "3", "tcp_user_timeout": "15000"}

# Failures that are about who connects or what is asked, not about reaching the server:
# waiting for the store to come back would not help.
_NOT_REACHABILITY = (
    "password authentication failed",
    "no password supplied",
    "authentication failed",
    "does not exist",
    "pg_hba.conf",
    "permission denied",
    "does not support ssl",
    "ssl is not enabled",
    "sslmode",
    "certificate",
    "invalid",
)
# SQLSTATEs of a server that went away or is not answering in time.
_UNREACHABLE_STATES = {"57P01", "57P02", "57P03", "57014", "55P03"}


@dataclass(frozen=True)
class PgTarget:
    conninfo: str  # for libpq: the person's string without our schema parameter
    schema: str
    shown: str  # for people: no password
    secrets: tuple[str, ...]  # strings that must never appear in a message

    @property
    def channel(self) -> str:
        return f"{self.schema}.events"


def parse_target(url: str) -> PgTarget:
    """A PostgreSQL store URL or key=value string; StoreError (without the password) if bad."""
    conninfo, schema = _take_schema(url)
    if not _SCHEMA_NAME.fullmatch(schema):
        raise StoreError(f"store URL: {SCHEMA_PARAM} must be lower-case letters, digits and _ (at most 40), e.g. warroom")
    try:
        params = pg_conninfo.conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError as exc:
        raise StoreError(f"store URL: not a valid PostgreSQL connection string: {_without_fragments(str(exc))}") from None
    secrets = tuple(s for s in (str(params.get("password") or ""), os.environ.get("PGPASSWORD", "")) if s)
    return PgTarget(conninfo, schema, _shown(params, schema), secrets)


def _take_schema(url: str) -> tuple[str, str]:
    if url.startswith(("postgresql://", "postgres://")):
        base, _, query = url.partition("?")
        pairs = parse_qsl(query, keep_blank_values=True)
        schema = next((v for k, v in pairs if k == SCHEMA_PARAM), DEFAULT_SCHEMA)
        rest = [(k, v) for k, v in pairs if k != SCHEMA_PARAM]
        return (f"{base}?{urlencode(rest)}" if rest else base), schema
    match = _KEYWORD_SCHEMA.search(url)
    if not match:
        return url, DEFAULT_SCHEMA
    return (url[: match.start()] + " " + url[match.end() :]).strip(), match.group(1).strip("'")


def _shown(params: Mapping[str, object], schema: str) -> str:
    user = f"{params['user']}@" if params.get("user") else ""
    host = str(params.get("host") or params.get("hostaddr") or "")
    port = f":{params['port']}" if params.get("port") else ""
    if params.get("service") and not host:
        where = f"postgresql service={params['service']}"
    else:
        where = f"postgresql://{user}{host if '/' not in host else ''}{port}/{params.get('dbname') or ''}"
        if "/" in host:
            where += f"?host={host}"
    return where + (f" schema {schema}" if schema != DEFAULT_SCHEMA else "")


def _without_fragments(message: str) -> str:
    """libpq quotes pieces of the string it could not parse, which may be the password: keep
    a quoted piece only when it is a libpq keyword or punctuation."""
    known = {str(o) for o in _known_keywords()}

    def keep(m: re.Match[str]) -> str:
        return m.group(0) if m.group(1) in known or not re.search(r"\w", m.group(1)) else '"…"'

    return re.sub(r'"([^"]*)"', keep, message.splitlines()[0] if message else "")


def _known_keywords() -> list[str]:
    try:
        return [o.keyword.decode() for o in psycopg.pq.Conninfo.get_defaults()]
    except Exception:  # noqa: BLE001 - only a nicer message is lost
        return []


def connect(target: PgTarget, *, read_only: bool, statement_timeout_ms: int = STATEMENT_TIMEOUT_MS) -> psycopg.Connection:
    """An autocommit connection with warroom's defaults; StoreUnreachable when the server
    cannot be reached, StoreError when it refuses us."""
    try:
        given = pg_conninfo.conninfo_to_dict(target.conninfo)
    except psycopg.ProgrammingError as exc:
        raise StoreError(f"store URL: not a valid PostgreSQL connection string: {_without_fragments(str(exc))}") from None
    extra: dict[str, str] = {}
    if "application_name" not in given and "PGAPPNAME" not in os.environ:
        extra["application_name"] = "warroom"
    if "connect_timeout" not in given and "PGCONNECT_TIMEOUT" not in os.environ:
        extra["connect_timeout"] = str(CONNECT_TIMEOUT_S)
    extra.update({k: v for k, v in _TCP_DEFAULTS.items() if k not in given})
    settings = [f"-c statement_timeout={int(statement_timeout_ms)}", f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}"]
    if read_only:
        settings.append("-c default_transaction_read_only=on")
    extra["options"] = " ".join(filter(None, [str(given.get("options") or os.environ.get("PGOPTIONS") or ""), *settings]))
    try:
        return psycopg.connect(pg_conninfo.make_conninfo(target.conninfo, **extra), autocommit=True)
    except psycopg.Error as exc:
        raise store_error(target, exc, "cannot connect") from None


def close_quietly(conn: psycopg.Connection | None) -> None:
    """Close a connection that may be gone already (server restarted, backend terminated)."""
    if conn is not None:
        try:
            conn.close()
        except psycopg.Error:
            pass


def is_unreachable(exc: BaseException, conn: psycopg.Connection | None = None) -> bool:
    if not isinstance(exc, psycopg.Error):
        return False
    if conn is not None and (conn.broken or conn.closed):
        return True
    state = getattr(exc, "sqlstate", None)
    if state:
        return state.startswith("08") or state in _UNREACHABLE_STATES
    if isinstance(exc, psycopg.OperationalError):
        text = str(exc).lower()
        return not any(marker in text for marker in _NOT_REACHABILITY)
    return False


def store_error(target: PgTarget, exc: BaseException, doing: str, conn: psycopg.Connection | None = None) -> StoreError:
    """One line naming the store (never its password) and libpq's or the server's reason."""
    reason = describe(target, exc)
    if is_unreachable(exc, conn):
        return StoreUnreachable(f"{target.shown}: store offline: {reason}")
    return StoreError(f"{target.shown}: {doing}: {reason}")


def describe(target: PgTarget, exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    # libpq puts one "connection to server ... failed: why" line per address it tried, each
    # followed by a hint line; the failures are what a person needs.
    failures = [line.removeprefix("connection failed: ").removeprefix("connection is bad: ") for line in lines if not line.startswith("Is the server")]
    text = "; ".join(dict.fromkeys(failures)) or type(exc).__name__
    return scrub(target, text)[:400]


def scrub(target: PgTarget, text: str) -> str:
    for secret in target.secrets:
        text = text.replace(secret, "***")
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", text))
