"""The PostgreSQL store's schema: its own PostgreSQL schema (default `warroom`), a
`schema_version` table, and forward migrations applied by the first writer that needs them.

The versions match the SQLite store's: v1 incidents + events, v2 writer-made event ids under
a unique index, and presence. Seqs count per incident from the start here.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from app import __version__
from app.errors import StoreError

MIGRATIONS: list[str] = [
    # v1
    """
    CREATE TABLE {schema}.incidents (
        id text PRIMARY KEY,
        year integer NOT NULL,
        n integer NOT NULL,
        opened_at timestamptz NOT NULL,
        title text NOT NULL,
        severity text NOT NULL,
        status text NOT NULL,
        last_seq bigint NOT NULL DEFAULT 0,
        UNIQUE (year, n)
    );
    CREATE TABLE {schema}.events (
        incident_id text NOT NULL REFERENCES {schema}.incidents (id),
        seq bigint NOT NULL,
        type text NOT NULL,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        data text NOT NULL,
        PRIMARY KEY (incident_id, seq)
    );
    """,
    # v2: a retry after a lost COMMIT acknowledgement must find its first attempt; rows from
    # v1 have no id (NULL), so the unique index leaves them out.
    """
    ALTER TABLE {schema}.events ADD COLUMN event_id text;
    CREATE UNIQUE INDEX events_by_event_id ON {schema}.events (event_id) WHERE event_id IS NOT NULL AND event_id <> '';
    CREATE TABLE {schema}.presence (
        terminal text PRIMARY KEY,
        incident_id text NOT NULL,
        operator text NOT NULL,
        seen_at timestamptz NOT NULL
    );
    CREATE INDEX presence_by_incident ON {schema}.presence (incident_id, seen_at);
    """,
]

KNOWN_VERSION = len(MIGRATIONS)
_OURS = ("incidents", "events", "presence")


def current_version(conn: psycopg.Connection, schema: str) -> int:
    """0 when the schema or its version table does not exist yet."""
    row = conn.execute(
        "SELECT to_regclass(format('%%I.schema_version', %s::text)) IS NOT NULL",
        (schema,),
    ).fetchone()
    if not row or not row[0]:
        return 0
    found = conn.execute(sql.SQL("SELECT coalesce(max(version), 0) FROM {}.schema_version").format(sql.Identifier(schema))).fetchone()
    return int(found[0]) if found else 0


def refuse_newer(version: int, where: str) -> None:
    if version > KNOWN_VERSION:
        raise StoreError(
            f"{where}: the store was upgraded by a newer warroom (schema v{version}, this one knows v{KNOWN_VERSION}); "
            "nothing was written; upgrade warroom"
        )


def migrate(conn: psycopg.Connection, schema: str, where: str) -> int:
    """Create or upgrade the schema to KNOWN_VERSION, in one transaction, once: concurrent
    first writers queue on an advisory lock and find the work done. Returns the version."""
    version = current_version(conn, schema)
    refuse_newer(version, where)
    if version == KNOWN_VERSION:
        return version
    ident = sql.Identifier(schema)
    with conn.transaction():
        # The short statement_timeout is for an incident's traffic; building an index over a
        # long history may take longer, once.
        conn.execute("SET LOCAL statement_timeout = '10min'")
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('warroom schema'), hashtext(%s))", (schema,))
        if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone():
            # Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
            # when the schema exists, which a least-privilege role does not have.
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(ident))
        version = current_version(conn, schema)
        refuse_newer(version, where)
        if version == 0:
            foreign = conn.execute(
                "SELECT string_agg(tablename, ', ') FROM pg_tables WHERE schemaname = %s AND tablename = ANY(%s)", (schema, list(_OURS))
            ).fetchone()
            if foreign and foreign[0]:
                raise StoreError(f"{where}: schema {schema} already has tables named {foreign[0]} that are not warroom's; left untouched")
            conn.execute(
                sql.SQL(
                    "CREATE TABLE {}.schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), "
                    "applied_by text NOT NULL DEFAULT current_user, warroom text NOT NULL)"
                ).format(ident)
            )
        for number in range(version + 1, KNOWN_VERSION + 1):
            apply(conn, schema, number)
    return KNOWN_VERSION


def apply(conn: psycopg.Connection, schema: str, number: int) -> None:
    """One migration and its schema_version row (the caller holds the transaction)."""
    ident = sql.Identifier(schema)
    for statement in filter(str.strip, MIGRATIONS[number - 1].split(";")):
        conn.execute(sql.SQL(statement).format(schema=ident))
    conn.execute(sql.SQL("INSERT INTO {}.schema_version (version, warroom) VALUES (%s, %s)").format(ident), (number, __version__))


def privileges(conn: psycopg.Connection, schema: str, version: int) -> tuple[bool, bool, str]:
    """(can read, can write, who and where) for the connected role."""
    row = conn.execute(
        "SELECT current_user, current_database(), current_setting('server_version'), "
        "has_database_privilege(current_database(), 'CREATE')",
    ).fetchone()
    assert row is not None
    user, database, server, can_create = row
    who = f"role {user} on database {database} (PostgreSQL {server})"
    if version == 0:
        exists = conn.execute("SELECT has_schema_privilege(%s, 'CREATE') FROM pg_namespace WHERE nspname = %s", (schema, schema)).fetchone()
        can = bool(exists[0]) if exists else bool(can_create)
        note = "the first write creates it" if can else "this role cannot create it: run the README's SQL as an admin"
        return False, can, f"{who}; schema {schema} has no warroom tables yet: {note}"
    usage = conn.execute("SELECT has_schema_privilege(%s, 'USAGE')", (schema,)).fetchone()
    if not usage or not usage[0]:
        return False, False, f"{who}; no USAGE on schema {schema}"
    # One privilege per call: has_table_privilege with a list is true if ANY is held.
    needed = [(t, p) for t, p in _NEEDED if version >= 2 or t != "presence"]
    rows = conn.execute(
        "SELECT t, p, has_table_privilege(format('%%I.%%I', %s::text, t), p) FROM unnest(%s::text[], %s::text[]) AS v(t, p)",
        (schema, [t for t, _ in needed], [p for _, p in needed]),
    ).fetchall()
    held = {(t, p) for t, p, ok in rows if ok}
    can_read = {("incidents", "SELECT"), ("events", "SELECT")} <= held
    missing = [f"{p} on {t}" for t, p in needed if (t, p) not in held]
    return can_read, can_read and not missing, who + (f"; missing {', '.join(missing)}" if missing else "")


_NEEDED = [
    ("incidents", "SELECT"),
    ("events", "SELECT"),
    ("incidents", "INSERT"),
    ("incidents", "UPDATE"),
    ("events", "INSERT"),
    ("presence", "SELECT"),
    ("presence", "INSERT"),
    ("presence", "UPDATE"),
    ("presence", "DELETE"),
]
