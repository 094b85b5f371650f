"""Text helpers for Reach out's rubric and drafts: normalising, words, stems (the shared
stemmer), sentences, questions, diacritics folded, and a pasted first message split into
its subject and body."""

from __future__ import annotations

import re
import unicodedata

from assistant.text import stems as text_stems

STOP = frozenset(
    "the a an and or but of to in on at for with from by about into over your you yours "
    "my me i i'm im we our us it its is are was were be been being this that these those "
    "as so if not no yes have has had do does did can could would will should may might "
    "very really just also more most much many some any all one two her his their them "
    "she he they who what which when where why how than then there here such own same "
    "work works worked working".split()
)
WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")


def norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("’", "'").replace("‘", "'")


def words(text: str) -> list[str]:
    return WORD_RE.findall(text)


def stems(text: str) -> set[str]:
    """Content words, stemmed with the product's one stemmer (assistant.text): enough to
    tell whether a draft mentions the same piece of work."""
    return text_stems(norm(text), stop=STOP, min_len=3)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_RE.split(norm(text)) if s.strip()]


def fold(text: str) -> str:
    """Without diacritics: 'Núñez' -> 'Nunez'."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def previous_body(previous: str) -> tuple[str, str]:
    """(subject, body) of the first message as pasted (it may start with 'Subject:')."""
    text = norm(previous).strip()
    m = re.match(r"(?i)subject:\s*(.*)\n", text + "\n")
    if m:
        return m.group(1).strip(), text[m.end() :].strip()
    return "", text


def questions(text: str) -> list[str]:
    return [s for s in sentences(text) if s.rstrip(" \"')").endswith("?")]
