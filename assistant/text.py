"""Word-level text helpers shared by retrieval, library-mode composition and the evals:
one stemmer (Snowball English through PyStemmer, the one BM25 uses) and one stop list, so
"mentoring" and "mentors" meet the same way everywhere."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

WORD_RE = re.compile(r"[a-z0-9][a-z0-9'-]*")
STOPWORDS = frozenset(
    (
        "a an and are as at be but by can do for from have how i if in into is it its me my "
        "not of on or so that the their them then there they this to was we what when where "
        "which who will with you your should would could about get"
    ).split()
)


@lru_cache(maxsize=1)
def stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def stems(text: str, stop: frozenset[str] = STOPWORDS, min_len: int = 1) -> set[str]:
    """The stems of a text's content words (stop words, and words shorter than
    ``min_len``, dropped)."""
    words = [w.strip("'-").removesuffix("'s") for w in WORD_RE.findall(text.lower())]
    kept = [w for w in words if len(w) >= min_len and w not in stop]
    return set(stemmer().stemWords(kept))
