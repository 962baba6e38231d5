"""The wheel carries styles/ as app/styles, and an installed copy finds them."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_ships_styles_and_installs_in_a_clean_venv(tmp_path):
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(ROOT)],
        capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    wheel = next(dist.glob("warroom-*.whl"))
    tcss = sorted(ROOT.glob("styles/*.tcss"))
    assert tcss
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    for style in tcss:
        assert f"app/styles/{style.name}" in names
    assert "app/cli/__init__.py" in names and "app/incident/session.py" in names
    # `warroom demo`'s scenarios are data files inside the package
    assert {f"app/drill/scenarios/{p.name}" for p in ROOT.glob("app/drill/scenarios/*.yaml")} <= names
    assert not any(n.startswith("tests/") for n in names)

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True
    )
    assert install.returncode == 0, install.stderr
    # Run from a neutral directory so the source checkout cannot be picked up instead.
    probe = subprocess.run(
        [str(python), "-c", "from app.ui.styles import css_paths; print('\\n'.join(str(p) for p in css_paths()))"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr
    found = probe.stdout.split()
    assert all(str(env_dir) in path for path in found)
    assert {Path(p).name for p in found} == {p.name for p in tcss}
    entry = (env_dir / "bin" / "warroom")
    assert entry.is_file()


def test_styles_found_from_the_source_checkout():
    from app.ui.styles import styles_dir

    assert styles_dir() == ROOT / "styles"
