"""The wall from DESIGN.md at run time: importing anything below the front ends loads no
textual and no app.ui. The static side (every import, including function-local ones) is the
import-linter contracts in pyproject.toml, checked by test_import_contracts.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
WALLED = ["domain", "store", "collectors", "config", "notify", "incident", "status"]


def _modules(package: str) -> list[Path]:
    root = APP / package
    if root.is_file() or (APP / f"{package}.py").is_file():
        return [APP / f"{package}.py"]
    return sorted(root.rglob("*.py")) if root.is_dir() else []


def test_importing_the_walled_packages_loads_no_textual():
    modules = [
        "app." + str(p.relative_to(APP).with_suffix("")).replace("/", ".").removesuffix(".__init__")
        for package in WALLED
        for p in _modules(package)
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    try:\n"
        "        importlib.import_module(m)\n"
        "    except ImportError as exc:\n"
        "        if 'textual' in str(exc): raise\n"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'app.ui'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=APP.parent)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
