"""A data folder that cannot be written — a read-only mount, a full disk — as a person hits
it: every command says where it tried to write and what to do, never a traceback, and an
existing index on a read-only mount still answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import SMALL_SET, copy_articles

pytestmark = pytest.mark.slow


def mount(*args: str) -> None:
    res = subprocess.run(["mount", *args], capture_output=True, text=True)
    if res.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"mount {' '.join(args)} failed: {res.stderr}")
        pytest.skip(f"cannot mount here (needs root): {res.stderr.strip()}")


def mentor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in res.stderr + res.stdout, res.stderr
    return res


def base_env(data: Path, knowledge: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MENTOR_", "OPENAI_"))}
    return {**env, "MENTOR_DATA_DIR": str(data), "MENTOR_KNOWLEDGE_DIR": str(knowledge)}


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    knowledge = copy_articles(tmp_path / "knowledge", SMALL_SET)
    src, ro = tmp_path / "src", tmp_path / "ro"
    src.mkdir()
    ro.mkdir()
    res = mentor(base_env(src, knowledge), "index")
    assert res.returncode == 0, res.stderr
    mount("--bind", str(src), str(ro))
    try:
        mount("-o", "remount,bind,ro", str(ro))
        yield ro, knowledge
    finally:
        subprocess.run(["umount", str(ro)], check=False)


def test_a_read_only_data_folder_with_an_index_still_answers(
    read_only: tuple[Path, Path],
) -> None:
    ro, knowledge = read_only
    env = base_env(ro, knowledge)
    res = mentor(env, "ask", "--json", "how do I write a cold email to a possible mentor?")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["citations"]
    notes = " ".join(data["notices"])
    assert "read-only" in notes and "nothing you type here is saved" in notes
    res = mentor(env, "ask", "how do I follow up after no reply?")
    assert res.returncode == 0 and "read-only" in res.stderr
    assert mentor(env, "search", "cold email").returncode == 0
    res = mentor(env, "index", "--force")
    assert res.returncode == 5 and f"The data folder {ro} cannot be written" in res.stderr
    assert mentor(env, "doctor").returncode in (0, 1)


def test_a_full_data_folder_is_named_with_what_to_do(tmp_path: Path) -> None:
    knowledge = copy_articles(tmp_path / "knowledge", SMALL_SET)
    full = tmp_path / "full"
    full.mkdir()
    mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", str(full))
    try:
        env = base_env(full, knowledge)
        res = mentor(env, "index")
        assert res.returncode == 5, res.stderr
        assert f"The data folder {full} is full" in res.stderr and "MENTOR_DATA_DIR" in res.stderr
        res = mentor(env, "ask", "how do I find a mentor?")
        assert res.returncode != 0 and "mentor index" in res.stderr
    finally:
        subprocess.run(["umount", str(full)], check=False)
