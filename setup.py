"""Build hook: copy knowledge/, ui/ and evals/ into the wheel as assistant/_data/, so an
installed package has its knowledge base, app pages and eval datasets. Everything else
lives in pyproject.toml. Editable installs read the top-level folders directly."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("knowledge", "ui", "evals")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "reports", "*.tmp")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for name in BUNDLED:
            target = Path(self.build_lib) / "assistant" / "_data" / name
            shutil.copytree(ROOT / name, target, dirs_exist_ok=True, ignore=SKIP)


setup(cmdclass={"build_py": BuildWithData})
