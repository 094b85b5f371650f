"""`mentor app` as a new user starts it: no terminal attached, nothing typed. It must
build the index in the terminal first, then serve without asking for an e-mail address or
mentioning usage statistics, on this machine only."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support import SMALL_SET, app_command, app_env, copy_articles, free_port, stop

pytestmark = pytest.mark.slow


def listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP socket is listening on for this port (from /proc)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_mentor_app_builds_the_index_then_serves_on_loopback_without_prompts(
    tmp_path: Path,
) -> None:
    knowledge = copy_articles(tmp_path / "knowledge", SMALL_SET)
    env = app_env(tmp_path / "data", f"sqlite:///{tmp_path / 'mentor.db'}")
    env["MENTOR_KNOWLEDGE_DIR"] = str(knowledge)
    env.pop("DISPLAY", None)
    port = free_port()
    log = tmp_path / "app.log"
    cmd = [c for c in app_command(port) if c != "--headless"]  # as README runs it
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                ) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        text = log.read_text()
        assert "Email" not in text and "usage statistics" not in text, text
        assert "Network URL" not in text, text
        ready = text.index("Library ready")
        assert ready < text.index(f"http://localhost:{port}"), text
        # Only the loopback address listens (IPv4 127.0.0.1 is 0100007F in /proc).
        assert listening_addresses(port) == {"0100007F"}, listening_addresses(port)
        assert (tmp_path / "data" / "chroma").is_dir()
    finally:
        stop(proc)
