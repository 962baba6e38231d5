"""`warroom update`, `incident milestone` and `export --format markdown|yaml` through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.drill.channel import WebhookReceiver, free_port


def run(tmp_path: Path, *args: str, config: Path | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "app", "--store", f"sqlite:///{tmp_path / 'store.db'}", "--operator", "alice"]
    if config:
        cmd += ["--config", str(config)]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=60, cwd=tmp_path)


def write_config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "warroom.yaml"
    path.write_text(
        "timezone: Europe/Berlin\n"
        "notify:\n"
        "  webhooks:\n"
        f"    - {{name: ops-slack, url: '{url}', retries: 1}}\n"
        f"    - {{name: status-bot, url: '{url}/json', format: json, retries: 0}}\n"
    )
    return path


@pytest.fixture
def incident(tmp_path):
    opened = run(tmp_path, "incident", "open", "--severity", "SEV1", "--title", "Checkout down")
    assert opened.returncode == 0, opened.stderr
    return opened.stdout.strip()


def test_update_records_and_delivers_to_every_webhook(tmp_path, incident):
    with WebhookReceiver() as rx:
        config = write_config(tmp_path, rx.url)
        done = run(tmp_path, "update", "Rollback", "in", "progress", config=config)
    assert done.returncode == 0, done.stderr
    assert f"update #2 recorded in {incident}" in done.stdout
    assert "ops-slack: delivered (HTTP 200, 1 attempt)" in done.stdout
    assert "status-bot: delivered" in done.stdout
    assert {"text": "Rollback in progress"} in rx.received
    assert "secret-token" not in done.stdout + done.stderr


def test_failed_delivery_exits_1_and_retry_later_delivers(tmp_path, incident):
    port = free_port()
    config = write_config(tmp_path, f"http://127.0.0.1:{port}/hook/secret-token-abc123")
    failed = run(tmp_path, "update", "Investigating", config=config)
    assert failed.returncode == 1
    assert "ops-slack: FAILED: connection failed" in failed.stdout
    assert "warroom update --retry" in failed.stderr
    with WebhookReceiver(port=port) as rx:
        retried = run(tmp_path, "update", "--retry", config=config)
    assert retried.returncode == 0, retried.stdout + retried.stderr
    assert retried.stdout.count("delivered") == 2
    assert {"text": "Investigating"} in rx.received
    again = run(tmp_path, "update", "--retry", config=config)
    assert "nothing to retry" in again.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["update"], "give the update TEXT, or --draft, or --retry"),
        (["update", "--draft", "text"], "exactly one"),
        (["update", "--incident", "INC-1999-999", "hello"], "no incident 'INC-1999-999'"),
        (["incident", "milestone", "acknowledged", "--at", "yesterday-ish"], "--at: cannot read"),
        (["export", "--format", "pdf"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, incident, args, message):
    done = run(tmp_path, *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_milestones_metrics_and_exports(tmp_path, incident):
    assert run(tmp_path, "incident", "milestone", "acknowledged").returncode == 0
    again = run(tmp_path, "incident", "milestone", "acknowledged")
    assert again.returncode == 2 and "pass --reason to correct it" in again.stderr
    corrected = run(tmp_path, "incident", "milestone", "acknowledged", "--at", "2020-01-01T00:00:00Z", "--reason", "paged earlier")
    assert corrected.returncode == 0 and "corrected to 2020-01-01 00:00:00 UTC" in corrected.stdout
    assert run(tmp_path, "log", "--kind", "action", "Restarted", "pods").returncode == 0
    assert run(tmp_path, "incident", "resolve").returncode == 0

    listed = json.loads(run(tmp_path, "incident", "list", "--json").stdout)
    metrics = listed[0]["metrics"]
    assert metrics["time_to_acknowledge"]["reached"] is True
    assert metrics["time_to_resolve"]["reached"] is True and metrics["time_to_mitigate"]["seconds"] is None

    md = run(tmp_path, "export", "--format", "markdown")
    assert md.returncode == 0 and md.stdout.startswith(f"# Post-mortem: {incident}: Checkout down")
    assert "Restarted pods" in md.stdout.split("## Actions taken")[1]
    out = tmp_path / "record.yaml"
    written = run(tmp_path, "export", incident, "--format", "yaml", "-o", str(out))
    assert written.returncode == 0 and out.is_file()
    record = yaml.safe_load(out.read_text())
    assert record["id"] == incident and record["status"] == "resolved" and record["resolved_at"].endswith("Z")
    assert any(item["event"] == "Restarted pods" for item in record["timeline"])


def test_update_draft_prints_the_filled_template(tmp_path, incident):
    done = run(tmp_path, "update", "--draft")
    assert done.returncode == 0
    assert done.stdout.startswith(f"[SEV1] {incident}: Checkout down")
    assert "Next update by" in done.stdout
