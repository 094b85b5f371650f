"""Library-mode composition for Ask: an answer card built from whole, reviewed parts of the
best document when no model is configured. Plain functions over ``Citation``; no clients.

The card, in order: a line reflecting the mentee's situation back (from their own words,
or what was detected: topic, industry); the top document's short answer, its steps whole
and in order, its script as a quote and its one pitfall; at most one more source for a
second angle (one line, cited); when the message holds two questions, which one this
answers; and one question back. It never quotes an article's opening or its links: it
uses only the card (see knowledge/README.md), so every part it shows is whole.

An earlier composer picked sentences by word overlap; rated by people it scored 1.78 of 5
(issue 15): openings that echo a reader's thoughts won, and worked examples came out cut.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from assistant.cards import sentences_of
from assistant.generation import Citation
from assistant.knowledge import Card
from assistant.text import stems as _stems
from assistant.vocabulary import industries_named


@lru_cache(maxsize=8192)
def stems(text: str) -> frozenset[str]:
    """Content-word stems (assistant.text), kept: card texts recur from question to
    question (composition went from 6.6 to 1.9 ms a question with this)."""
    return frozenset(_stems(text))


LIBRARY_LABEL = "**Library mode** — composed from our guidance; no AI model is configured."
QUESTION_BACK_LABEL = "**A question for you:**"

INDUSTRY_NAMES = {
    "data-ai": "data and AI",
    "public-sector": "the public sector",
    "skilled-trades": "the skilled trades",
    "creative-arts": "the creative arts",
    "nonprofit": "the nonprofit sector",
}

# A mentor's questions back, by the top document's stage: the first one that the message
# has not already answered is asked.
QUESTIONS_BACK: dict[str, tuple[str, ...]] = {
    "goals": (
        "What would you like to be different a year from now?",
        "What have you already tried, and what got in the way?",
    ),
    "finding-mentors": (
        "What would you most want a mentor to help you with in the next few months?",
        "Who do you already know, even loosely, who works near the field you want?",
    ),
    "outreach": (
        "Who is the person you want to contact, and how do you know of them?",
        "What have you sent so far, and what happened?",
    ),
    "relationship": (
        "How long have you and your mentor been meeting, and how often?",
        "What would you most like to get from your next session?",
    ),
    "feedback": (
        "What exactly was said, and by whom?",
        "What would you like to be different once you have talked it through with them?",
    ),
    "growth": (
        "What happened most recently that left you feeling this way?",
        "What is one thing that has gone well for you lately, however small?",
    ),
    "paying-it-forward": (
        "Who are you hoping to help, and what have they asked you for?",
        "How much time can you realistically give each month?",
    ),
    "scenario": (
        "When will you next talk to them, and what would you like to come out of it?",
        "What have you said or done since it happened?",
    ),
    "industry": (
        "Which role are you aiming for, and where are you starting from?",
        "Do you know anyone already working in the field, even loosely?",
    ),
}
# When the message already answers a stage's first question, the second one is asked.
ALREADY_SAID = {
    "scenario": re.compile(
        r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|next week|"
        r"this week|later today)\b", re.I),
    "relationship": re.compile(
        r"\b(\d+|a few|several|two|three|four|six) (months?|weeks?|years?|sessions?|times)\b|"
        r"\bevery (week|month|fortnight)\b", re.I),
    "feedback": re.compile(r"[\"“]|\b(told me|said) (that )?(i|my)\b", re.I),
}
INDUSTRY_QUESTION = (
    "What field are you in, or hoping to move into, so I can add what's different there?"
)
INDUSTRY_MATTERS = {"finding-mentors", "outreach", "goals"}


# --- reflecting the situation back ----------------------------------------------------

FLIPS = [
    (r"\bI was\b", "you were"),
    (r"\bI am\b", "you are"),
    (r"\bI(?:'|’)?m\b", "you're"),
    (r"\bI(?:'|’)ve\b", "you've"),
    (r"\bI(?:'|’)d\b", "you'd"),
    (r"\bI(?:'|’)ll\b", "you'll"),
    (r"\bam I\b", "are you"),
    (r"\bI\b", "you"),
    (r"\bme\b", "you"),
    (r"\bmy\b", "your"),
    (r"\bmine\b", "yours"),
    (r"\bmyself\b", "yourself"),
    (r"\bwe(?:'|’)re\b", "you're"),
    (r"\bwe(?:'|’)ve\b", "you've"),
    (r"\bwe\b", "you"),
    (r"\bour\b", "your"),
    (r"\bus\b", "you"),
    (r"\bourselves\b", "yourselves"),
]
FIRST_PERSON_RE = re.compile(
    r"(?:^|\s)(?:i|i'm|i’m|im|i've|i’ve|i'd|i’d|i was|my|we|we're|we’re|our)\b", re.I
)
SECOND_PERSON_RE = re.compile(r"\b(you|your|yours|u|ur)\b", re.I)
ASKING_RE = re.compile(
    r"\b(help me|any advice|advice\b|please|thanks|thank you|wondering|question|"
    r"not sure (?:what|how|if|whether))",
    re.I,
)
LEAD_RE = re.compile(
    r"^(?:(?:so|ok|okay|well|basically|honestly|hi|hey|hello|um|yeah|right|anyway|"
    r"long story short|to be honest|tbh)\b[,!.]?\s*)+",
    re.I,
)
CLAUSE_CUT_RE = re.compile(r",? (?:but|and|so|because|which|although) |; | [-–—] ")
MARKUP_RE = re.compile(r"[*_#<>\[\]`|]")


QUOTED_RE = re.compile(r"(\"[^\"]*\"|“[^”]*”)")


def flip(text: str) -> str:
    """The mentee's words from the mentor's side: I → you, my → your, our → your; words
    they quote from someone else stay as they were."""
    pieces = QUOTED_RE.split(text)
    for k in range(0, len(pieces), 2):
        for pattern, repl in FLIPS:
            pieces[k] = re.sub(pattern, repl, pieces[k], flags=re.I)
    return "".join(pieces)


def _lower_first(text: str, question: str) -> str:
    """Lower-case the first word to follow 'It sounds like', unless it is a name or an
    acronym (capitalised elsewhere in the message too)."""
    first = text.split(" ", 1)[0]
    elsewhere = re.search(rf"(?<=[a-z,] ){re.escape(first)}\b", question)
    if (first.isupper() and len(first) > 1) or elsewhere:
        return text
    return text[:1].lower() + text[1:]


def _clause(sentence: str, max_words: int = 26) -> str | None:
    """A statement about the mentee's situation, short enough to say back, or None."""
    s = LEAD_RE.sub("", MARKUP_RE.sub("", " ".join(sentence.split()))).strip()
    s = s.rstrip(".!…").strip()
    if s.endswith("?") or not FIRST_PERSON_RE.search(" " + s) or SECOND_PERSON_RE.search(s):
        return None
    if ASKING_RE.search(s) or len(s.split()) < 4:
        return None
    while len(s.split()) > max_words:
        cuts = [m.start() for m in CLAUSE_CUT_RE.finditer(s) if len(s[: m.start()].split()) >= 6]
        if not cuts:
            return None
        s = s[: cuts[-1]] if len(s[: cuts[-1]].split()) <= max_words else s[: cuts[0]]
    return s.rstrip(",;:- ")


QUESTION_FORMS = [
    (r"^(how|what|when|where|which|who)\s+(?:do|should|can|could|would|shall|might)\s+"
     r"(?:i|we)\s+(.+)$", "You want to know {0} to {1}."),
    (r"^(?:should|can|could|do|shall|must)\s+i\s+(.+)$", "You're weighing whether to {0}."),
    (r"^is it (.+)$", "You're wondering whether it's {0}."),
]


def _from_question(question: str) -> str | None:
    """'How do I ask someone to be my mentor?' → 'You want to know how to ask someone to be
    your mentor.' Only a few plain forms; anything else is left to the topic."""
    q = LEAD_RE.sub("", MARKUP_RE.sub("", " ".join(question.split()))).rstrip("?!. ")
    if SECOND_PERSON_RE.search(q) or not 3 <= len(q.split()) <= 24:
        return None
    for pattern, form in QUESTION_FORMS:
        if m := re.match(pattern, q, re.I):
            groups = [flip(g).strip() for g in m.groups()]
            if len(groups) > 1:
                groups[0] = groups[0].lower()
            return form.format(*groups)
    return None


def reflect(question: str, card: Card | None, title: str) -> str:
    """The first line: the situation said back in the mentee's own terms."""
    parts = sentences_of(question) or [question]
    for sentence in parts:
        if (clause := _clause(sentence)) is not None:
            return f"It sounds like {_lower_first(flip(clause), question)}."
    asked = [s for s in parts if s.rstrip().endswith("?")] or parts
    for sentence in asked:
        if (said := _from_question(sentence)) is not None:
            return said
    return f"You're asking about {topic_of(question, card, title)}."


def topic_of(question: str, card: Card | None, title: str) -> str:
    """The document's topic closest to the question's words (its title otherwise)."""
    q = stems(question)
    topics = list(card.topics) if card else []
    best = max(topics, key=lambda t: len(stems(t) & q), default="")
    if best and stems(best) & q:
        return best
    return title[0].lower() + title[1:]


# --- two questions in one message -------------------------------------------------------

ASK_SPLIT_RE = re.compile(
    r",? (?:and|also|plus)(?: also)? (?=(?:how|what|when|where|should|do|can|is|which|who)\b)",
    re.I,
)


LEAD_ASK_RE = re.compile(r"^(?:and|also|but|so|plus|oh)\b,?\s*(?:also\s+)?", re.I)


def _asks(question: str) -> list[str]:
    """The message's questions: sentences ending in '?', split again at ', and how …'."""
    out: list[str] = []
    for sentence in sentences_of(question):
        if sentence.rstrip().endswith("?"):
            out += [p.strip().rstrip("?") + "?" for p in ASK_SPLIT_RE.split(sentence) if p]
    out = [LEAD_ASK_RE.sub("", q) for q in out]
    return [q[:1].upper() + q[1:] for q in out if len(stems(q)) >= 2]


# Words too common in this library to tell one angle from another.
GENERIC = stems(
    "mentor mentoring mentee work job career people person someone one two three year month "
    "week day time now last new good really just like want know feel think make need also "
    "even thing way go say said tell told ask start keep help first next"
)


def card_words(src: Citation) -> frozenset[str]:
    card = src.card
    text = src.title if card is None else " ".join([src.title, card.in_short, *card.steps,
                                                     *card.topics])
    return stems(text)


def other_decision(question: str, top: Citation) -> tuple[str, str] | None:
    """(the question the card answers, the one it leaves) when the message asks two
    unrelated things; None when it asks one, or the card speaks to all of them."""
    asks = _asks(question)
    if len(asks) < 2:
        return None
    words = card_words(top)
    scored = sorted(asks, key=lambda a: -len(stems(a) & words) / len(stems(a)))
    addressed, other = scored[0], scored[-1]
    other_words = stems(other)
    if len(other_words & words) > 1 or len(other_words) < 2:
        return None
    if len(other_words & stems(addressed)) / len(other_words) > 0.4 or len(other.split()) > 30:
        return None
    return addressed, other


# --- the card ---------------------------------------------------------------------------


def best_line(card: Card, question: str) -> tuple[str, int]:
    """The short answer's sentence sharing most content words with the question."""
    q = stems(question)
    lines = sentences_of(card.in_short)
    scored = [(len(stems(line) & q), -i, line) for i, line in enumerate(lines)]
    overlap, _, line = max(scored)
    return line, overlap


def pick_sources(question: str, sources: Sequence[Citation]) -> list[Citation]:
    """The top source and at most one more for a second angle, numbered 1 and 2.

    The second is the industry note for an industry the message names (when the top card
    is about goals, finding mentors or outreach), else a practice scenario or article with
    a sentence that touches what the top card leaves out: two content words of the message
    the top card lacks, three in all (looser rules gave non sequiturs in the answers we
    read, such as "reverse mentoring" for a client's feedback).
    Picking again from the picked sources gives the same two."""
    with_card = [s for s in sources if s.card is not None]
    if not with_card:
        return [replace(s, n=i) for i, s in enumerate(sources[:1], 1)]
    top = with_card[0]
    if top.card is not None and top.card.kind == "scenario":
        # A scenario above an article it draws on: the article's reviewed card leads and
        # the scenario becomes the second angle (in the answers eval, "be more strategic"
        # otherwise got Lucía's scenario instead of the vague-feedback article).
        drawn_on = [s for s in with_card[1:3] if s.doc_id in top.card.related]
        if drawn_on:
            return [replace(s, n=i) for i, s in enumerate([drawn_on[0], top], 1)]
    rest = with_card[1:]
    named = industries_named(question) if top.stage in INDUSTRY_MATTERS else []
    # What the message asks that the top card does not speak to: a second angle must
    # touch it, or it reads as a non sequitur.
    novel = stems(question) - card_words(top) - GENERIC

    def angle(s: Citation) -> int:
        assert s.card is not None
        if s.stage == "industry" and set(s.card.industries) & set(named):
            return 100
        if s.stage == "industry" and top.stage == "industry":
            return 0  # one industry note is enough
        if top.card and top.card.kind == "scenario" and s.card.kind == "scenario":
            return 0
        if s.card.kind == "scenario" and top.doc_id in s.card.related:
            return 50  # a practice scenario drawn from the top article

        best = max(
            (len(stems(line) & novel), -i, line)
            for i, line in enumerate(sentences_of(s.card.in_short))
        )
        return best[0] if best[0] >= 2 and len(stems(best[2]) & stems(question)) >= 3 else 0

    scored = [(angle(s), -i, s) for i, s in enumerate(rest[:4])]
    second = [max(scored, key=lambda t: t[:2])[2]] if scored and max(scored)[0] else []
    return [replace(s, n=i) for i, s in enumerate([top, *second], 1)]


def _quote(text: str) -> list[str]:
    """A script as a Markdown quote, its lines and blank lines kept."""
    return [f"> {ln.strip()}".rstrip() for ln in text.strip().splitlines()]


def card_lines(top: Citation) -> list[str]:
    """The top document's card: short answer, steps in order, script, pitfall."""
    card = top.card
    assert card is not None
    scenario = card.kind == "scenario"
    lines = [f"{card.in_short} [{top.n}]", ""]
    lines.append("**What a strong reply does**" if scenario else "**What to do**")
    lines += [f"{i}. {step}" for i, step in enumerate(card.steps, 1)]
    if card.script:
        lines += ["", "**A reply you could adapt**" if scenario else "**What you could say**"]
        lines += _quote(card.script)
    lines += ["", f"**Watch out:** {card.watch_out} [{top.n}]"]
    return lines


def second_line(src: Citation, question: str) -> str:
    """One line from the second source's short answer, labelled with its angle."""
    card = src.card
    assert card is not None
    line, _ = best_line(card, question)
    if card.kind == "scenario":
        line = sentences_of(card.in_short)[0]
    if src.stage == "industry" and card.industries:
        industry = card.industries[0]
        label = f"In {INDUSTRY_NAMES.get(industry, industry.replace('-', ' '))}"
    elif card.kind == "scenario":
        label = "To practise"
    else:
        label = "Another angle"
    return f"**{label}:** {line} [{src.n}]"


def question_back(
    question: str, top: Citation, decision: tuple[str, str] | None, follow_up: bool
) -> str:
    """One question a mentor would ask next: about the other decision when there is one;
    the mentee's field when it matters and is not named; else one for the stage."""
    if decision is not None:
        return f"Shall we look at your other question next: “{decision[1]}”"
    card = top.card
    general = card is None or not card.industries
    if not follow_up and not industries_named(question) and general and (
        top.stage in INDUSTRY_MATTERS
    ):
        return INDUSTRY_QUESTION
    stage = "scenario" if card is not None and card.kind == "scenario" else top.stage
    options = QUESTIONS_BACK.get(stage, QUESTIONS_BACK["goals"])
    said = ALREADY_SAID.get(stage)
    return options[1 if follow_up or (said is not None and said.search(question)) else 0]


def compose_library_answer(
    question: str, sources: Sequence[Citation], follow_up: str | None = None
) -> str:
    """The library-mode answer card (see the module docstring). ``follow_up`` is the
    mentee's latest message when ``question`` joins it to the one before."""
    picked = pick_sources(question, sources)
    if not picked:
        return LIBRARY_LABEL
    top = picked[0]
    if top.card is None:  # no card yet: point to the article rather than stitch one
        summary = top.summary or top.title
        return "\n".join([LIBRARY_LABEL, "", f"{summary} [{top.n}]"])
    said = follow_up or question
    lines = [LIBRARY_LABEL, ""]
    opening = reflect(said, top.card, top.title)
    replying = follow_up is not None and "?" not in follow_up  # an answer to our question
    lines += [f"Thanks, that helps. {opening}" if replying else opening, ""]
    decision = other_decision(said, top)
    if decision is not None:
        lines += [f"You asked two things. This answers “{decision[0]}” — we can take the "
                  "other one next.", ""]
    lines += card_lines(top)
    if len(picked) > 1:
        lines += ["", second_line(picked[1], question)]
    back = question_back(question, top, decision, bool(follow_up))
    # No "Read more" line: the numbered Sources under the answer already list them.
    lines += ["", f"{QUESTION_BACK_LABEL} {back}"]
    return "\n".join(lines)
