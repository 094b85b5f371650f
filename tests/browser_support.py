"""What the browser tests (tests/test_browser.py) and the UI benchmark
(benchmarks/ui_bench.py) share: where Chromium is and how it is started, and how a
`streamlit run` of the app is started, in which environment, and stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from assistant.config import REPO_ROOT

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


def streamlit_command(port: int) -> list[str]:
    """`streamlit run ui/app.py` on loopback, headless, without telemetry or file watching."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
