"""Config: defaults, lookup order, ${ENV}, durations, and one clear line for every mistake."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from app.config import Config, ConfigError, find_config, load_config, parse_config
from app.config.types import parse_duration


def test_no_file_gives_working_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.source is None
    assert [s.name for s in config.severities] == ["SEV1", "SEV2", "SEV3", "SEV4"]
    sev1, sev2 = config.severities[0], config.severities[1]
    assert (sev1.respond_within, sev1.update_every) == (timedelta(minutes=5), timedelta(minutes=15))
    assert (sev2.respond_within, sev2.update_every) == (timedelta(minutes=15), timedelta(minutes=30))
    assert config.role_names == ["Incident Commander", "Tech Lead", "Communications Lead", "Scribe"]
    assert config.checklist_for("SEV1")
    assert config.operator


def test_lookup_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    (xdg / "warroom").mkdir(parents=True)
    (xdg / "warroom" / "config.yaml").write_text("operator: from-xdg\n")
    assert load_config().operator == "from-xdg"
    (tmp_path / "warroom.yaml").write_text("operator: from-cwd\n")
    assert load_config().operator == "from-cwd"
    env_file = tmp_path / "env.yaml"
    env_file.write_text("operator: from-env\n")
    monkeypatch.setenv("WARROOM_CONFIG", str(env_file))
    assert load_config().operator == "from-env"
    explicit = tmp_path / "explicit.yaml"
    explicit.write_text("operator: from-flag\n")
    assert load_config(explicit).operator == "from-flag"
    assert find_config(explicit) == explicit


def test_env_expansion_and_defaults(monkeypatch):
    monkeypatch.setenv("WR_STORE", "sqlite:////tmp/x.db")
    monkeypatch.delenv("WR_MISSING", raising=False)
    config = parse_config(
        "incident:\n  store: ${WR_STORE}\noperator: ${WR_MISSING:-alice}\n"
        "health:\n  - name: api\n    url: http://127.0.0.1/health\n    headers: {Authorization: 'Bearer $${literal}'}\n"
    )
    assert config.incident.store == "sqlite:////tmp/x.db"
    assert config.operator == "alice"
    assert config.health[0].headers["Authorization"] == "Bearer ${literal}"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("15m", 900), ("2h", 7200), ("1h30m", 5400), ("500ms", 0.5), (45, 45), ("1d", 86400), ("2.5m", 150)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


MALFORMED = [
    ("severities: [{name: SEV1, update_every: soon}]", "severities[0].update_every: invalid duration 'soon'"),
    ("colour: red", "colour: unknown key"),
    ("incident: {stroe: x}", "incident.stroe: unknown key"),
    ("roles: admin", "roles: Input should be a valid list"),
    ("roles: [a, a]", "roles: 'a' is used twice ([0] and [1]); names must be unique"),
    ("roles: []", "roles: List should have at least 1 item"),
    ("severities: []", "severities: List should have at least 1 item"),
    ("severities: [{description: x}]", "severities[0].name: required key is missing"),
    ("severities: [{name: A}, {name: A}]", "severities: 'A' is used twice ([0] and [1]); names must be unique"),
    (
        "severities: [{name: A, escalation: [{after: 30m, to: x}, {after: 10m, to: y}]}]",
        "severities[0].escalation: escalation steps must be in ascending order",
    ),
    ("severities: [{name: A, escalation: [{after: 30m}]}]", "severities[0].escalation[0].to: required key is missing"),
    ("timezone: Mars/Olympus", "timezone: unknown time zone 'Mars/Olympus'"),
    ("incident: {id_format: 'INC-{year}'}", "incident.id_format: id_format must contain {seq}"),
    ("checklists: [{phase: triage}]", "checklists[0]: give 'items' or 'from_markdown'"),
    ("checklists: [{phase: t, from_markdown: nope.md}]", "checklists[0].from_markdown: cannot read nope.md ("),
    ("checklists: [{phase: t, items: [a], severities: [SEV9]}]", "checklists[0].severities: unknown severity 'SEV9'"),
    ("operator: ${WARROOM_TEST_UNSET_VAR}", "operator: environment variable ${WARROOM_TEST_UNSET_VAR} is not set"),
    ("health: [{name: api, url: ftp://x}]", "health[0].url: must start with http:// or https://"),
    ("health: [{name: a, url: 'http://x'}, {name: a, url: 'http://y'}]", "health: duplicate name 'a'"),
    ("error_rates: [{name: e, prometheus: 'http://p'}]", "error_rates[0]: 'prometheus' needs a 'query'"),
    ("postgres: [{name: db, interval: -5}]", "postgres[0].interval: a duration cannot be negative"),
    ("postgres: [{name: db, interval: -5s}]", "postgres[0].interval: a duration cannot be negative"),
    ("- just\n- a list", "the top level must be a mapping"),
    ("incident: [unclosed", "line 1: not valid YAML"),
    ("severities:\n  - name: SEV1\n   update_every: 5m", "line 3: not valid YAML"),
]


@pytest.mark.parametrize(("text", "expected"), MALFORMED, ids=[m[1][:40] for m in MALFORMED])
def test_malformed_config_gives_one_clear_line(tmp_path, text, expected):
    path = tmp_path / "warroom.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path.resolve()}:") or message.startswith(f"{path}:")
    assert expected in message


def test_cli_reports_bad_config_in_one_line_with_exit_2(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("severities: [{name: SEV1, update_every: soon}]\n")
    result = subprocess.run(
        [sys.executable, "-m", "app", "check-config", "--config", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "update_every" in result.stderr and "Traceback" not in result.stderr


def test_missing_explicit_config_names_the_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def _all_keys(model, seen=None) -> set[str]:
    """Every key of a config model and the models nested in it."""
    import typing

    from pydantic import BaseModel

    seen = seen if seen is not None else set()
    keys: set[str] = set()
    if model in seen:
        return keys
    seen.add(model)
    for name, field in model.model_fields.items():
        if name == "source" or field.exclude:
            continue
        keys.add(str(field.validation_alias or field.alias or name))
        stack = [field.annotation]
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                keys |= _all_keys(tp, seen)
            stack.extend(typing.get_args(tp))
    return keys


def test_example_config_is_valid_and_documents_every_key(monkeypatch):
    """config.example.yaml must load as-is and mention every key (commented examples count)."""
    root = Path(__file__).resolve().parents[2]
    example = root / "config.example.yaml"
    for var in ("DATABASE_URL", "SLACK_WEBHOOK_URL", "API_TOKEN"):
        monkeypatch.setenv(var, "placeholder")
    config = load_config(example)
    assert isinstance(config, Config)
    text = example.read_text()
    missing = sorted(key for key in _all_keys(Config) if f"{key}:" not in text)
    assert missing == [], f"config.example.yaml does not document: {missing}"


def test_checklist_from_markdown_relative_to_config(tmp_path):
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "runbooks" / "db.md").write_text("# DB\n## Triage\n- [ ] Check connections\n- [x] Page DBA\n")
    path = tmp_path / "warroom.yaml"
    path.write_text(
        "checklists:\n  - phase: database\n    severities: [SEV1]\n    from_markdown: runbooks/db.md\n"
        "  - phase: always\n    items: [Open channel]\n"
    )
    config = load_config(path)
    sev1 = config.checklist_for("SEV1")
    assert [(i.phase, i.group, i.text) for i in sev1] == [
        ("database", "Triage", "Check connections"),
        ("database", "Triage", "Page DBA"),
        ("always", "always", "Open channel"),
    ]
    assert [i.text for i in config.checklist_for("SEV3")] == ["Open channel"]
    assert len({i.id for i in sev1}) == 3


def test_example_templates_are_the_built_in_defaults(monkeypatch):
    """Copying config.example.yaml must not quietly change how updates read."""
    from app.domain.templates import DEFAULT_TEMPLATES

    example = Path(__file__).resolve().parents[2] / "config.example.yaml"
    templates = load_config(example).notify.templates
    for name, text in DEFAULT_TEMPLATES.items():
        assert getattr(templates, name).rstrip("\n") == text.rstrip("\n"), name
