"""The CLI as scripts use it: real subprocesses, real store files, one-line errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, store: Path | None = None, env: dict | None = None, check_rc: int | None = 0):
    cmd = [sys.executable, "-m", "app", *args]
    if store is not None:
        cmd += ["--store", f"sqlite:///{store}"]
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(cmd, capture_output=True, text=True, env=full_env, cwd=ROOT)
    if check_rc is not None:
        assert result.returncode == check_rc, result.stderr
    return result


@pytest.fixture
def store(tmp_path) -> Path:
    return tmp_path / "warroom.db"


def test_version():
    assert run("--version").stdout.startswith("warroom ")


def test_open_log_list_export_resolve(store):
    incident = run("incident", "open", "--severity", "SEV1", "--title", "db down", store=store).stdout.strip()
    assert incident.startswith("INC-") and len(incident.split("-")) == 3
    seqs = [int(run("log", "--kind", kind, f"entry {kind}", store=store).stdout) for kind in ("note", "action", "decision")]
    assert seqs == sorted(seqs)
    listing = json.loads(run("incident", "list", "--json", store=store).stdout)
    assert listing[0]["id"] == incident and listing[0]["status"] == "investigating"
    exported = json.loads(run("export", "--format", "json", store=store).stdout)
    assert exported["incident"]["id"] == incident
    assert [e["data"].get("kind") for e in exported["events"][1:]] == ["note", "action", "decision"]
    assert {"seq", "type", "at", "actor", "data"} <= set(exported["events"][0])
    run("incident", "resolve", store=store)
    assert json.loads(run("incident", "list", "--json", store=store).stdout)[0]["status"] == "resolved"
    # no open incident now: log needs one and says how to get one
    failed = run("log", "late", store=store, check_rc=2)
    assert "no open incident" in failed.stderr and failed.stderr.count("\n") == 1
    # export still finds the latest incident
    assert json.loads(run("export", store=store).stdout)["incident"]["status"] == "resolved"


def test_several_open_incidents_need_an_id(store):
    a = run("incident", "open", "--severity", "SEV2", "--title", "a", store=store).stdout.strip()
    run("incident", "open", "--severity", "SEV3", "--title", "b", store=store)
    failed = run("log", "which?", store=store, check_rc=2)
    assert "several incidents are open" in failed.stderr
    run("log", "--incident", a, "this one", store=store)
    exported = json.loads(run("export", a, store=store).stdout)
    assert exported["events"][-1]["data"]["text"] == "this one"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("incident", "open", "--severity", "SEV9", "--title", "x"), "unknown severity 'SEV9'"),
        (("incident", "open", "--severity", "SEV1"), "the following arguments are required: --title"),
        (("log", "--kind", "gossip", "x"), "invalid choice: 'gossip'"),
        (("log", "--incident", "INC-1999-001", "x"), "no incident 'INC-1999-001'"),
        (("export", "INC-1999-001"), "no incident 'INC-1999-001'"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
        (("status", "--only", "dns"), "unknown source 'dns'"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(store, args, message):
    run("incident", "open", "--severity", "SEV2", "--title", "t", store=store)
    result = run(*args, store=store, check_rc=2)
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_corrupt_store_is_one_line(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 50)
    result = run("incident", "list", store=bad, check_rc=2)
    assert "not a SQLite database" in result.stderr and result.stderr.count("\n") == 1


def test_log_does_not_import_textual_or_pydantic(store):
    run("incident", "open", "--severity", "SEV2", "--title", "t", store=store)
    code = (
        "import sys, app.cli; rc = app.cli.main(['log', '--store', sys.argv[1], 'x']);"
        "print(sorted(m for m in ('textual', 'pydantic', 'kubernetes', 'httpx', 'psycopg') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code, f"sqlite:///{store}"], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_config_store_and_operator_are_used_by_log(tmp_path):
    store = tmp_path / "from-config.db"
    config = tmp_path / "c.yaml"
    config.write_text(f"incident:\n  store: sqlite:///{store}\noperator: ${{WHO:-scribe-bot}}\n")
    run("incident", "open", "--config", str(config), "--severity", "SEV2", "--title", "t")
    run("log", "--config", str(config), "from config")
    events = json.loads(run("export", "--config", str(config)).stdout)["events"]
    assert events[-1]["actor"] == "scribe-bot" and events[-1]["data"]["text"] == "from config"


def test_kill_9_of_one_of_two_logging_shells_loses_nothing_reported(store):
    """The issue's 'done when': two shells logging at once, one killed mid-way."""
    run("incident", "open", "--severity", "SEV1", "--title", "db down", store=store)
    loop = (
        'for i in $(seq 1 {n}); do {py} -m app log --store sqlite:///{db} "{p}-$i" || exit 1; done'
    )
    shells = [
        subprocess.Popen(
            ["bash", "-c", loop.format(n=n, py=sys.executable, db=store, p=p)],
            stdout=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True,
        )
        for p, n in (("steady", 12), ("doomed", 1000))
    ]
    reported = {"steady": [], "doomed": []}
    for line in shells[1].stdout:
        reported["doomed"].append(int(line))
        if len(reported["doomed"]) == 6:
            os.killpg(shells[1].pid, signal.SIGKILL)
            break
    shells[1].wait()
    reported["doomed"] += [int(x) for x in shells[1].stdout.read().split()]
    reported["steady"] = [int(x) for x in shells[0].communicate()[0].split()]
    assert shells[0].returncode == 0 and len(reported["steady"]) == 12
    events = json.loads(run("export", store=store).stdout)["events"]
    seqs = [e["seq"] for e in events]
    assert len(seqs) == len(set(seqs))
    assert set(reported["steady"]) | set(reported["doomed"]) <= set(seqs)
