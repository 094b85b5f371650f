"""Checks for an answer card's text (knowledge front matter): sentences, completeness (no
fragment, quotes closed), and the size and shape rules each card part must meet. Plain
text functions."""

from __future__ import annotations

import re

SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[A-Z\"'“‘(])")


# A step is an instruction: these first words start a description instead.
NOT_IMPERATIVE = frozenset(
    "I You We They It He She There This That These Those My Your Our Their The".split()
)


# How a fragment ends: an introduction to something that is not there, or a cut.
FRAGMENT_END_RE = re.compile(r"(?:[:;,\-–—]|\.\.\.|…)\s*$")


PAIRS = (("“", "”"), ("(", ")"), ("[", "]"))


def sentences_of(text: str) -> list[str]:
    """A text's sentences (a capital or an opening quote starts a new one)."""
    return [s for s in SENTENCE_END_RE.split(" ".join(text.split())) if s.strip()]


def is_complete(text: str) -> bool:
    """Whole, not a fragment: ends a sentence (or, for a message, a sign-off line after
    one), never on ':' or '…', with its quotes and brackets closed."""
    text = text.strip()
    if not text or FRAGMENT_END_RE.search(text):
        return False
    if any(text.count(a) != text.count(b) for a, b in PAIRS) or text.count('"') % 2:
        return False
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    last = lines[-1].rstrip("\"'”’)*_ ")
    if last.endswith((".", "!", "?")):
        return True
    # a sign-off ("Best wishes, Priya") after a finished sentence, on its own line or
    # (in a message folded onto one line) after the last full stop
    if len(lines) > 1 and len(last.split()) <= 5:
        return any(ln.rstrip("\"'”’)*_ ").endswith((".", "!", "?", ",")) for ln in lines[:-1])
    tail = re.split(r"[.!?][\"'”’)]*\s+", text)[-1]
    return tail != text and len(tail.split()) <= 5 and "," in tail


def check_card_text(
    text: str,
    name: str,
    *,
    sentences: tuple[int, int],
    words: tuple[int, int],
    message: bool = False,
) -> None:
    """Raise ValueError saying what to fix when a card part is not whole or out of size."""
    n_words = len(text.split())
    if not words[0] <= n_words <= words[1]:
        raise ValueError(f"{name}: {n_words} words; write {words[0]}–{words[1]}")
    if not is_complete(text) or (not message and "\n\n" in text.strip()):
        raise ValueError(f"{name}: not a complete sentence (it must not end on ':' or '…')")
    if not text.lstrip("*_\"“'(").strip()[:1].isupper():
        raise ValueError(f"{name}: start with a capital letter")
    if "](" in text:
        raise ValueError(f"{name}: no links in a card; it is shown on its own")
    n = len(sentences_of(text))
    if not message and not sentences[0] <= n <= sentences[1]:
        raise ValueError(f"{name}: {n} sentences; write {sentences[0]}–{sentences[1]}")
