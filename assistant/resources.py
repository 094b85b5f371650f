"""Where the product's own files are: the knowledge base, the app's pages and the eval
datasets. In a source checkout (or an editable install) they are the top-level folders
``knowledge/``, ``ui/`` and ``evals/``; in a wheel, the build copies them into
``assistant/_data/`` (see setup.py), so ``pip install .`` works from any directory."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_ROOT = PACKAGE_DIR.parent
Bundled = Literal["knowledge", "ui", "evals"]


def bundled(name: Bundled) -> Path:
    """The folder ``name`` as installed: inside the package when built into a wheel,
    else the checkout's top-level folder."""
    inside = PACKAGE_DIR / "_data" / name
    return inside if inside.is_dir() else CHECKOUT_ROOT / name


def installed_as_wheel() -> bool:
    """True when running from a built (non-editable) install: nothing under the package
    may then be written at run time."""
    return (PACKAGE_DIR / "_data").is_dir()
