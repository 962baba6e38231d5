"""The same hostile strings fed to every surface: nothing raw reaches the terminal, the
status output, an export or the incident list (issue 17, item 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.collectors.kubernetes import KubernetesCollector
from app.config.kubernetes import KubernetesTarget
from app.domain import actions
from app.domain.clock import FrozenClock
from app.store.sqlite import SQLiteStore
from app.ui.incident.header import IncidentHeader
from app.ui.panes.kubernetes import PodsPane
from app.ui.screens.entry_detail import EntryDetailScreen
from tests.hardening.injection import PAYLOADS, raw_controls
from app.drill.kube_objects import warning
from tests.kubernetes.pod_shapes import pod as shaped_pod
from tests.kubernetes.pod_shapes import waiting
from tests.support import PaneHost, until
from tests.support.incident_app import START, RecordingApp, make_config, settle

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = " | ".join(PAYLOADS.values())


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.fixture
def hostile_store(tmp_path) -> tuple[Path, str]:
    """Written as another client could write it: straight to the store, past every check."""
    db = tmp_path / "hostile.db"
    with SQLiteStore(db) as store:
        incident = store.open_incident(title=f"Checkout {HOSTILE}", severity="SEV2", actor=f"bot {PAYLOADS['title']}",
                                       at=START, id_format="INC-{year}-{seq:03d}").incident_id
        for name, payload in PAYLOADS.items():
            store.append(incident, actions.entry_added(f"{name}: {payload}", "note", f"op{PAYLOADS['clear']}", START))
        store.append(incident, actions.role_assigned("Scribe", f"eve{PAYLOADS['clipboard']}", "bot", START))
    return db, incident


def test_cli_list_and_every_export_show_nothing_raw(hostile_store):
    db, incident = hostile_store
    store = f"sqlite:///{db}"
    listed = _cli("incident", "list", "--store", store)
    assert listed.returncode == 0 and incident in listed.stdout
    assert raw_controls(listed.stdout) == [] and len(listed.stdout.strip().splitlines()) == 1
    assert "␛[2J" in listed.stdout  # shown, not dropped
    assert raw_controls(_cli("incident", "list", "--json", "--store", store).stdout) == []
    for fmt in ("markdown", "yaml", "json"):
        out = _cli("export", incident, "--format", fmt, "--store", store)
        assert out.returncode == 0, out.stderr
        assert raw_controls(out.stdout) == [], fmt
        assert "SECONDLINE" in out.stdout


def test_cli_log_stores_typed_controls_visibly(tmp_path):
    db = tmp_path / "typed.db"
    store = f"sqlite:///{db}"
    assert _cli("incident", "open", "--severity", "SEV2", "--title", PAYLOADS["clear"], "--store", store).returncode == 0
    assert _cli("log", PAYLOADS["clipboard"], "--store", store).returncode == 0
    bad_operator = _cli("log", "x", "--operator", "eve\x1b[2J", "--store", store)
    assert bad_operator.returncode == 2 and "--operator" in bad_operator.stderr
    with SQLiteStore(db) as opened:
        raw = [row[0] for row in opened._conn.execute("SELECT data FROM events")]
    assert not any("\x1b" in data or "\\u001b" in data for data in raw)


async def test_dashboard_shows_hostile_text_literally(hostile_store):
    db, incident = hostile_store
    app = RecordingApp(make_config(), SQLiteStore(db), FrozenClock(START + timedelta(minutes=5)))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.state is not None and app.state.id == incident
        assert raw_controls(app.state.title, lines=False) == [] and "␛[2J" in app.state.title
        assert raw_controls(str(app.query_one(IncidentHeader).render())) == []
        for item in app.state.timeline:
            assert raw_controls(item.text) == [] and raw_controls(item.actor, lines=False) == []
        assert raw_controls(app.export_screenshot()) == []
        app.timeline.focus()
        await pilot.press("end", "enter")
        await pilot.pause()
        assert isinstance(app.screen, EntryDetailScreen)
        assert raw_controls(app.export_screenshot()) == []


def _hostile_pod():
    name = f"api{PAYLOADS['clear']}{PAYLOADS['newline']}"
    return shaped_pod(name, now=datetime.now(UTC), containers=[waiting("CrashLoopBackOff", restarts=3)])


async def test_pods_pane_and_events_show_hostile_names_literally(fake_k8s):
    fake_k8s.cluster.put("pods", _hostile_pod())
    fake_k8s.cluster.put("events", warning("e1", obj="api", reason=f"Back{PAYLOADS['bell']}", message=HOSTILE))
    app = PaneHost("kubernetes", {"timezone": "UTC"}, [KubernetesCollector(KubernetesTarget(name="prod", timeout=3, interval=0.2))])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(PodsPane)
        await until(pilot, lambda: pane.table.row_count == 1 and "SECONDLINE" in str(pane.events.render()))
        cells = " ".join(cell.plain for cell in pane.table.get_row_at(0))
        assert raw_controls(cells, lines=False) == [] and "␛[2J" in cells
        events = str(pane.events.render())
        assert raw_controls(events) == [] and not any(line.startswith("SECONDLINE") for line in events.splitlines())
        pane.table.focus()
        await pilot.pause()
        assert raw_controls(str(pane.border_subtitle), lines=False) == []
        assert raw_controls(app.export_screenshot()) == []


def test_status_text_and_json_show_hostile_pod_literally(fake_k8s, tmp_path):
    fake_k8s.cluster.put("pods", _hostile_pod())
    config = tmp_path / "warroom.yaml"
    config.write_text(f"kubernetes: [{{name: prod, kubeconfig: '{fake_k8s.kubeconfig}', timeout: 3s}}]\n")
    text = _cli("status", "--config", str(config))
    assert "SECONDLINE" in text.stdout and raw_controls(text.stdout) == []
    assert not any(line.startswith("SECONDLINE") for line in text.stdout.splitlines())
    data = _cli("status", "--json", "--config", str(config))
    assert raw_controls(data.stdout) == []
    assert any("␛" in json.dumps(c, ensure_ascii=False) for c in json.loads(data.stdout)["checks"])


async def test_postgres_query_text_and_detail_show_controls_literally(pg_dsn):
    import asyncio

    from app.ui.panes.postgres import PostgresPane
    from app.ui.panes.postgres_screens import BackendDetailScreen
    from tests.postgres.pg_cluster_support import connect, end_sessions

    sleeper = await connect(pg_dsn, "hostile-app")
    task = asyncio.create_task(sleeper.execute(f"SELECT pg_sleep(30) /* {PAYLOADS['clear']} {PAYLOADS['clipboard']} */"))
    app = PaneHost("postgres", {"operator": "alice", "postgres": [{"name": "main", "dsn": pg_dsn, "interval": "1s", "long_running": "0s"}]})
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            pane = app.query_one(PostgresPane)
            view = pane._views["main"]
            table = view.query_one(".pg-long")
            await until(pilot, lambda: any("␛[2J" in str(c) for i in range(table.row_count) for c in table.get_row_at(i)))
            assert raw_controls(app.export_screenshot()) == []
            table.focus()
            row = next(i for i in range(table.row_count) if any("␛[2J" in str(c) for c in table.get_row_at(i)))
            table.move_cursor(row=row)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, BackendDetailScreen))
            assert "␛]52;" in app.screen.backend.query
            assert raw_controls(app.export_screenshot()) == []
    finally:
        await end_sessions(pg_dsn, [sleeper], [task])


class _HostileHealth:
    """A health endpoint whose status line and body carry terminal controls."""

    def __enter__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                body = json.dumps({"status": f"DOWN{PAYLOADS['clipboard']}"}).encode()
                self.send_response(503, f"Unavailable{PAYLOADS['clear']}")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/health"
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


async def test_health_reason_and_status_output_show_controls_literally(tmp_path):
    from app.ui.panes.health import HealthPane

    with _HostileHealth() as target:
        app = PaneHost("health", {"timezone": "UTC", "health": [{"name": "api", "url": target.url, "interval": "1s"}]})
        async with app.run_test(size=(120, 40)) as pilot:
            pane = app.query_one(HealthPane)
            await until(pilot, lambda: pane.table.row_count == 1 and "␛[2J" in " ".join(c.plain for c in pane.table.get_row_at(0)))
            assert raw_controls(app.export_screenshot()) == []
        config = tmp_path / "warroom.yaml"
        config.write_text(f"health: [{{name: api, url: '{target.url}', body: [{{path: status, equals: UP}}]}}]\n")
        for args in (["status"], ["status", "--json"]):
            out = _cli(*args, "--config", str(config))
            assert out.returncode == 2 and raw_controls(out.stdout) == [], out.stdout
