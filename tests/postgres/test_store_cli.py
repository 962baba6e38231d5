"""`warroom store check` / `warroom store copy`, and the README's least-privilege SQL, run as
written against the real server."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from app.errors import StoreError
from tests.store_kinds import PostgresKind, with_schema

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, store: str | None = None) -> subprocess.CompletedProcess:
    extra = ["--store", store] if store else []
    return subprocess.run([sys.executable, "-m", "app", *args, *extra], capture_output=True, text=True, cwd=ROOT, timeout=60)


def _ok(*args: str, store: str | None = None) -> str:
    result = _cli(*args, store=store)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_copy_a_laptop_store_to_the_team_store_and_again(kind, tmp_path):
    laptop = f"sqlite:///{tmp_path / 'laptop.db'}"
    first = _ok("incident", "open", "--severity", "SEV2", "--title", "checkout 500s", store=laptop).strip()
    _ok("log", "--incident", first, "rolled back 4.2", store=laptop)
    _ok("incident", "resolve", first, store=laptop)
    second = _ok("incident", "open", "--severity", "SEV1", "--title", "db down", store=laptop).strip()
    _ok("log", "--incident", second, "failover started", store=laptop)

    out = _ok("store", "copy", laptop, kind.url)
    resolved = len(json.loads(_ok("export", first, "--format", "json", store=laptop))["events"])
    assert out.splitlines() == [f"{first}: {resolved} of {resolved} events copied", f"{second}: 2 of 2 events copied"]
    assert _ok("export", first, "--format", "json", store=kind.url) == _ok("export", first, "--format", "json", store=laptop)
    _ok("log", "--incident", second, "one more, on the laptop", store=laptop)
    out = _ok("store", "copy", laptop, kind.url, "--incident", second)
    assert out.splitlines() == [f"{second}: 1 of 3 events copied"]
    assert _ok("store", "copy", laptop, kind.url).splitlines() == [f"{first}: already there", f"{second}: already there"]
    # and the team goes on where the laptop stopped
    assert _ok("log", "--incident", second, "on the team store", store=kind.url).strip() == "4"
    missing = _cli("store", "copy", laptop, kind.url, "--incident", "INC-1999-001")
    assert missing.returncode == 2 and "no incident INC-1999-001" in missing.stderr


def test_copy_refuses_a_different_incident_with_the_same_id_and_copies_the_rest(kind, tmp_path):
    laptop = f"sqlite:///{tmp_path / 'laptop.db'}"
    clash = _ok("incident", "open", "--severity", "SEV2", "--title", "laptop's", store=laptop).strip()
    other = _ok("incident", "open", "--severity", "SEV2", "--title", "second", store=laptop).strip()
    assert _ok("incident", "open", "--severity", "SEV3", "--title", "team's", store=kind.url).strip() == clash
    result = _cli("store", "copy", laptop, kind.url)
    assert result.returncode == 2
    assert result.stdout.splitlines() == [f"{other}: 1 of 1 events copied"]
    assert "refusing to copy" in result.stderr and "1 incident not copied" in result.stderr
    listed = json.loads(_ok("incident", "list", "--json", store=kind.url))
    assert {i["id"]: i["title"] for i in listed} == {clash: "team's", other: "second"}


def test_store_check_says_which_store_its_schema_and_what_this_login_may_do(kind, tmp_path):
    out = _ok("store", "check", kind.url)
    assert "(postgresql)" in out and "schema: none yet (this warroom knows v2)" in out and "write: yes" in out
    assert not PostgresKind.exists(kind)  # checking creates nothing
    _ok("incident", "open", "--severity", "SEV2", "--title", "x", store=kind.url)
    out = _ok("store", "check", store=kind.url)  # the store in use: --store
    assert "schema: v2" in out and "read: yes; write: yes" in out
    data = json.loads(_ok("store", "check", kind.url, "--json"))
    assert data["kind"] == "postgresql" and data["schema_version"] == 2 and data["usable"] is True
    sqlite = _ok("store", "check", f"sqlite:///{tmp_path / 'none.db'}")
    assert "(sqlite)" in sqlite and "no file yet" in sqlite
    assert not (tmp_path / "none.db").exists()


def test_store_check_with_a_role_that_may_only_read(kind, pg_dsn):
    _ok("incident", "open", "--severity", "SEV2", "--title", "x", store=kind.url)
    role = f"reader_{uuid.uuid4().hex[:8]}"
    s = sql.Identifier(kind.schema)
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'reader-secret-9'").format(sql.Identifier(role)))
        admin.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(s, sql.Identifier(role)))
        admin.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(s, sql.Identifier(role)))
    try:
        params = psycopg.conninfo.conninfo_to_dict(pg_dsn) | {"user": role, "password": "reader-secret-9"}
        url = with_schema(psycopg.conninfo.make_conninfo(**params), kind.schema)
        result = _cli("store", "check", url)
        assert result.returncode == 1 and "read: yes; write: no" in result.stdout and "missing INSERT on incidents" in result.stdout
        assert "reader-secret-9" not in result.stdout + result.stderr
        assert len(json.loads(_ok("incident", "list", "--json", store=url))) == 1
        denied = _cli("log", "nope", store=url)
        assert denied.returncode == 2 and denied.stderr.count("\n") == 1 and "permission denied" in denied.stderr
        assert "reader-secret-9" not in denied.stderr
    finally:
        with psycopg.connect(pg_dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def _readme_sql() -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### A shared store on PostgreSQL") :]
    return re.search(r"```sql\n(.*?)```", section, re.S).group(1)


def test_the_readme_role_can_use_its_schema_and_nothing_else(pg_dsn):
    suffix = uuid.uuid4().hex[:8]
    database, role = f"incidents_{suffix}", f"warroom_store_{suffix}"
    script = re.sub(r"\bwarroom_store\b", role, re.sub(r"\bincidents\b", database, _readme_sql()))
    base = psycopg.conninfo.conninfo_to_dict(pg_dsn)
    conn = psycopg.connect(pg_dsn, autocommit=True)
    try:
        for line in filter(None, (line.strip() for line in script.splitlines())):
            if line.startswith("\\c "):
                conn.close()
                conn = psycopg.connect(psycopg.conninfo.make_conninfo(**(base | {"dbname": line[3:].strip()})), autocommit=True)
            else:
                conn.execute(line)
        conn.close()
        url = psycopg.conninfo.make_conninfo(**(base | {"dbname": database, "user": role, "password": "choose-one"}))
        incident = _ok("incident", "open", "--severity", "SEV2", "--title", "least privilege", store=url).strip()
        assert _ok("log", "--incident", incident, "works", store=url).strip() == "2"
        assert "read: yes; write: yes" in _ok("store", "check", url)
        with psycopg.connect(url, autocommit=True) as as_role:
            for forbidden in ("CREATE TABLE public.sneaky (x int)", "CREATE SCHEMA other"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    as_role.execute(forbidden)
    finally:
        conn.close()
        with psycopg.connect(pg_dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_a_bad_schema_name_is_refused_before_connecting():
    with pytest.raises(StoreError, match="warroom_schema must be"):
        from app.store import open_store

        open_store("postgresql://127.0.0.1:1/x?warroom_schema=Bad-Name")
