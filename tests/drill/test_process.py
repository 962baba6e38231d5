"""`warroom demo` as a process, as a person runs it: a second one says so and exits 2; on
quit, SIGTERM and Ctrl+C (SIGINT) every process it started is gone (by pid), every port
it bound can be bound again, and its files are removed; --keep keeps the files."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.drill.drill import lock_path
from tests.health.tui_process import ROOT, TuiProcess

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(importlib.util.find_spec("pgserver") is None, reason="pgserver is not installed")]


def running_drill(timeout: float = 30) -> tuple[Path, dict]:
    """The running drill's directory (from its lock file) once its database is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            record = json.loads(lock_path().read_text())
            workdir = Path(record["workdir"])
            config = json.loads((workdir / "warroom.yaml").read_text())
            # initdb's bootstrap writes a negative pid: wait for the server itself, ready.
            lines = (workdir / "pg" / "postmaster.pid").read_text().splitlines()
            if len(lines) >= 8 and int(lines[0]) > 0 and lines[7].strip() == "ready":
                return workdir, config
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.1)
    raise AssertionError("the demo never came up")


def ports_of(config: dict) -> list[int]:
    urls = [c["url"] for c in config["health"]] + [c["metrics_url"] for c in config["error_rates"]]
    urls += [w["url"] for w in config["notify"]["webhooks"]]
    kubeconfig = json.loads(Path(config["kubernetes"][0]["kubeconfig"]).read_text())
    urls.append(kubeconfig["clusters"][0]["cluster"]["server"])
    return sorted({int(url.split(":")[2].split("/")[0]) for url in urls})


def postmaster_pid(workdir: Path) -> int:
    return int((workdir / "pg" / "postmaster.pid").read_text().split()[0])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


def processes_naming(workdir: Path) -> list[str]:
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True).stdout
    return [line for line in ps.splitlines() if str(workdir) in line]


def assert_all_gone(workdir: Path, pids: list[int], ports: list[int], *, files_kept: bool = False) -> None:
    deadline = time.monotonic() + 10  # backends notice their postmaster is gone within moments
    while time.monotonic() < deadline and (any(map(alive, pids)) or processes_naming(workdir)):
        time.sleep(0.1)
    assert not [p for p in pids if alive(p)], "a process of the demo is still running"
    assert not processes_naming(workdir), processes_naming(workdir)
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # raises if anything still holds it
    assert workdir.exists() == files_kept


def wait_exit(tui: TuiProcess, timeout: float = 30) -> None:
    """Reading the terminal meanwhile: an app whose output is not read cannot finish."""
    deadline = time.monotonic() + timeout
    while tui.process.poll() is None and time.monotonic() < deadline:
        tui.read(0.05)
    assert tui.process.poll() is not None, "the demo did not exit"


def demo(*extra: str) -> TuiProcess:
    return TuiProcess(None, None, {}, args=["demo", "--speed", "20", *extra])


@pytest.mark.parametrize("how", ["ctrl+q", "SIGTERM", "SIGINT"])
def test_everything_stopped_and_removed(how):
    with demo() as tui:
        workdir, config = running_drill()
        ports, pids = ports_of(config), [tui.process.pid, postmaster_pid(workdir)]
        assert tui.wait_for(lambda seen: b"Health" in seen, 20) is not None
        if how == "ctrl+q":
            tui.idle(0.5)
            tui.read()
            tui.quit(20)
            # the open-incident dialog takes the first ctrl+q's place on screen at start
            if tui.process.poll() is None:
                tui.quit(20)
        else:
            tui.process.send_signal(signal.SIGTERM if how == "SIGTERM" else signal.SIGINT)
        wait_exit(tui)
        assert_all_gone(workdir, pids, ports)
        assert b"no incident was opened during the drill" in tui.output


def test_second_demo_exits_2_and_keep_keeps_files():
    with demo("--keep") as tui:
        workdir, config = running_drill()
        second = subprocess.run([sys.executable, "-m", "app", "demo"], capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert second.returncode == 2
        assert "already running" in second.stderr and "Traceback" not in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1
        pids, ports = [tui.process.pid, postmaster_pid(workdir)], ports_of(config)
        tui.process.send_signal(signal.SIGTERM)
        wait_exit(tui)
        assert_all_gone(workdir, pids, ports, files_kept=True)
        assert (workdir / "warroom.yaml").exists() and (workdir / "pg" / "PG_VERSION").exists()
    # The next demo may start: the lock went with the process.
    import shutil

    shutil.rmtree(workdir, ignore_errors=True)


def test_a_killed_demo_is_cleaned_up_by_the_next():
    """SIGKILL leaves the database running (nothing can stop it then); the next demo does."""
    with demo() as tui:
        workdir, config = running_drill()
        postmaster = postmaster_pid(workdir)
        tui.process.kill()
        tui.process.wait(10)
        assert alive(postmaster)
    with demo() as tui:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (alive(postmaster) or workdir.exists()):
            tui.read(0.05)
        assert not alive(postmaster) and not workdir.exists()
        new_workdir, _ = running_drill()
        assert new_workdir != workdir
        tui.process.send_signal(signal.SIGTERM)
        wait_exit(tui)
    assert not new_workdir.exists()
