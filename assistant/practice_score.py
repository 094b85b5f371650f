"""The library-mode practice scorer: six dimensions, each scored 0/1/2 on its own by rules
over the reply's own sentences, each score backed by the exact words that earned or cost it.

Pure functions only. The rubric is issue 13's (see ``assistant/practice.py``); the cue
lists below were written from it and checked against the train and dev splits of
``evals/practice/`` (never the test split, which only ``mentor eval practice`` reads).
Evidence is always a substring of the reply, so a face can highlight it and a model's
claim can be checked against it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.practice_cues import (
    ABUSE,
    ACCEPT,
    DEFENSIVE_OPEN,
    DISAGREE_RESPECT,
    DISMISS,
    EDGE,
    ENGAGE,
    EXCUSE,
    GENERIC_THANKS,
    GROVEL,
    OWN,
    SARCASM,
    SELF_INSULT,
    SPECIFIC_THANKS,
    THANKS,
    TIME,
    Sentence,
    _all,
    _first,
    _fold,
    _rx,
    sentences,
)
from assistant.practice_cues_asks import (
    COMMIT,
    CONDITIONAL,
    DEFENSIVE_Q,
    EMBEDDED_ASK,
    FOLLOW,
    FOLLOW_UP_ASK,
    GENERIC_Q,
    HEDGE,
    LECTURE,
    NOT_MINE,
    PARTIAL_OWN,
    REASSURANCE,
    RHETORICAL,
    SEMI_ASK,
    SPECIFIC_Q,
    VAGUE_FOLLOW,
    VAGUE_STEP,
)

DIMENSIONS: tuple[str, ...] = (
    "acknowledge",
    "clarify",
    "ownership",
    "composure",
    "next_step",
    "follow_up",
)


__all__ = ["DIMENSIONS", "SCORERS", "Mark", "Sentence", "is_abusive", "score_reply", "sentences"]


@dataclass(frozen=True)
class Mark:
    """One dimension's score, why, and the reply's own words behind it ('' when nothing in
    the reply earned it: the reason then says what was missing)."""

    dimension: str
    score: int
    evidence: str
    reason: str


# --- acknowledge ------------------------------------------------------------------------


def _opens_defensively(sents: Sequence[Sentence]) -> Sentence | None:
    """A reply that starts by arguing, justifying or challenging."""
    first = sents[0]
    if (
        DISMISS.search(first.low)
        or EXCUSE.search(first.low)
        or DEFENSIVE_OPEN.search(first.low)
        or (first.text.endswith("?") and len(first.low.split()) <= 4)
        or RHETORICAL.search(first.low)
    ):
        return first
    return None


def score_acknowledge(sents: Sequence[Sentence]) -> Mark:
    if not sents:
        return Mark("acknowledge", 0, "", "There is no reply to read.")
    if s := _first(sents[:3], SARCASM):
        return Mark(
            "acknowledge", 0, s.text, "This reads as sarcasm, so the thanks lands as a dismissal."
        )
    accepts = [
        s
        for s in sents[:4]
        if (ACCEPT.search(s.low) or (s in sents[:2] and _owns(s) and ENGAGE.search(s.low)))
        and not SARCASM.search(s.low)
    ]
    engaged = [s for s in sents[:3] if ENGAGE.search(s.low) or THANKS.search(s.low)]
    defensive = _opens_defensively(sents)
    if defensive and not accepts and not (engaged and engaged[0] is sents[0]):
        return Mark(
            "acknowledge",
            0,
            defensive.text,
            "The reply opens by defending or challenging, so their point is never acknowledged.",
        )
    first = (accepts or engaged or [sents[0]])[0]
    turns = len(sents) > 1 and sents[1].low.startswith(("but ", "however"))
    if first is sents[0] and (_yes_but(first) or turns) and not accepts[1:]:
        return Mark(
            "acknowledge",
            1,
            first.text,
            'The acknowledgement is followed at once by "but", so it sounds like a preface to '
            "disagreeing.",
        )
    specific = [
        s for s in engaged if SPECIFIC_THANKS.search(s.low) and not GENERIC_THANKS.search(s.low)
    ]
    if accepts and not _all(accepts, SELF_INSULT):
        return Mark("acknowledge", 2, accepts[0].text, "You accept their point, in so many words.")
    if specific:
        return Mark(
            "acknowledge", 2, specific[0].text, "Specific thanks that names what they did or said."
        )
    if engaged:
        return Mark(
            "acknowledge",
            1,
            engaged[0].text,
            "The acknowledgement is brief or generic: say which point you heard, and that "
            "it's fair.",
        )
    return Mark(
        "acknowledge",
        1,
        "",
        "You respond, but without acknowledging their point: start by saying what you heard.",
    )


def _yes_but(s: Sentence) -> bool:
    """'Thanks, but…': an acknowledgement that turns at once into a defence."""
    turn = re.search(r"^.{0,60}\b(but|however|i just think|i still think)\b", s.low)
    return bool(turn) and not re.search(r"\bbut (you'?re|that'?s|it'?s) (right|fair|true)\b", s.low)


# --- clarify ----------------------------------------------------------------------------


def _is_question(s: Sentence) -> bool:
    if len(s.low.split()) <= 3 and s.text.rstrip().endswith("?") and not GENERIC_Q.search(s.low):
        return False  # "Presence?", "Who taught me?": an echo that challenges, not a question
    return s.text.rstrip().endswith("?") or bool(EMBEDDED_ASK.search(s.low))


def score_clarify(sents: Sequence[Sentence]) -> Mark:
    questions = [s for s in sents if _is_question(s)]
    if not questions and (semi := _first(sents, SEMI_ASK)):
        return Mark(
            "clarify",
            1,
            semi.text,
            "You invite specifics without asking for them: ask the question.",
        )
    if not questions:
        return Mark("clarify", 0, "", "There is no question that would make the feedback concrete.")
    real = []
    weak: list[tuple[Sentence, str]] = []
    for q in questions:
        if RHETORICAL.search(q.low) or DEFENSIVE_Q.search(q.low):
            weak.append((q, "This question is rhetorical; it challenges them rather than asks."))
        elif REASSURANCE.search(q.low):
            weak.append((q, "This question asks for reassurance rather than for specifics."))
        elif GENERIC_Q.search(q.low.strip()) or len(q.low.split()) <= 3:
            weak.append((q, "The question is generic, so the answer will be generic too."))
        elif FOLLOW_UP_ASK.search(q.low) and not SPECIFIC_Q.search(q.low):
            continue  # a request to check back (scored under follow_up), not a clarifying one
        elif SPECIFIC_Q.search(q.low) or len(q.low.split()) >= 9:
            real.append(q)
        else:
            weak.append(
                (q, "The question is a start, but vague: ask for an example or a priority.")
            )
    if not real and not weak and (semi := _first(sents, SEMI_ASK)):
        weak.append((semi, "You invite specifics without asking for them: ask the question."))
    if real:
        return Mark(
            "clarify", 2, real[0].text, "A specific question that turns the feedback into detail."
        )
    if weak:
        return Mark("clarify", 1, weak[0][0].text, weak[0][1])
    return Mark(
        "clarify",
        0,
        "",
        "Your questions arrange a check-back; none asks what the feedback means in practice.",
    )


# --- ownership --------------------------------------------------------------------------


def _owns(s: Sentence) -> bool:
    """A clause that owns something and does not excuse it in the same breath."""
    if s.text.endswith("?"):
        return False
    return any(
        OWN.search(clause) and not EXCUSE.search(clause)
        for clause in re.split(r",? but |,? although |; | — | - ", s.low)
    )


def score_ownership(sents: Sequence[Sentence]) -> Mark:
    grovel = _all(sents, GROVEL) + _all(sents, SELF_INSULT)
    sorry_count = sum(len(re.findall(r"\b(sorry|apologi[sz]e)", s.low)) for s in sents)
    if grovel or sorry_count >= 3:
        hit = grovel[0] if grovel else _first(sents, _rx(r"\bsorry\b|\bapologi"))
        assert hit is not None
        return Mark(
            "ownership",
            0,
            hit.text,
            "This is heavy self-blame: it asks them to comfort you instead of owning the fix.",
        )
    excuse = _first(sents, EXCUSE)
    owns = [s for s in sents if _owns(s)]
    accepts = [
        s
        for s in sents[:4]
        if ACCEPT.search(s.low)
        and not (SARCASM.search(s.low) or EXCUSE.search(s.low) or _yes_but(s))
        and not re.search(r"\bthough\b|\brather (know|hear)\b", s.low)
    ]
    defensive = _opens_defensively(sents) or _first(sents, DISMISS) or _first(sents, ABUSE)
    if not owns and not accepts:
        if excuse or defensive:
            hit = excuse or defensive
            assert hit is not None
            return Mark(
                "ownership", 0, hit.text, "This explains the problem away or puts it elsewhere."
            )
        if sorry := _first(sents, _rx(r"\b(sorry|apologi[sz]e|my apologies)\b")):
            return Mark(
                "ownership",
                1,
                sorry.text,
                "An apology, but not what for: say plainly which part was yours.",
            )
        if len(" ".join(s.low for s in sents).split()) <= 3:
            return Mark("ownership", 0, "", "The reply doesn't take anything on.")
        if d := _first(sents, DISAGREE_RESPECT):
            return Mark(
                "ownership",
                1,
                d.text,
                "You state your view respectfully, but don't yet say which part is yours.",
            )
        return Mark(
            "ownership",
            1,
            "",
            "The reply neither owns nor excuses anything: say which part of this is yours.",
        )
    best = (owns or accepts)[0]
    if not owns and not _first(sents, COMMIT):
        return Mark(
            "ownership",
            1,
            best.text,
            "You accept the point, but not yet your part in it: say what you did, or will change.",
        )
    if excuse and excuse is not best and not owns:
        return Mark(
            "ownership",
            1,
            excuse.text,
            "You accept the point, but the excuse beside it takes some of that back.",
        )
    if owns and excuse:
        return Mark(
            "ownership",
            1,
            excuse.text,
            "You own part of it, but the excuses around it take some of that back.",
        )
    if PARTIAL_OWN.search(best.low) and len({s.text for s in owns + accepts}) <= 1:
        return Mark(
            "ownership",
            1,
            best.text,
            "The ownership is hedged; say it plainly, once, without “probably” or “I didn't mean”.",
        )
    return Mark("ownership", 2, best.text, "Clear, proportionate ownership of your part.")


# --- composure --------------------------------------------------------------------------


def _shouting(s: Sentence) -> bool:
    letters = [c for c in s.text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7


def score_composure(sents: Sequence[Sentence]) -> Mark:
    abuse = [s for s in sents if ABUSE.search(s.low) and not SELF_INSULT.search(s.low)]
    if abuse:
        return Mark(
            "composure",
            0,
            abuse[0].text,
            "This is abusive. However unfair the feedback feels, insults end the conversation "
            "and hurt the person — pause, breathe, and say you need a moment.",
        )
    for pattern, why in (
        (SARCASM, "This is sarcastic; it tells them you are not really listening."),
        (DISMISS, "This argues with or dismisses the feedback, which reads as defensive."),
        (LECTURE, "This turns the tables and lectures them, which reads as defensive."),
    ):
        if s := _first(sents, pattern):
            return Mark("composure", 0, s.text, why)
    if s := next((s for s in sents if _shouting(s)), None):
        return Mark("composure", 0, s.text, "Capitals read as shouting.")
    accepts = [s for s in sents if (ACCEPT.search(s.low) or _owns(s)) and not EXCUSE.search(s.low)]
    excuses = _all(sents, EXCUSE)
    defensive = _opens_defensively(sents)
    if not accepts and (defensive or len(excuses) >= 2):
        hit = defensive or excuses[0]
        return Mark(
            "composure", 0, hit.text, "The reply argues its case instead of hearing theirs."
        )
    first = sents[0]
    if _yes_but(first) or (len(sents) > 1 and sents[1].low.startswith(("but ", "however"))):
        return Mark("composure", 1, first.text, '"Yes, but…" puts an edge on the reply.')
    edge = _all(sents, EDGE) + excuses
    if edge:
        return Mark(
            "composure",
            1,
            edge[0].text,
            "There is an edge here: it sounds like you are defending yourself.",
        )
    justifying = [s for s in sents if re.search(r"\b(because|since|the reason)\b", s.low)]
    if len(justifying) >= 3:
        return Mark(
            "composure",
            1,
            justifying[0].text,
            "A lot of justification; it starts to sound like a defence.",
        )
    if len(" ".join(s.low for s in sents).split()) <= 2:
        return Mark(
            "composure", 1, first.text, "Too short to read as calm engagement; it can sound curt."
        )
    return Mark("composure", 2, "", "Calm and non-defensive throughout.")


# --- next step and follow-up ------------------------------------------------------------


def score_next_step(sents: Sequence[Sentence]) -> Mark:
    commits = [s for s in sents if COMMIT.search(s.low) and not NOT_MINE.search(s.low)]
    if not commits:
        return Mark("next_step", 0, "", "There is no action of your own that you commit to.")
    plain = [s for s in commits if not CONDITIONAL.search(s.low) and not HEDGE.search(s.low)]
    timed = [s for s in plain if TIME.search(s.low) and not VAGUE_STEP.search(s.low)]
    concrete = [s for s in plain if not VAGUE_STEP.search(s.low) and len(s.low.split()) >= 6]
    if timed:
        return Mark("next_step", 2, timed[0].text, "A concrete action, with when you'll do it.")
    if concrete:
        return Mark(
            "next_step",
            2,
            concrete[0].text,
            "A concrete action of your own (adding when would make it stronger still).",
        )
    return Mark(
        "next_step",
        1,
        commits[0].text,
        "The commitment is vague or hedged, so neither of you will know when it is done.",
    )


def score_follow_up(sents: Sequence[Sentence]) -> Mark:
    follows = [s for s in sents if FOLLOW.search(s.low)]
    vague = [s for s in sents if VAGUE_FOLLOW.search(s.low)]
    specific = [s for s in follows if TIME.search(s.low) and not VAGUE_FOLLOW.search(s.low)]
    if specific:
        return Mark(
            "follow_up", 2, specific[0].text, "A specific check-back with them, with a time."
        )
    concrete = [
        s
        for s in follows
        if not VAGUE_FOLLOW.search(s.low)
        and re.search(
            r"\b(draft|version|changes|plan|outline|slides?|deck|code|pr|pull request|"
            r"rewrite|revised|updated|fix|next|one-to-one|1:1|meeting|call|review|lesson|class|"
            r"session|shift|sheet|list|results|balance|criteria|run)\b",
            s.low,
        )
    ]
    if concrete:
        return Mark("follow_up", 2, concrete[0].text, "A specific way to close the loop with them.")
    if follows or vague:
        hit = (follows or vague)[0]
        return Mark(
            "follow_up",
            1,
            hit.text,
            "Closing the loop is left open: name what you'll bring back to them, and when.",
        )
    return Mark("follow_up", 0, "", "Nothing proposes coming back to them to close the loop.")


SCORERS: dict[str, Callable[[Sequence[Sentence]], Mark]] = {
    "acknowledge": score_acknowledge,
    "clarify": score_clarify,
    "ownership": score_ownership,
    "composure": score_composure,
    "next_step": score_next_step,
    "follow_up": score_follow_up,
}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", _fold(text))


def repeats(reply: str, feedback: str) -> bool:
    """Is the reply mostly the giver's own words pasted back?"""
    said, given = _words(reply), set(_words(feedback))
    return len(said) >= 8 and sum(w in given for w in said) / len(said) >= 0.8


def score_reply(reply: str, feedback: str = "") -> list[Mark]:
    """All six marks for one reply, in rubric order; each dimension scored on its own.
    ``feedback`` is what the giver said (a reply that pastes it back scores nothing)."""
    if feedback and repeats(reply, feedback):
        why = "This repeats their feedback back to them; write your own reply to it."
        return [Mark(d, 0, "", why) for d in DIMENSIONS]
    sents = sentences(reply)
    return [SCORERS[d](sents) for d in DIMENSIONS]


def is_abusive(reply: str) -> bool:
    return any(ABUSE.search(s.low) and not SELF_INSULT.search(s.low) for s in sentences(reply))
