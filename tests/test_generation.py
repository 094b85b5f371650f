"""The shared generation layer's pure parts: citation renumbering, source excerpts and
the output guard built from whichever system prompt it protects."""

from __future__ import annotations

from assistant.generation import Citation, OutputGuard, excerpt, renumber_citations


def cite(n: int) -> Citation:
    return Citation(n, f"doc-{n}", f"Title {n}", f"x/doc-{n}.md", "", f"text {n}")


def test_cited_sources_are_numbered_1_2_3_in_order_of_first_use() -> None:
    text, sources = renumber_citations(
        "Start small [3]. Then ask [1][3]. Finally [1, 3].", [cite(1), cite(2), cite(3)], [3, 1]
    )
    assert text == "Start small [1]. Then ask [2][1]. Finally [2][1]."
    assert [(s.n, s.doc_id) for s in sources] == [(1, "doc-3"), (2, "doc-1")]


def test_a_source_card_shows_whole_sentences_and_keeps_lists() -> None:
    chunk = (
        "and that is why it matters. Send a short note first.\n\n"
        "1. Pick one person.\n2. Write three lines.\n\nKeep it brief so that"
    )
    assert (
        excerpt(chunk) == "Send a short note first.\n\n1. Pick one person.\n2. Write three lines."
    )
    assert excerpt("Whole. Sentences only!") == "Whole. Sentences only!"


def test_the_guard_protects_any_system_prompt_not_only_the_answer_prompt() -> None:
    drafting = (
        "You draft outreach messages for mentees to possible mentors, in their voice.\n"
        "Never invent a meeting, a referral, a credential or a promise the request lacks."
    )
    guard = OutputGuard.for_prompt(drafting, "CANARY-abc123")
    leaked = "Sure! never invent a meeting, a referral, a credential or a promise the request lacks"
    assert guard.leaks(leaked.replace("never", "Never"))
    safe, report = guard.check("Hi Ana, ![x](http://evil.example/p.png) thanks <b>so</b> much")
    assert "evil.example" not in safe and "<b>" not in safe and report.removed_images == 1
    assert guard.check("text CANARY-abc123")[1].canary_leak
    assert not guard.leaks("Hi Ana, I loved your talk on accessible forms.")
