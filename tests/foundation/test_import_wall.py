"""The wall from DESIGN.md: domain, store, collectors, config (and notify) never touch the UI."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
WALLED = ["domain", "store", "collectors", "config", "notify"]
FORBIDDEN = ("textual", "app.ui")


def _modules(package: str) -> list[Path]:
    root = APP / package
    if root.is_file() or (APP / f"{package}.py").is_file():
        return [APP / f"{package}.py"]
    return sorted(root.rglob("*.py")) if root.is_dir() else []


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module":
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                names.append(node.args[0].value)
    return names


@pytest.mark.parametrize("package", WALLED)
def test_no_ui_imports_in_source(package):
    offenders = [
        f"{path.relative_to(APP.parent)} imports {name}"
        for path in _modules(package)
        for name in _imports(path)
        if name == "textual" or name.startswith(("textual.", "app.ui"))
    ]
    assert offenders == []


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
