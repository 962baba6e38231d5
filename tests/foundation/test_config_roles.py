"""Roles in config (issue 15, item 5): bare names keep working; duties, contact,
required_from and commander; every mistake is one line naming the file and the key, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[2]
BIG = "x" * 10240


def test_a_list_of_bare_names_loads_as_before_and_the_commander_is_incident_commander():
    config = parse_config("roles: [Scribe, Incident Commander, Tech Lead]")
    assert config.role_names == ["Scribe", "Incident Commander", "Tech Lead"]
    assert config.commander_role == "Incident Commander"
    assert all(not r.duties and r.contact is None and r.required_from is None for r in config.roles)
    assert config.unfilled_roles("SEV1", {}) == []


def test_without_incident_commander_the_first_role_leads_unless_one_is_marked():
    assert parse_config("roles: [Duty Manager, Scribe]").commander_role == "Duty Manager"
    marked = parse_config("roles: [Incident Commander, {name: Incident Manager, commander: true}]")
    assert marked.commander_role == "Incident Manager"


def test_duties_contact_and_required_from_are_kept_as_written():
    config = parse_config(
        "roles:\n"
        "  - Incident Commander\n"
        "  - name: Tech Lead\n"
        "    required_from: SEV2\n"
        "    contact: '[b]@oncall-tl[/b] https://pager.example/tl'\n"
        "    duties: [Lead the investigation, '[red]Own the fix[/]']\n"
    )
    tech = config.role("Tech Lead")
    assert tech is not None and tech.contact == "[b]@oncall-tl[/b] https://pager.example/tl"
    assert tech.duties == ["Lead the investigation", "[red]Own the fix[/]"]
    # Severities are listed most severe first: SEV2 and SEV1 require it, SEV3 does not.
    assert [r.name for r in config.unfilled_roles("SEV1", {})] == ["Tech Lead"]
    assert [r.name for r in config.unfilled_roles("SEV2", {"Tech Lead": ""})] == ["Tech Lead"]
    assert config.unfilled_roles("SEV2", {"Tech Lead": "bob"}) == []
    assert config.unfilled_roles("SEV3", {}) == []
    assert config.unfilled_roles("P0", {}) == []  # a severity from another config requires nothing


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("roles: [{name: a, commander: true}, {name: b, commander: true}]", "roles[1].commander", "only one role"),
        ("roles: [{name: a, required_from: SEV9}]", "roles[0].required_from", "unknown severity 'SEV9'"),
        ("roles: [{name: a, required_from: 1:00}]", "roles[0].required_from", "unknown severity '1:00'"),
        ("roles: [{name: a, required_from: 15}]", "roles[0].required_from", "valid string"),
        ("roles: [{name: a, required_from: .inf}]", "roles[0].required_from", "valid string"),
        (f"roles: [{{name: a, required_from: '{BIG}'}}]", "roles[0].required_from", "at most 80"),
        ("roles: [{name: a, required_from: \"SEV1\\nSEV2\"}]", "roles[0].required_from", "one line"),
        ("roles: [{name: a, duties: [15]}]", "roles[0].duties[0]", "valid string"),
        ("roles: [{name: a, duties: [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u]}]", "roles[0].duties", "at most 20"),
        ("roles: [{name: a, duties: Lead the fix}]", "roles[0].duties", "valid list"),
        ("roles: [{name: a, duties: [.inf]}]", "roles[0].duties[0]", "valid string"),
        ("roles: [{name: a, duties: [\"one\\ntwo\"]}]", "roles[0].duties[0]", "one line"),
        (f"roles: [{{name: a, duties: ['{BIG}']}}]", "roles[0].duties[0]", "at most 500"),
        ("roles: [{name: a, contact: 15}]", "roles[0].contact", "valid string"),
        ("roles: [{name: a, contact: .inf}]", "roles[0].contact", "valid string"),
        ("roles: [{name: a, contact: \"@x\\n@y\"}]", "roles[0].contact", "one line"),
        ("roles: [{name: a, contact: \"\\e[2J\"}]", "roles[0].contact", "control characters"),
        (f"roles: [{{name: a, contact: '{BIG}'}}]", "roles[0].contact", "at most 200"),
        ("roles: [{name: a, commander: 'yes'}]", "roles[0].commander", "boolean"),
        ("roles: [{name: a, commander: 1}]", "roles[0].commander", "boolean"),
        ("roles: [{name: '', duties: [x]}]", "roles[0].name", "cannot be empty"),
        ("roles: [{name: a, contacts: x}]", "roles[0].contacts", "unknown key"),
        (f"roles: ['{BIG}']", "roles[0]", "at most 80"),
        ("roles: [a, {name: a}]", "roles", "'a' is used twice"),
    ],
)
def test_a_wrong_role_setting_is_one_line_naming_the_key(text, where, words):
    with pytest.raises(ConfigError) as err:
        parse_config(text)
    message = str(err.value)
    assert f"{where}:" in message and words in message and "\n" not in message, message


def test_time_like_and_markup_values_are_text_as_written():
    config = parse_config("roles: [{name: '[b]Lead[/b]', duties: [1:00, '[red]x[/]'], contact: 1:00}]")
    role = config.roles[0]
    assert (role.name, role.duties, role.contact) == ("[b]Lead[/b]", ["1:00", "[red]x[/]"], "1:00")


def test_check_config_names_the_file_and_key_and_exits_2(tmp_path):
    path = tmp_path / "warroom.yaml"
    path.write_text("roles:\n  - {name: Incident Commander, commander: true}\n  - {name: Duty Manager, commander: true}\n")
    done = subprocess.run([sys.executable, "-m", "app", "check-config", "--config", str(path)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "roles[1].commander" in lines[0], done.stderr


def test_check_config_says_which_role_leads_and_what_each_role_carries(tmp_path):
    path = tmp_path / "warroom.yaml"
    path.write_text("roles:\n  - Scribe\n  - {name: Tech Lead, required_from: SEV2, contact: '@tl', duties: [a, b]}\n")
    done = subprocess.run([sys.executable, "-m", "app", "check-config", "--config", str(path)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "roles: Scribe (commander), Tech Lead" in done.stdout
    assert "role Tech Lead: required from SEV2; contact @tl; 2 duties" in done.stdout


def test_the_example_config_marks_its_commander():
    config = load_config(ROOT / "config.example.yaml")
    assert config.commander_role == "Incident Commander"
    assert config.role("Tech Lead") is not None and config.role("Tech Lead").required_from == "SEV2"


def test_the_examples_carry_their_runbooks_roles():
    payments = load_config(ROOT / "examples" / "payments.yaml")  # "For SEV1/SEV2, assign roles"
    assert [r.name for r in payments.unfilled_roles("SEV2", {})] == payments.role_names
    assert payments.unfilled_roles("SEV3", {}) == []
    assert payments.role("Technical Lead").duties == ["Investigates and fixes"]
    bomizzel = load_config(ROOT / "examples" / "bomizzel.yaml")
    assert bomizzel.role("Team lead").contact == "team-lead@bomizzel.com"
    assert bomizzel.role("On-call engineer").duties == ["Initial response (escalation matrix: 0 min)"]
