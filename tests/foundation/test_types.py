"""mypy over app/ ([tool.mypy] in pyproject.toml) finds no errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_mypy_finds_no_type_errors_in_app():
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "app"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout + out.stderr
