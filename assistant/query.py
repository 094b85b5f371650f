"""Query understanding for long, messy posts: what to search for, and what to boost.

Real questions run to a median of about 1,000 characters: background, a story, and the
question at the end. Embedded whole, the question is diluted (and the local embedder reads
only the first 256 tokens). So a long post is split into its parts, each searched on its
own and the results fused (retrieval.HybridRetriever):

- ``title``: the first line, when the post has a short one (forum posts usually do);
- ``question``: the sentences that ask something (a question mark, or an asking opening
  such as "how do I", "should I", "any advice"), grouped into parts of at most
  ``MAX_PART_WORDS`` words; when none is found, the last two sentences;
- ``situation``: the rest, in up to two windows of at most ``MAX_PART_WORDS`` words.

A short question (``LONG_POST_CHARS`` or fewer, or one sentence) is one ``whole`` part,
searched exactly as before. The stages and industries a post names are hints for a boost,
never a filter; whether it asks about mentoring others decides whether mentor-side
articles are shown. Pure functions: no index, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.vocabulary import about_mentoring_others, named

PartRole = Literal["whole", "title", "question", "situation"]
# The short eval questions are at most ~290 characters; real posts start at about 400.
LONG_POST_CHARS = 300
# About 130-190 word-piece tokens: inside the embedder's 256-token window with room to spare.
MAX_PART_WORDS = 110
MAX_QUESTION_WORDS = MAX_PART_WORDS
MAX_QUESTION_PARTS = 3
MAX_SITUATION_PARTS = 2
TITLE_MAX_CHARS = 160
MAX_STAGES = 2

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\s*\n+\s*|(?<=[.!?])(?=[A-Z][a-z])")
# A sentence without a question mark still asks when it opens like a question ("how do I
# get…", "should I…", "any advice") — not merely with a question word ("When I mentioned
# it…", "What I want is…" tell the story).
_AUX = r"(?:do|does|did|can|could|should|would|will|is|are|am|was|were|have|has)"
_ASKING = re.compile(
    r"^(?:so |and |but |ok |okay |basically |honestly |tl;?dr:? |q:? |question:? )?(?:"
    rf"(?:how|what|why|which|where|when|who) {_AUX}\b|how to\b|what now\b|"
    rf"{_AUX} (?:i|you|we|it|they|anyone|anybody|someone|there|this|that|my)\b|"
    r"any (?:advice|tips|thoughts|ideas|suggestions)|anyone\b|anybody\b|"
    r"(?:thoughts|advice|tips|help|please)\b|(?:i'?m )?wondering|i wonder|"
    r"i (?:want|need|would like|'d like) (?:to know|advice|help|to decide|to ask)|"
    r"(?:i'?m )?not sure (?:if|whether|how|what)|i don'?t know (?:if|whether|how|what)|"
    r"idk (?:if|whether|how|what))",
    re.IGNORECASE,
)
_ASKING_ANYWHERE = re.compile(
    r"\b(?:any (?:advice|tips|thoughts|ideas|suggestions)|what (?:should|do|would|can) i|"
    r"how (?:do|should|can|would) i|should i\b|is it (?:normal|okay|ok|worth|too late|wrong)|"
    r"what are my options|where do i start|what would you do)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Part:
    role: PartRole
    text: str


@dataclass(frozen=True)
class QueryPlan:
    """What retrieval searches for one post, and the hints it ranks with."""

    text: str  # the post, whitespace normalised
    parts: tuple[Part, ...]
    stages: tuple[str, ...]  # the one stage its question names, if any (a boost)
    industries: tuple[str, ...]  # every industry it names (a boost, never a filter)
    mentoring_others: bool  # asks about mentoring, sponsoring or coaching someone else

    @property
    def long(self) -> bool:
        return len(self.parts) > 1

    @property
    def asking(self) -> str:
        """The parts that carry the question (title and question sentences)."""
        picked = [p.text for p in self.parts if p.role in ("whole", "title", "question")]
        return " ".join(picked)


def sentences(text: str) -> list[str]:
    """Sentences and lines of a post; a run-on stretch without punctuation (common in
    typed-out posts) is cut into pieces of at most MAX_PART_WORDS words at commas."""
    out: list[str] = []
    for piece in _SENTENCE_END.split(text):
        piece = piece.strip(" \t-*•>#")
        if not re.search(r"[A-Za-z]", piece):
            continue
        words = piece.split()
        if len(words) <= MAX_PART_WORDS:
            out.append(piece)
            continue
        clauses = re.split(r"(?<=[,;:])\s+", piece)
        current: list[str] = []
        for clause in clauses:
            cw = clause.split()
            if current and len(current) + len(cw) > MAX_PART_WORDS:
                out.append(" ".join(current))
                current = []
            while len(cw) > MAX_PART_WORDS:
                out.append(" ".join(cw[:MAX_PART_WORDS]))
                cw = cw[MAX_PART_WORDS:]
            current += cw
        if current:
            out.append(" ".join(current))
    return out


def is_question(sentence: str) -> bool:
    s = sentence.strip()
    return s.endswith("?") or "?" in s[-40:] or bool(_ASKING.match(s) or _ASKING_ANYWHERE.search(s))


def _group(items: list[str], max_words: int, limit: int, keep_last: bool) -> list[str]:
    """Consecutive sentences joined into parts of at most max_words words; at most
    `limit` parts, the last ones when keep_last (a post's question usually comes last)."""
    parts: list[list[str]] = []
    for s in items:
        n = len(s.split())
        if parts and sum(len(x.split()) for x in parts[-1]) + n <= max_words:
            parts[-1].append(s)
        else:
            parts.append([s])
    chosen = parts[-limit:] if keep_last else parts[:limit]
    return [" ".join(p) for p in chosen]


def split_post(post: str) -> QueryPlan:
    """The parts of a post to search for, and its hints (see the module docstring)."""
    flat = re.sub(r"\s+", " ", post).strip()
    lines = [ln.strip() for ln in post.strip().splitlines() if ln.strip()]
    sents = sentences(post.strip())
    if len(flat) <= LONG_POST_CHARS or len(sents) < 2:
        parts: tuple[Part, ...] = (Part("whole", flat),) if flat else ()
        return QueryPlan(
            flat,
            parts,
            _single(named(flat, "stage")),
            tuple(named(flat, "industry")),
            about_mentoring_others(flat),
        )
    title = ""
    body = sents
    if len(lines) >= 2 and len(lines[0]) <= TITLE_MAX_CHARS:
        title = re.sub(r"\s+", " ", lines[0]).strip(" \t-*•>#")
        first = sentences(lines[0])
        body = sents[len(first) :] if sents[: len(first)] == first else sents
    asked = [s for s in body if is_question(s)]
    if not asked:
        asked = body[-2:]
    rest = [s for s in body if s not in asked]
    out: list[Part] = []
    if title:
        out.append(Part("title", title))
    out += [
        Part("question", q)
        for q in _group(asked, MAX_QUESTION_WORDS, MAX_QUESTION_PARTS, keep_last=True)
    ]
    out += [
        Part("situation", s)
        for s in _group(rest, MAX_PART_WORDS, MAX_SITUATION_PARTS, keep_last=False)
    ]
    asking = " ".join(p.text for p in out if p.role != "situation")
    asked_stages = named(asking, "stage")
    return QueryPlan(
        flat,
        tuple(out),
        tuple(asked_stages[:MAX_STAGES]) if asked_stages else _single(named(flat, "stage")),
        tuple(named(flat, "industry")),
        about_mentoring_others(asking),
    )


def _single(keys: list[str]) -> tuple[str, ...]:
    return (keys[0],) if len(keys) == 1 else ()
