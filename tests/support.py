"""The one support module for tests (and the UI benchmark): settings in a temporary
folder, copies of chosen articles, snapshot checks, and the browser harness (where
Chromium is and how it is started, and how a `streamlit run` of the app is started, in
which environment, and stopped). Fixtures stay in conftest.py; test files never import
from each other."""

from __future__ import annotations

import copy
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from assistant.config import REPO_ROOT, Settings, load_settings
from assistant.store import Store

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


TIMEOUT_MS = 30_000  # Playwright waits in the browser tests


def screenshots_dir() -> Path:
    path = Path(os.environ.get("MENTOR_ARTIFACTS", str(REPO_ROOT / "artifacts"))) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def wait_until(check: Callable[[], Any], timeout: float = 30.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.1)


def start_streamlit(
    port: int, env: dict[str, str], cwd: Path, log: Path
) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            app_command(port), env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT
        )
    health = f"http://127.0.0.1:{port}/_stcore/health"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(health, timeout=2) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop(proc)
            raise RuntimeError(f"streamlit did not become healthy:\n{log.read_text()}")
        time.sleep(0.2)


# --- the CLI as a user runs it ---------------------------------------------------------


def mentor(
    *args: str, env: dict[str, str], stdin: str | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
    )
    assert "Traceback" not in res.stderr, res.stderr
    if check:
        assert res.returncode == 0, res.stderr
    return res


# --- the app through AppTest (fixtures in conftest.py) -------------------------------------

APP_SCRIPT = str(REPO_ROOT / "ui" / "app.py")


def clear_caches() -> None:
    st.cache_resource.clear()
    st.cache_data.clear()


def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No model, no stray MENTOR_* setting and no .env file from the developer's shell."""
    for var in list(os.environ):
        if var.startswith("MENTOR_") or var == "OPENAI_API_KEY":
            monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


class AppEnv:
    """The environment one test runs the app in."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path

    @property
    def settings(self) -> Settings:
        return load_settings()

    def store(self) -> Store:
        return Store.open(self.settings.db_url)


def open_app(page: str | None = None, **query: str) -> AppTest:
    """Run the app (optionally switched to ``page``) with the given query parameters."""
    at = AppTest.from_file(APP_SCRIPT, default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def chat(at: AppTest) -> list[tuple[str, str]]:
    """(role, text) of each chat message: its markdown, info and warning bodies."""
    out = []
    for cm in at.chat_message:
        parts = [m.value for m in cm.markdown if m.type == "markdown"]
        parts += [e.value for e in (*cm.info, *cm.warning)]
        out.append((cm.name, "\n".join(parts)))
    return out


def markdown_values(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown] + [m.value for m in at.sidebar.markdown]


def button_keys(at: AppTest, prefix: str) -> list[str]:
    return [b.key for b in at.button if b.key and b.key.startswith(prefix)]


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.main.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def sidebar_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.sidebar.markdown)


# --- an outreach request -----------------------------------------------------------------

EMAIL: dict[str, Any] = {
    "mentee": {
        "name": "Jonah Price",
        "current": "final-year psychology student",
        "goal": "move into UX research",
    },
    "mentor": {
        "name": "Amira Haddad",
        "role": "Senior UX Researcher",
        "organisation": "Civic Design Lab",
        "how_found": "her meetup talk in March",
        "admired_work": "Her talk on testing booking forms with screen-reader users — "
        "it changed how I think about recruiting for studies",
    },
    "ask": "short_call",
    "channel": "email",
    "tone": "warm",
}
PREVIOUS = (
    "Subject: Your talk on testing forms with screen-reader users\n\nHi Amira,\n\n"
    "I'm a final-year psychology student hoping to move into UX research. Your meetup talk in "
    "March on testing booking forms with screen-reader users changed how I think about "
    "recruitment for studies. I've since run a small test of my own on my university "
    "library's booking form.\n\nWould you be open to a 20-minute call in the next few weeks? "
    "I'd like to ask how you got your first research role and what you'd focus on in my "
    "position.\n\nIf now isn't a good moment, I completely understand.\n\nThank you,\nJonah"
)
NOTES = (
    "She said regulatory writing is the core skill. She suggested the introductory course "
    "from the professional body."
)


def req(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(EMAIL)
    for key, value in changes.items():
        if "." in key:
            part, name = key.split(".")
            data[part][name] = value
        elif value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data
