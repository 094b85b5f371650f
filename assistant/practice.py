"""Practise: role-play a reply to feedback, coached on six dimensions (issue 13).

The mentee answers a scenario's giver (knowledge/scenarios/*.yaml) in their own words; a
coach scores each reply on the rubric below, quotes the words that earned or cost each
score, gives one suggestion per dimension citing the article behind it, and shows a
stronger example built from the scenario's ``sample_reply`` and ``strong_response``
points. Up to three exchanges an attempt; the giver's next line reacts to what the reply
did (the scenario's follow-ups, chosen by their ``when``).

In library mode the scorer is the deterministic one in ``practice_score``; with a model,
``practice_model`` asks a giver prompt and a coach prompt and combines the coach's
structured output with the deterministic checks. Saving goes through the shared
generation layer: the reply is saved before any model call, the scorecard after.

Rubric (each 0/1/2, total out of 12): acknowledge, clarify, ownership, composure,
next_step, follow_up — see ``RUBRIC``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.errors import InputError
from assistant.knowledge import Scenario
from assistant.practice_score import DIMENSIONS, Mark, is_abusive, score_reply
from assistant.safety import CONTROL_RE

MAX_EXCHANGES = 3
MAX_REPLY_CHARS = 4000  # about 700 words: far longer than anything said in one go
MAX_SCORE = 2 * len(DIMENSIONS)

RUBRIC: dict[str, str] = {
    "acknowledge": "thanks or acknowledges the feedback and the giver's point (0 ignores or "
    "dismisses it, 1 perfunctory or 'yes, but…', 2 genuine and specific; sarcastic thanks is 0)",
    "clarify": "asks a question that turns the feedback into specifics: an example, what good "
    "looks like, priorities (0 none, 1 vague, rhetorical, reassurance-seeking or generic such "
    "as 'any tips?', 2 a specific, useful question)",
    "ownership": "owns their part without excuses, blaming others, or heavy self-blame (0 "
    "excuses/blame or self-flagellation, 1 partial or neither, 2 clear, proportionate "
    "ownership; respectfully stating a different view with evidence still earns 2 when they "
    "own what is theirs)",
    "composure": "calm and non-defensive, no sarcasm, arguing or hostility (0 defensive, "
    "sarcastic or hostile, 1 some edge or over-justification, 2 calm throughout; self-blame "
    "is scored under ownership)",
    "next_step": "commits to a concrete action of their own (0 none, 1 vague, grudging or "
    "hedged such as 'I'll do better', 2 concrete: what, ideally by when)",
    "follow_up": "proposes closing the loop with the giver: checking back, reviewing a draft, "
    "a date (0 none, 1 vague 'let me know', 2 a specific check-back)",
}
LABELS: dict[str, str] = {
    "acknowledge": "Acknowledge",
    "clarify": "Clarify",
    "ownership": "Ownership",
    "composure": "Composure",
    "next_step": "Next step",
    "follow_up": "Follow-up",
}
# The article behind each dimension's coaching (knowledge/articles/feedback/); where a
# scenario draws on one of the alternatives, that one is cited instead.
ARTICLE_TITLES: dict[str, str] = {
    "receiving-feedback": "Receiving feedback well",
    "vague-feedback": "When feedback is vague",
    "asking-for-feedback": "Asking for specific feedback",
    "defensiveness": "Handling your own defensiveness",
    "unfair-feedback": "When feedback feels unfair or biased",
    "harsh-or-public-feedback": "Harsh or public feedback",
    "acting-on-feedback": "Acting on feedback and closing the loop",
    "critique-of-your-work": "Feedback on your code, writing and design",
    "sbi-model": "The SBI model: situation, behaviour, impact",
    "performance-reviews": "Preparing for and handling a performance review",
}
SOURCES: dict[str, tuple[str, ...]] = {
    "acknowledge": ("receiving-feedback",),
    "clarify": ("vague-feedback", "sbi-model", "critique-of-your-work"),
    "ownership": ("unfair-feedback", "receiving-feedback"),
    "composure": ("harsh-or-public-feedback", "defensiveness"),
    "next_step": ("acting-on-feedback",),
    "follow_up": ("acting-on-feedback",),
}
DEFAULT_SOURCE = {
    "acknowledge": "receiving-feedback",
    "clarify": "vague-feedback",
    "ownership": "receiving-feedback",
    "composure": "defensiveness",
    "next_step": "acting-on-feedback",
    "follow_up": "acting-on-feedback",
}
TIPS: dict[str, str] = {
    "acknowledge": "Open by thanking {name} for one specific thing they said, so they know "
    "it landed (“Thanks, {name} — the point about … is fair”). Keep “but” out of it.",
    "clarify": "Ask one question that makes the feedback concrete: an example, what good "
    "would look like, or which point matters most.",
    "ownership": "Say plainly which part is yours (“I didn't …”), once, without an excuse "
    "and without beating yourself up; if you see it differently, say so with evidence after "
    "owning your part.",
    "composure": "Keep it calm: drop the edge, the sarcasm and the case for the defence. "
    "If it stings, it's fine to say “I need a moment to think about that.”",
    "next_step": "Commit to one concrete action of your own, and say when (“I'll … by Thursday”).",
    "follow_up": "Offer to close the loop: a specific check-back with {name}, such as "
    "showing them the revised version on a named day.",
}
KEEP = "Keep this: it's what a strong reply does here."
# Words in a strong_response point that show which dimension it models.
POINT_CUES: dict[str, re.Pattern[str]] = {
    "next_step": re.compile(
        r"propos|commit|plan|experiment|order of work|action|will |says when",
        re.I,
    ),
    "follow_up": re.compile(
        r"check[s]? (in|back)|re-review|follow[s]? up|come back|review it|"
        r"asks? \w+ to (review|look|check)|a date|update",
        re.I,
    ),
    "clarify": re.compile(r"\basks?\b|question|clarif|example|restates|what .* looks? like", re.I),
    "ownership": re.compile(
        r"\bowns?\b|admits|responsib|without (excuses|blam)|their part|accepts|"
        r"states .* view",
        re.I,
    ),
    "composure": re.compile(
        r"calm|without arguing|defensiv|composed|measured|steady|"
        r"doesn'?t argue|rather than argu",
        re.I,
    ),
    "acknowledge": re.compile(r"thank|acknowledg|appreciat|heard|praise", re.I),
}


@dataclass(frozen=True)
class Point:
    """The coaching for one dimension."""

    dimension: str
    score: int
    evidence: str  # the reply's exact words ('' when nothing earned the score)
    reason: str
    suggestion: str
    source: str  # article id

    @property
    def source_title(self) -> str:
        return ARTICLE_TITLES.get(self.source, self.source)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "score": self.score,
            "evidence": self.evidence,
            "suggestion": self.suggestion,
            "source": self.source,
        }


@dataclass
class Scorecard:
    scenario: str
    points: list[Point]
    example: str
    notes: list[str] = field(default_factory=list)
    mode: str = "library"

    @property
    def scores(self) -> dict[str, int]:
        return {p.dimension: p.score for p in self.points}

    @property
    def total(self) -> int:
        return sum(p.score for p in self.points)

    def point(self, dimension: str) -> Point:
        return next(p for p in self.points if p.dimension == dimension)

    def to_json(self) -> dict[str, Any]:
        """The shape `mentor practice --json` prints (issue 13)."""
        return {
            "scenario": self.scenario,
            "scores": self.scores,
            "total": self.total,
            "max": MAX_SCORE,
            "feedback": [p.to_dict() for p in self.points],
            "example": self.example,
        }

    def to_data(self) -> dict[str, Any]:
        """What is stored with the message: the JSON shape plus reasons, notes and mode."""
        data = self.to_json()
        for item, p in zip(data["feedback"], self.points, strict=True):
            item["reason"] = p.reason
        data.update(notes=list(self.notes), mode=self.mode)
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Scorecard:
        points = [
            Point(
                f["dimension"],
                int(f["score"]),
                f["evidence"],
                f.get("reason", ""),
                f["suggestion"],
                f["source"],
            )
            for f in data["feedback"]
        ]
        return cls(
            data["scenario"],
            points,
            data["example"],
            list(data.get("notes", [])),
            data.get("mode", "library"),
        )


# --- input ------------------------------------------------------------------------------

LETTER_RE = re.compile(r"[^\W\d_]", re.UNICODE)
ENGLISH_WORDS = frozenset(
    "i you the a to and it is that this my me for of in on be was will i'll i'm thanks "
    "thank can could would what how yes no not but so we your with have just".split()
)


# Common function words of the other languages mentees are likeliest to write in.
OTHER_LANGUAGE_WORDS = frozenset(
    "el la los las que de por para una un es y pero gracias muy lo siento puedes "
    "le les des du et est je vous merci mais pas pour avec une "
    "der die das und ich ist nicht danke aber mit sie ein eine zu "
    "o os um uma obrigado obrigada não com isso "
    "il di che per non grazie sono ma".split()
)


def check_reply(text: str | None, giver: str = "them") -> str:
    """The reply as it will be scored, or InputError saying what to do instead."""
    text = unicodedata.normalize("NFC", CONTROL_RE.sub("", text or "")).strip()
    if not text:
        raise InputError(
            "Your reply is empty.", f"Write what you would say to {giver}, in your own words."
        )
    if len(text) > MAX_REPLY_CHARS:
        raise InputError(
            f"That reply is {len(text):,} characters; the limit is {MAX_REPLY_CHARS:,} "
            "(about 700 words).",
            "A spoken reply to feedback is a few sentences: paste only what you would say.",
        )
    if not LETTER_RE.search(text):
        raise InputError(
            "Your reply has no words in it, only symbols or emoji.",
            f"Write what you would say to {giver}; the coach scores what the words do.",
        )
    return text


def language_note(text: str) -> str | None:
    """A note when the reply does not look like English (the library scorer reads English)."""
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())
    if len(words) < 4:
        return None
    english = sum(w in ENGLISH_WORDS for w in words)
    foreign = sum(w in OTHER_LANGUAGE_WORDS for w in words)
    latin = sum(ch.isascii() for ch in "".join(words)) / max(1, len("".join(words)))
    if english < 0.08 * len(words) or latin < 0.6 or foreign > max(1, english):
        return (
            "This reply doesn't look like English. The library coach reads English only, so "
            "the scores below are likely too low: try the reply in English to get real "
            "coaching."
        )
    return None


# --- the library scorer's card ------------------------------------------------------------


def source_for(dimension: str, scenario: Scenario, mark: Mark) -> str:
    """The article behind a dimension's coaching: one the scenario draws on if it fits."""
    preferred = SOURCES[dimension]
    if dimension == "ownership" and mark.score == 0 and "self-blame" not in mark.reason:
        preferred = ("unfair-feedback", "defensiveness")
    for article in preferred:
        if article in scenario.articles:
            return article
    if dimension == "ownership" and scenario.category == "unfair":
        return "unfair-feedback"
    if dimension == "composure" and scenario.category in ("harsh", "public"):
        return "harsh-or-public-feedback"
    if dimension == "ownership" and mark.score == 0 and "self-blame" not in mark.reason:
        return "defensiveness"
    return DEFAULT_SOURCE[dimension]


def points_by_dimension(scenario: Scenario) -> dict[str, str]:
    """Each strong_response point under the dimension it models (first fit wins)."""
    out: dict[str, str] = {}
    for point in scenario.strong_response:
        for dim, cue in POINT_CUES.items():
            if dim not in out and cue.search(point):
                out[dim] = point
                break
    return out


def suggestion_for(mark: Mark, scenario: Scenario) -> str:
    if mark.score == 2:
        return KEEP
    first_name = scenario.giver.name.split()[0]
    tip = TIPS[mark.dimension].format(name=first_name)
    modelled = points_by_dimension(scenario).get(mark.dimension)
    if modelled:
        tip += f" In this scenario, a strong reply: {modelled[0].lower()}{modelled[1:]}"
    return tip


def stronger_example(scenario: Scenario, scores: dict[str, int]) -> str:
    """The scenario's sample reply, then what it does — the points the mentee missed first."""
    by_dim = points_by_dimension(scenario)
    missed = [by_dim[d] for d in sorted(scores, key=lambda d: scores[d]) if d in by_dim]
    ordered = list(
        dict.fromkeys(
            [*(p for p in missed if scores_lacking(p, by_dim, scores)), *scenario.strong_response]
        )
    )
    lines = [scenario.sample_reply.strip(), "", "What makes it strong:"]
    lines += [f"- {p}" for p in ordered]
    return "\n".join(lines)


def scores_lacking(point: str, by_dim: dict[str, str], scores: dict[str, int]) -> bool:
    return any(p == point and scores.get(d, 2) < 2 for d, p in by_dim.items())


ABUSE_NOTE = (
    "Your reply includes insults. That scores 0 on composure, whatever else it does well: "
    "feedback can feel unfair, but abuse ends the conversation and hurts the person in front "
    "of you. Take a breath — “I need a moment to think about this” is always allowed."
)
INSTRUCTION_RE = re.compile(
    r"\b(ignore|disregard|forget) (the |all |your |previous |these )*(rubric|instructions|rules|"
    r"scoring|prompt)|\bscore (it|this|me)\b|\b12 ?/ ?12\b|\bgive me (full|top|12|a perfect)|"
    r"\bscoring system\b|\bas an ai\b|\bsystem prompt\b",
    re.IGNORECASE,
)
INSTRUCTION_NOTE = (
    "Your reply contains instructions to the coach; they were read as part of what you said "
    "to the giver and scored like the rest of it."
)


def library_scorecard(scenario: Scenario, reply: str, feedback: str | None = None) -> Scorecard:
    """Score one reply with the deterministic scorer (reply already checked); ``feedback``
    is the giver's line it answers (default: the scenario's opening)."""
    marks = score_reply(reply, scenario.opening if feedback is None else feedback)
    points = [
        Point(
            m.dimension,
            m.score,
            m.evidence,
            m.reason,
            suggestion_for(m, scenario),
            source_for(m.dimension, scenario, m),
        )
        for m in marks
    ]
    notes = []
    if is_abusive(reply):
        notes.append(ABUSE_NOTE)
    if INSTRUCTION_RE.search(reply):
        notes.append(INSTRUCTION_NOTE)
    if note := language_note(reply):
        notes.append(note)
    card = Scorecard(scenario.id, points, "", notes)
    card.example = stronger_example(scenario, card.scores)
    return card


def rescored(card: Scorecard, scenario: Scenario, marks: Sequence[Mark], mode: str) -> Scorecard:
    """A card whose marks were (partly) replaced, with suggestions and example rebuilt."""
    by_dim = {m.dimension: m for m in marks}
    points = []
    for p in card.points:
        m = by_dim.get(p.dimension)
        if m is None:
            points.append(p)
            continue
        suggestion = p.suggestion if m.score == p.score else suggestion_for(m, scenario)
        points.append(
            replace(p, score=m.score, evidence=m.evidence, reason=m.reason, suggestion=suggestion)
        )
    out = Scorecard(card.scenario, points, "", list(card.notes), mode)
    out.example = stronger_example(scenario, out.scores)
    return out


# --- the giver's next line --------------------------------------------------------------

TAG_ORDER = ("defensive", "vague", "no_question", "no_step", "strong")


def reply_tags(scores: dict[str, int]) -> list[str]:
    """What the reply did, in the order the giver reacts to it (then `any`)."""
    tags = []
    if scores["composure"] == 0 or (scores["composure"] == 1 and scores["ownership"] == 0):
        tags.append("defensive")
    if (
        scores["clarify"] == 1
        or scores["next_step"] == 1
        or (scores["acknowledge"] == 1 and (scores["clarify"] + scores["next_step"] <= 1))
    ):
        tags.append("vague")
    if scores["clarify"] == 0:
        tags.append("no_question")
    if scores["next_step"] == 0:
        tags.append("no_step")
    if sum(scores.values()) >= 9 and min(scores.values()) >= 1:
        tags.append("strong")
    return [t for t in TAG_ORDER if t in tags] + ["any"]


def pick_follow_up(scenario: Scenario, tags: Sequence[str], used: Sequence[str]) -> str | None:
    """The scenario's line for the first tag that has an unused one; `any` last; then any
    unused line at all. None when every line has been said."""
    unused = [f for f in scenario.follow_ups if f.line not in used]
    for tag in tags:
        for f in unused:
            if f.when == tag:
                return f.line
    return unused[0].line if unused else None


def closing_line(scenario: Scenario, total: int) -> str:
    if total >= 9:
        return "Thanks — that's really helpful. Let's do that."
    return "Okay. Let's leave it there for now and pick it up again soon."
