"""Find the .tcss files: app/styles in a wheel, ../styles from a source checkout."""

from __future__ import annotations

from pathlib import Path, PurePath

_PACKAGE = Path(__file__).resolve().parent.parent


def styles_dir() -> Path:
    for candidate in (_PACKAGE / "styles", _PACKAGE.parent / "styles"):
        if (candidate / "app.tcss").is_file():
            return candidate
    raise FileNotFoundError("warroom's styles (app.tcss) are missing from this installation")


def css_paths() -> list[str | PurePath]:
    """As App.CSS_PATH takes them."""
    root = styles_dir()
    return [root / "app.tcss", *sorted(p for p in root.glob("*.tcss") if p.name != "app.tcss")]
