"""The one support module for tests (and the UI benchmark): settings in a temporary
folder, copies of chosen articles, snapshot checks, and the browser harness (where
Chromium is and how it is started, and how a `streamlit run` of the app is started, in
which environment, and stopped). Fixtures stay in conftest.py; test files never import
from each other."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from assistant.config import REPO_ROOT, Settings

KNOWLEDGE = REPO_ROOT / "knowledge"
SNAPSHOTS = Path(__file__).with_name("snapshots")
SMALL_SET = [
    "goals/smart-goals",
    "outreach/cold-email",
    "outreach/linkedin-note",
    "feedback/receiving-feedback",
    "feedback/sbi-model",
    "industry/industry-healthcare",
]


def make_settings(tmp: Path, knowledge: Path | None = None, **kw: object) -> Settings:
    return Settings(
        data_dir=tmp / "data",
        knowledge_dir=knowledge or KNOWLEDGE,
        _env_file=None,  # type: ignore[call-arg]
        **kw,  # type: ignore[arg-type]
    )


def copy_articles(dest: Path, ids: list[str]) -> Path:
    for rel in ids:
        src = KNOWLEDGE / "articles" / f"{rel}.md"
        target = dest / "articles" / f"{rel}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    return dest


def check_snapshot(name: str, value: object) -> None:
    """Compare with tests/snapshots/NAME; UPDATE_SNAPSHOTS=1 rewrites it (never in CI)."""
    path = SNAPSHOTS / name
    text = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        if os.environ.get("CI") and not path.exists():
            raise AssertionError(f"missing snapshot {name}")
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, f"{name} changed; review and update"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
APP = REPO_ROOT / "ui" / "app.py"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_env(data_dir: Path, db_url: str) -> dict[str, str]:
    """The caller's environment without any model or MENTOR_*/STREAMLIT_* setting (so
    library mode unless the caller adds a model), reading `data_dir` and `db_url`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MENTOR_", "STREAMLIT_")) and k != "OPENAI_API_KEY"
    }
    env.update(MENTOR_DATA_DIR=str(data_dir), MENTOR_DATABASE_URL=db_url)
    return env


def app_command(port: int) -> list[str]:
    """The app as README starts it: `mentor app` from the installed environment (headless,
    so no browser window opens), which brings the index up to date and then serves on
    loopback with the options shipped in the package."""
    mentor = Path(sys.executable).with_name("mentor")
    base = [str(mentor)] if mentor.is_file() else [sys.executable, "-m", "assistant.cli"]
    return [*base, "app", "--port", str(port), "--headless"]


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
