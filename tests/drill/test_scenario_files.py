"""Scenario files: validated on load, a bad one is one line naming the file and key, exit 2;
before anything is started (no lock taken, no directory left)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from app.cli import main
from app.drill.scenario import load_scenario, scenario_names


def test_packaged_scenarios():
    assert scenario_names() == ["bad-deploy", "lock-storm", "pool-exhaustion"]
    for name in scenario_names():
        scenario = load_scenario(name)
        assert scenario.name == name
        assert all(step.expect for step in [*scenario.steps, *scenario.ends.recovery])


GOOD = Path(__file__).resolve().parents[2] / "app" / "drill" / "scenarios" / "bad-deploy.yaml"


@pytest.mark.parametrize(("edit", "message"), [
    (("  - at: 60s\n", "  - at: 6Os\n"), "steps[1].at: invalid duration"),
    (("payments: {version: \"2.4.0\"", "paymnts: {version: \"2.4.0\""), "steps[1].deployments: unknown deployment 'paymnts'"),
    (("expect: {health: OK, errors: OK, postgres: OK, kubernetes: OK}", "expect: {health: FINE}"), "steps[0].expect.health"),
    (("  decision: ", "  decison: "), "ends.decison: unknown key"),
    (("  decision: \"", "  decision: \"(("), "ends.decision: not a regular expression"),
])
def test_a_bad_scenario_file_is_one_line(tmp_path, capsys, edit, message):
    path = tmp_path / "mine.yaml"
    old, new = edit
    text = GOOD.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    before = set(Path(tempfile.gettempdir()).glob("warroom-drill-*"))
    assert main(["demo", "--scenario", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(path) in err and message in err, err
    assert set(Path(tempfile.gettempdir()).glob("warroom-drill-*")) == before


def test_unknown_scenario_and_bad_speed(capsys):
    assert main(["demo", "--scenario", "nope"]) == 2
    assert "unknown scenario 'nope' (known: bad-deploy, lock-storm, pool-exhaustion" in capsys.readouterr().err
    assert main(["demo", "--speed", "0"]) == 2
    assert "--speed: must be between" in capsys.readouterr().err
