"""The status lifecycle in config (issue 15, item 6): today's four by default; any ordered
list whose last status resolves; each mistake one line naming the file and key, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ConfigError, parse_config
from app.domain.events import Status

ROOT = Path(__file__).resolve().parents[2]
BIG = "x" * 10240


def test_without_statuses_the_lifecycle_is_todays():
    config = parse_config("operator: a")
    assert config.status_names == [s.value for s in Status] == ["investigating", "identified", "monitoring", "resolved"]
    assert config.final_status == "resolved"


def test_a_runbooks_lifecycle_with_descriptions_and_a_milestone():
    config = parse_config(
        "statuses:\n"
        "  - {name: Investigating, description: '[b]Finding[/b] the cause'}\n"
        "  - {name: Mitigating, marks: mitigated}\n"
        "  - Resolved\n"
    )
    assert config.status_names == ["Investigating", "Mitigating", "Resolved"]
    assert config.statuses[0].description == "[b]Finding[/b] the cause"
    assert config.statuses[1].marks == "mitigated"
    assert config.find_status("MITIGATING").name == "Mitigating"
    assert config.find_status("resolved").name == "Resolved"
    assert parse_config("statuses: [Open, Closed]").find_status("resolved").name == "Closed"  # always the last
    assert config.find_status("identified") is None


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("statuses: [Open]", "statuses", "at least 2"),
        ("statuses: Investigating", "statuses", "valid list"),
        ("statuses: [resolved, Monitoring]", "statuses[0].name", "only be the last"),
        ("statuses: [Open, open, Closed]", "statuses[1].name", "already statuses[0]"),
        ("statuses: [a, {name: b, marks: mitigated}, {name: c, marks: mitigated}, d]", "statuses[2].marks", "already marked by statuses[1]"),
        ("statuses: [a, {name: b, marks: mitigated}]", "statuses[1].marks", "marks 'resolved' itself"),
        ("statuses: [a, {name: b, marks: resolved}, c]", "statuses[1].marks", "'acknowledged' or 'mitigated'"),
        ("statuses: [a, {name: b, marks: 15}, c]", "statuses[1].marks", "'acknowledged' or 'mitigated'"),
        ("statuses: [{name: a, marks: acknowledged}, b, c]", "statuses[0].marks", "opens in the first status"),
        ("statuses: [.inf, b]", "statuses[0]", "status name or a mapping"),
        ("statuses: [15, b]", "statuses[0]", "status name or a mapping"),
        ("statuses: [\"a\\nb\", c]", "statuses[0]", "one line"),
        ("statuses: [\"\\e[2Jx\", c]", "statuses[0]", "control characters"),
        (f"statuses: [a, '{BIG}']", "statuses[1]", "at most 80"),
        (f"statuses: [{{name: a, description: '{BIG}'}}, b]", "statuses[0].description", "at most 500"),
        ("statuses: [{name: a, description: [x]}, b]", "statuses[0].description", "valid string"),
        ("statuses: [{name: a, description: .inf}, b]", "statuses[0].description", "valid string"),
        ("statuses: [{name: a, description: 15}, b]", "statuses[0].description", "valid string"),
        ("statuses: [{name: a, description: \"x\\ny\"}, b]", "statuses[0].description", "one line"),
        ("statuses: [a, {name: b, marks: .inf}, c]", "statuses[1].marks", "'acknowledged' or 'mitigated'"),
        ("statuses: [{name: a, meaning: x}, b]", "statuses[0].meaning", "unknown key"),
        ("statuses: ['', b]", "statuses[0]", "cannot be empty"),
    ],
)
def test_a_wrong_status_setting_is_one_line_naming_the_key(text, where, words):
    with pytest.raises(ConfigError) as err:
        parse_config(text)
    message = str(err.value)
    assert f"{where}:" in message and words in message and "\n" not in message, message


def test_a_status_that_looks_like_a_time_or_markup_is_a_name_as_written():
    config = parse_config("statuses: ['1:00', '[b]Fixing[/b]', Done]")
    assert config.status_names == ["1:00", "[b]Fixing[/b]", "Done"]


def test_the_bomizzel_example_carries_its_runbooks_statuses():
    from app.config import load_config

    config = load_config(ROOT / "examples" / "bomizzel.yaml")
    assert config.status_names == ["INVESTIGATING", "IDENTIFIED", "RESOLVING", "RESOLVED"]
    assert config.find_status("resolving").name == "RESOLVING"


def test_check_config_names_the_file_and_key_exits_2_and_prints_the_lifecycle(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("statuses: [Resolved, Investigating]\n")
    done = subprocess.run([sys.executable, "-m", "app", "check-config", "--config", str(bad)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert str(bad) in done.stderr and "statuses[0].name" in done.stderr
    good = tmp_path / "good.yaml"
    good.write_text("statuses: [Investigating, {name: Mitigating, marks: mitigated}, Resolved]\n")
    done = subprocess.run([sys.executable, "-m", "app", "check-config", "--config", str(good)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "statuses: Investigating → Mitigating (marks mitigated) → Resolved (resolves)" in done.stdout
