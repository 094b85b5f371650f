"""The package as a user installs it: a built wheel (not editable), used from another
directory. The knowledge base, the app's pages, the migrations, the tuned configuration
and the eval datasets come from inside the wheel; nothing is written into it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import REPO_ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built offline from this checkout and unpacked into its own folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    # Built from a clean copy of the tree: a checkout's own build/ folder can hold stale
    # modules that setuptools would package.
    src = tmp / "src"
    shutil.copytree(
        REPO_ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "build",
            "dist",
            "*.egg-info",
            "artifacts",
            "__pycache__",
            ".*_cache",
            ".data",
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp / "dist"),
            str(src),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    [wheel] = list((tmp / "dist").glob("mentor_assistant-*.whl"))
    target = tmp / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return target


def run(
    installed: Path, cwd: Path, *args: str, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MENTOR_", "OPENAI_"))}
    # The wheel's copy comes first on the path, before the editable checkout.
    env |= {"PYTHONPATH": str(installed), "MENTOR_DATA_DIR": str(cwd / "data")}
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_wheel_carries_its_data_and_works_from_any_directory(
    installed: Path, tmp_path: Path
) -> None:
    pkg = installed / "assistant"
    assert (pkg / "_data" / "knowledge" / "articles" / "goals" / "smart-goals.md").is_file()
    assert (pkg / "_data" / "ui" / "app.py").is_file()
    assert (pkg / "_data" / "ui" / "views" / "ask.py").is_file()
    assert (pkg / "_data" / "evals" / "retrieval" / "questions.jsonl").is_file()
    assert not (pkg / "_data" / "evals" / "reports").exists()
    assert (pkg / "migrations" / "versions" / "0002_features.py").is_file()
    assert (pkg / "tuned_fusion.json").is_file()
    assert (pkg / "testing" / "fake_openai.py").is_file()

    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import assistant, assistant.config as c; "
            "print(assistant.__file__); print(c.Settings().knowledge_dir)",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert where[0].startswith(str(installed)), where
    assert where[1] == str(pkg / "_data" / "knowledge")

    before = {p: p.stat().st_mtime for p in pkg.rglob("*") if p.is_file()}
    res = run(installed, tmp_path, "index", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["chunks_total"] > 1000
    res = run(installed, tmp_path, "ask", "--json", "how do I ask someone to be my mentor?")
    assert res.returncode == 0, res.stderr
    answer = json.loads(res.stdout)
    assert answer["kind"] == "answer" and answer["citations"]
    # Tuning writes only where it is told to, never into the package.
    res = run(installed, tmp_path, "eval", "retrieval", "--out", str(tmp_path / "x.json"))
    assert res.returncode != 0 and "--out goes with --tune" in res.stderr
    after = {
        p: p.stat().st_mtime for p in pkg.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    }
    assert {p: m for p, m in before.items() if "__pycache__" not in p.parts} == after


def test_the_installed_wheel_reproduces_the_readme_retrieval_figures(
    installed: Path, tmp_path: Path
) -> None:
    """The README's test-split rows for the chosen retriever, short questions and long
    posts, from the installed package."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    res = run(installed, tmp_path, "eval", "retrieval", timeout=1800)
    assert res.returncode == 0, res.stderr
    for kind in ("short", "long"):
        row = re.search(rf"\| {kind}, hybrid weighted \(chosen on dev\) \|(.+)\|", readme)
        assert row, f"README lost its {kind} retrieval row"
        quoted = [float(x.strip(" *")) for x in row.group(1).split("|")]
        heading = "## test split, short questions" if kind == "short" else "## test split, long"
        part = res.stdout.split(heading, 1)[1]
        chosen = next(ln for ln in part.splitlines() if "← chosen" in ln)
        printed = [float(x) for x in chosen.split("|")[2:-1]]
        # README: Recall@1, Recall@5, Success@5, MRR@10, nDCG@10, in scope falsely refused
        assert [*printed[:5], printed[6]] == quoted, (kind, printed, quoted)
