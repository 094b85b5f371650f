"""The `mentor` command as a user runs it: a real process, real files, plain messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import mentor


@pytest.fixture
def env(full_runtime) -> dict[str, str]:  # type: ignore[no-untyped-def]
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MENTOR_", "OPENAI_"))}
    return {**base, "MENTOR_DATA_DIR": str(full_runtime.settings.data_dir)}


def test_ask_json_library_mode(env: dict[str, str]) -> None:
    res = mentor(
        "ask", "How should I follow up if a possible mentor doesn't reply?", "--json", env=env
    )
    data = json.loads(res.stdout)
    assert data["mode"] == "library" and data["grounded"] is True
    assert data["citations"] and {"n", "doc_id", "title", "path"} <= set(data["citations"][0])
    assert "[1]" in data["answer"]
    off = json.loads(mentor("ask", "what's a good lasagna recipe?", "--json", env=env).stdout)
    assert off["grounded"] is False and off["citations"] == []


def test_ask_streams_text_with_sources(env: dict[str, str]) -> None:
    res = mentor("ask", "how do I prepare for my first meeting with a mentor", env=env)
    assert "Library mode" in res.stdout and "Sources" in res.stdout


def test_history_list_show_export_delete(env: dict[str, str], tmp_path: Path) -> None:
    data = json.loads(mentor("ask", "How do I write SMART goals?", "--json", env=env).stdout)
    cid = data["conversation_id"]
    assert cid[:8] in mentor("history", "list", env=env).stdout
    shown = mentor("history", "show", cid[:8], env=env).stdout
    assert "How do I write SMART goals?" in shown
    target = tmp_path / "c.md"
    mentor("history", "export", cid, "-o", str(target), env=env)
    assert target.read_text().startswith("# How do I write SMART goals?")
    mentor("history", "delete", cid, "--yes", env=env)
    missing = mentor("history", "show", cid, env=env, check=False)
    assert missing.returncode == 2 and "No single conversation" in missing.stderr


def test_chat_multi_turn(env: dict[str, str]) -> None:
    res = mentor(
        "chat",
        env=env,
        stdin="How do I write a cold email to a possible mentor?\nand if they don't reply?\n\n",
    )
    assert res.stdout.count("composed from our guidance") == 2
    assert "Saved as conversation" in res.stdout


def test_bad_input_is_a_message_not_a_traceback(env: dict[str, str]) -> None:
    res = mentor("ask", "   ", env=env, check=False)
    assert res.returncode == 2 and "empty" in res.stderr
    res = mentor("ask", "x" * 9000, env=env, check=False)
    assert res.returncode == 2 and "limit" in res.stderr


def test_doctor_reports_in_plain_words(env: dict[str, str]) -> None:
    res = mentor("doctor", env=env)
    assert "sha256" in res.stdout and "ok" in res.stdout
    assert "Library mode" in res.stdout and "index" in res.stdout


def test_doctor_reports_an_unreachable_model(env: dict[str, str]) -> None:
    from assistant.testing.fake_openai import closed_port_url

    res = mentor(
        "doctor",
        env={
            **env,
            "MENTOR_LLM_BASE_URL": closed_port_url(),
            "MENTOR_LLM_MODEL": "m",
            "MENTOR_LLM_MAX_RETRIES": "0",
        },
        check=False,
    )
    assert res.returncode == 1 and "Could not reach the model server" in res.stdout


def test_ask_against_a_model_server(env: dict[str, str], fake_openai) -> None:  # type: ignore[no-untyped-def]
    fake_openai.script("Keep it short and specific [1].")
    res = mentor(
        "ask",
        "How do I write a LinkedIn note to a possible mentor?",
        "--json",
        env={**env, "MENTOR_LLM_BASE_URL": fake_openai.base_url, "MENTOR_LLM_MODEL": "fake-model"},
    )
    data = json.loads(res.stdout)
    assert data["mode"] == "fake-model" and data["grounded"] and data["citations"]


@pytest.mark.slow  # > 4 s: kept out of the fast tier
def test_index_summary_and_no_change(tmp_path: Path, small_kb: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")},
        "MENTOR_DATA_DIR": str(tmp_path / "d"),
        "MENTOR_KNOWLEDGE_DIR": str(small_kb),
    }
    first = json.loads(mentor("index", "--json", env=env).stdout)
    assert len(first["added"]) == 6 and first["chunks_embedded"] > 0
    res = mentor("index", env=env)
    assert "0 added, 0 updated, 0 removed, 6 unchanged" in res.stdout.replace("\n", " ")
    (small_kb / "articles/goals/smart-goals.md").write_bytes(b"\xff\xfe not utf8")
    bad = mentor("index", env=env, check=False)
    assert bad.returncode == 3 and "not UTF-8" in bad.stderr and "smart-goals.md" in bad.stderr


def test_undecodable_bytes_in_a_question_are_cleaned(env: dict[str, str]) -> None:
    res = subprocess.run(
        [
            sys.executable.encode(),
            b"-m",
            b"assistant.cli",
            b"ask",
            b"--json",
            b"\xff\xfe how do I find a mentor",
        ],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert res.returncode == 0 and b"Traceback" not in res.stderr, res.stderr
    data = json.loads(res.stdout)
    assert data["kind"] == "answer" and data["citations"]


def test_knowledge_text_keeps_its_square_brackets(env: dict[str, str]) -> None:
    """Console markup must not eat '[Becoming a mentor](../…)' in printed passages."""
    from rich.console import Console

    import assistant.cli as cli

    captured = Console(record=True, width=200)
    original, cli.out = cli.out, captured
    try:
        cli._print_results(
            {
                "rejected": False,
                "results": [
                    {
                        "title": "Paying it [forward]",
                        "score": 1.0,
                        "stage": "paying-it-forward",
                        "path": "x.md",
                        "passages": [
                            {"text": "Read [Becoming a mentor](../paying-it-forward/b.md)."}
                        ],
                    }
                ],
            }
        )
    finally:
        cli.out = original
    text = captured.export_text()
    assert "[Becoming a mentor](../paying-it-forward/b.md)" in text
    assert "Paying it [forward]" in text


def test_a_crisis_conversation_is_not_titled_with_the_persons_words(env: dict[str, str]) -> None:
    res = mentor("ask", "--json", "I want to kill myself, nothing about work matters", env=env)
    cid = json.loads(res.stdout)["conversation_id"]
    listed = mentor("history", "list", env=env).stdout
    line = next(ln for ln in listed.splitlines() if ln.startswith(cid))
    assert "kill" not in line and "A conversation about support" in line
