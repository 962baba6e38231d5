"""`warroom status` starts each source's checks once that source's own config section is read,
and validates the rest while they run: a mistake anywhere in the config is still the one
line `warroom check-config` prints, exit code 2, and no status table."""

from __future__ import annotations

import os
import subprocess
import sys
import typing
from pathlib import Path

from app.collectors.registry import SOURCES
from app.config.model import Config
from app.config.staged import SOURCE_SECTIONS

ROOT = Path(__file__).resolve().parents[2]


def warroom(tmp_path: Path, config: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    path = tmp_path / "warroom.yaml"
    path.write_text(config, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "app", *args, "--config", str(path)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=60)


def same_error_as_check_config(tmp_path: Path, config: str, *args: str, env: dict[str, str] | None = None) -> str:
    status = warroom(tmp_path, config, "status", *args, env=env)
    check = warroom(tmp_path, config, "check-config", env=env)
    assert check.returncode == 2, check.stdout
    assert (status.returncode, status.stderr, status.stdout) == (2, check.stderr, ""), status.stdout + status.stderr
    return status.stderr


def test_a_mistake_outside_the_sources_fails_status_as_it_fails_check_config(tmp_path, target):
    config = f"health:\n  - name: api\n    url: {target.url('/ok')}\nseverities:\n  - name: SEV1\n    clock: lunar\n"
    assert "severities[0].clock" in same_error_as_check_config(tmp_path, config)


def test_a_mistake_in_a_source_section_fails_status_as_it_fails_check_config(tmp_path, target):
    config = f"health:\n  - name: api\n    url: {target.url('/ok')}\n    timeout: 5 parsecs\n"
    assert "health[0].timeout" in same_error_as_check_config(tmp_path, config)
    duplicate = f"health:\n  - name: api\n    url: {target.url('/ok')}\n  - name: api\n    url: {target.url('/ok')}\n"
    assert "duplicate name 'api'" in same_error_as_check_config(tmp_path, duplicate)


def test_a_missing_variable_and_a_bad_only_say_the_config_error_first(tmp_path, target):
    assert "WARROOM_TEST_UNSET" not in os.environ
    config = f"health:\n  - name: api\n    url: {target.url('/ok')}\nnotify:\n  webhooks:\n    - name: chat\n      url: ${{WARROOM_TEST_UNSET}}\n"
    assert "WARROOM_TEST_UNSET" in same_error_as_check_config(tmp_path, config, "--only", "bogus")
    wrong_type = f"health:\n  - name: api\n    url: {target.url('/ok')}\ntimezone: [UTC]\n"
    assert "timezone" in same_error_as_check_config(tmp_path, wrong_type, "--only", "bogus")


def test_every_source_is_read_ahead_by_the_model_of_its_config_entries():
    assert set(SOURCE_SECTIONS) == {source.section for source in SOURCES.values()}
    for section, (module, model) in SOURCE_SECTIONS.items():
        (entry,) = typing.get_args(Config.model_fields[section].annotation)
        assert (entry.__module__, entry.__name__) == (module, model)
