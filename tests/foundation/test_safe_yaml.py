"""The config loader reads with libyaml when PyYAML has it, and must then mean exactly what
the pure-Python loader means: the same data, the same bounds, the same one-line errors."""

from pathlib import Path

import pytest

from app.config import safe_yaml
from app.config.paths import parse_yaml
from app.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = [ROOT / "config.example.yaml", *sorted((ROOT / "examples").glob("*.yaml"))]


def _pure_python(text: str):
    return safe_yaml._load_with(safe_yaml.BoundedSafeLoader, text)


def test_libyaml_is_used_where_pyyaml_has_it():
    if safe_yaml._CParser is None:
        pytest.skip("this PyYAML was built without libyaml")
    assert safe_yaml._Loader is not safe_yaml.BoundedSafeLoader


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_both_loaders_read_the_shipped_configs_alike(path):
    text = path.read_text()
    assert safe_yaml.load(text) == _pure_python(text)


def test_clock_times_stay_text_not_base_60():
    assert safe_yaml.load("a: 1:00\nb: 1:30.5\nc: 15\n") == {"a": "1:00", "b": "1:30.5", "c": 15}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a: &a [x, x, x, x, x, x, x, x, x]\n"
         + "".join(f"b{i}: &b{i} [{', '.join([f'*{p}'] * 9)}]\n" for i, p in enumerate(["a", *[f"b{j}" for j in range(9)]]))
         , "an alias bomb?"),
        ("x: " + "[" * 5000 + "]" * 5000 + "\n", "x[0][0][0].…[0]: nested more than 32 levels deep"),
        ("incident: {}\nincident: {}\n", "line 2: duplicate key 'incident' on line 2 (first on line 1)"),
        ("a: [1, 2\nb: 3\n", "not valid YAML"),
    ],
    ids=["alias-bomb", "deep", "duplicate", "syntax"],
)
def test_hostile_yaml_gives_the_same_line_with_either_loader(text, expected, monkeypatch):
    with pytest.raises(ConfigError) as fast:
        parse_yaml(text, "c.yaml")
    assert expected in str(fast.value)
    monkeypatch.setattr(safe_yaml, "_Loader", safe_yaml.BoundedSafeLoader)
    with pytest.raises(ConfigError) as slow:
        parse_yaml(text, "c.yaml")
    assert str(fast.value) == str(slow.value)
