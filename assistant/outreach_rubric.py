"""The outreach rubric: what a good first message, follow-up or thank-you does, as pure
functions over a draft and its request.

Each rule returns (passed, fix); ``check_draft`` turns them into
``{"rule", "passed", "fix", "source"}`` rows, where ``source`` is the doc id of the outreach
article the rule comes from (knowledge/articles/outreach/) and ``fix`` is one line, empty
when the rule passes. Which rules apply depends on the channel: first contacts (email,
LinkedIn note or message), a follow-up, a thank-you.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant.outreach_request import FIRST_CONTACT, OutreachRequest
from assistant.outreach_text import (
    fold,
    norm,
    previous_body,
    questions,
    sentences,
    stems,
    words,
)

NOTE_LIMIT, NOTE_LIMIT_PREMIUM = 200, 300  # LinkedIn connection note (free / paid), chars
BODY_WORD_LIMIT = 180
SUBJECT_LIMIT = 80
CONCISE_WORD_LIMIT = 110
REPASTE_WORDS = 15  # a 15-word run of the first message: pasted, not restated


@dataclass(frozen=True)
class Draft:
    approach: str  # their_work | shared_context | shortest (or the model's label)
    subject: str
    body: str

    def to_dict(self) -> dict[str, str]:
        return {"approach": self.approach, "subject": self.subject, "body": self.body}


Check = tuple[bool, str]
Rule = Callable[[Draft, OutreachRequest], Check]

# --- the rules -------------------------------------------------------------------------


def rule_length(d: Draft, r: OutreachRequest) -> Check:
    if r.channel == "linkedin_note":
        limit = NOTE_LIMIT_PREMIUM if r.linkedin_premium else NOTE_LIMIT
        n = len(d.body.strip())
        return n <= limit, (
            f"Cut the note to {limit} characters including greeting and sign-off (it is {n}): "
            "keep the name, the one detail about their work and the ask."
        )
    n = len(words(d.body))
    return n <= BODY_WORD_LIMIT, (
        f"Cut it to {BODY_WORD_LIMIT} words or fewer (it is {n}): shorten what you say about "
        "yourself first."
    )


GENERIC_SUBJECT_RE = re.compile(
    r"^(re:\s*)?(quick question|hello|hi|hey|question|request|mentorship( request| opportunity)?|"
    r"request for mentorship|networking|introduction|follow[- ]?up|thank you|thanks)[.!?]*$",
    re.IGNORECASE,
)


def rule_subject(d: Draft, r: OutreachRequest) -> Check:
    subject = norm(d.subject).strip()
    bare = re.sub(r"(?i)^re:\s*", "", subject) if r.channel == "follow_up" else subject
    if not subject:
        return False, "Add a subject that names their work or your link, not your need."
    if len(bare) > SUBJECT_LIMIT:
        return False, f"Shorten the subject to {SUBJECT_LIMIT} characters (it is {len(bare)})."
    if GENERIC_SUBJECT_RE.match(subject):
        return False, "Make the subject specific: their talk, post or project, or your link."
    return True, ""


TITLES = {"dr", "dr.", "prof", "prof.", "professor", "mr", "mr.", "ms", "ms.", "mrs", "mrs."}


def name_parts(name: str) -> list[str]:
    return [p.strip(",") for p in norm(name).split() if p.lower() not in TITLES and len(p) > 1]


def rule_names_mentor(d: Draft, r: OutreachRequest) -> Check:
    text = norm(f"{d.subject}\n{d.body}")
    name = norm(r.mentor.name)
    fix = f"Use their name exactly as they write it: {name}."
    for part in name_parts(name):
        folded = fold(part)
        if folded != part and re.search(rf"(?<!\w){re.escape(folded)}(?!\w)", text):
            return False, fix  # diacritics dropped
    if name in text:
        return True, ""
    found = any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text) for p in name_parts(name))
    return found, fix


def _shares(reference: str, text: str, need: int) -> bool:
    ref = stems(reference)
    if not ref:
        return True
    return len(ref & stems(text)) >= min(need, len(ref))


def rule_admired_work(d: Draft, r: OutreachRequest) -> Check:
    body = d.body
    names = stems(r.mentor.name)
    if r.mentor.admired_work:
        ok = _shares(_minus(r.mentor.admired_work, names), body, 2)
    else:  # only the pasted bio: some sentence of it must be recognisably referred to
        ok = any(_shares(_minus(s, names), body, 3) for s in sentences(r.mentor.about))
    work = r.mentor.admired_work
    example = (work[:60].rsplit(" ", 1)[0] + "…" if len(work) > 60 else work) or (
        "the talk, post or project you valued"
    )
    return ok, f"Name the piece of their work you valued ({example}) and what it did for you."


def _minus(text: str, drop: set[str]) -> str:
    return " ".join(w for w in words(text) if w.lower()[:6] not in drop)


INTRO_RE = re.compile(
    r"\b(I'm|I am|I've been|I have been|I've spent|I have spent|I work|I worked|I study|"
    r"I studied|I'm currently|I recently|I graduated|I teach|I run|I lead|I've worked)\b"
)


def rule_who_you_are(d: Draft, r: OutreachRequest) -> Check:
    about_me = r.mentee.current or r.mentee.goal
    for s in sentences(d.body):
        if INTRO_RE.search(s) and _shares(about_me, s, 1):
            return True, ""
    return False, f"Add one sentence on who you are now, e.g. “I'm {about_me[:50]}…”."


CALL_RE = re.compile(r"\b(call|chat|conversation|talk|video|phone|zoom|meet|coffee)\b", re.I)
MINUTES_RE = re.compile(r"\b(\d+)[- ]?(?:min|mins|minute|minutes)\b", re.I)
SMALL_RE = re.compile(r"\b(quick|short|brief|few minutes|15|20)\b", re.I)
QUESTION_ASK_RE = re.compile(
    r"\b((one|a|single|quick|short|brief|specific)( quick| short| single| specific)? "
    r"question|ask you|send you)\b",
    re.I,
)
BIG_ASK_RE = re.compile(
    r"\b(jobs?|internships?|referr\w*|refer me|hire me|hiring|vacanc\w*|openings?|"
    r"review my|look over my|my (cv|resume|résumé|portfolio)|pick your brain|an hour|one hour|"
    r"\d+ hours?|(4[5-9]|[5-9]\d)[- ]?min\w*|whenever suits|sponsor me|(be|become) my mentor)\b",
    re.I,
)
ASK_EXAMPLES = {
    "short_call": "“Would you be open to a 20-minute call in the next few weeks?”",
    "one_question": "“Could I send you one question by email?”",
    "informational_interview": "“Could I have 20 minutes to hear about your path?”",
    "ongoing_mentorship": "“Would you be open to a first 20-minute call?”",
}


def ask_matches(ask: str | None, sentence: str) -> bool:
    minutes = [int(m) for m in MINUTES_RE.findall(sentence)]
    small = (bool(minutes) and max(minutes) <= 30) or bool(SMALL_RE.search(sentence))
    if ask == "one_question":
        return bool(QUESTION_ASK_RE.search(sentence))
    return bool(CALL_RE.search(sentence)) and small


def rule_one_ask(d: Draft, r: OutreachRequest) -> Check:
    asked = questions(d.body)
    big = [q for q in asked if BIG_ASK_RE.search(q)] + (
        ["pick your brain"] if re.search(r"pick your brain", d.body, re.I) else []
    )
    example = ASK_EXAMPLES.get(r.ask or "", "")
    if big:
        return False, "Make the ask smaller: no job, referral, CV review or long meeting yet."
    if r.channel == "thank_you":
        return len(asked) <= 1, "Keep at most one light next step; a thank-you asks nothing big."
    if not asked:
        return False, f"End with one small, clear ask, e.g. {example}"
    if len(asked) > 1:
        return False, "Keep one ask: cut the other questions."
    return ask_matches(r.ask, asked[0]), f"Make the ask match what you want, e.g. {example}"


EASY_OUT_RE = re.compile(
    r"no (problem|worries|pressure|obligation)|(completely|totally|fully|quite) understand|"
    r"if (now|this|the timing) (isn't|is not|is) (a good|the right|not)|not a good (time|moment)|"
    r"if you're (too )?(busy|short on time|not able)|if you are (too )?busy|if not\b|"
    r"fine to say no|feel free to (say no|ignore|decline)|understand if|no need to reply|"
    r"isn't possible|is not possible|if that's too much|too much right now|if the timing",
    re.I,
)


def rule_easy_out(d: Draft, r: OutreachRequest) -> Check:
    ok = bool(EASY_OUT_RE.search(norm(d.body)))
    return ok, "Add an easy way to say no, e.g. “No problem at all if now isn't a good time.”"


MENTOR_ASK_RE = re.compile(
    r"\b(be|become|act as) my (mentor|sponsor)|\bmentor me\b|take me on as (a|your) mentee|"
    r"would you (consider )?mentor|formal mentor(ship|ing)? (arrangement|relationship)",
    re.I,
)


def rule_no_mentor_ask(d: Draft, r: OutreachRequest) -> Check:
    ok = not MENTOR_ASK_RE.search(norm(d.body))
    return ok, "Don't ask “will you be my mentor?”; ask for one short conversation instead."


PLACEHOLDER_RE = re.compile(
    r"\[[^\]\n]{1,40}\]|\{[^}\n]{0,40}\}|<[A-Za-z][A-Za-z _-]{0,30}>|\b(TODO|TBD|FIXME|XXX+|"
    r"INSERT)\b|_{3,}|\((name|company|your name)\)|Sir/Madam|link removed",
    re.I,
)


def rule_no_placeholder(d: Draft, r: OutreachRequest) -> Check:
    m = PLACEHOLDER_RE.search(f"{d.subject}\n{d.body}")
    return m is None, f"Replace the placeholder {m.group(0)!r} with the real detail." if m else ""


MEETING_RE = re.compile(
    r"\b(we met|when we met|(great|nice|lovely|good) (to meet|meeting) you|our (call|chat|"
    r"conversation|meeting)|as (we )?discussed|following our|since we spoke|when we spoke|"
    r"you told me)\b",
    re.I,
)
MET_SUPPORT_RE = re.compile(r"\b(met|meet|spoke|chatted|talked|conversation|call)\b", re.I)
REFERRAL_RE = re.compile(
    r"\b(suggested (that )?I (get in touch|contact|reach out|write|email)|referred me|"
    r"recommended (that )?I|told me to (contact|reach|get in touch)|pointed me (to|towards) "
    r"you|introduced (me|us)|on behalf of)\b",
    re.I,
)
REFERRAL_SUPPORT_RE = re.compile(r"\b(suggest\w*|referr?\w*|recommend\w*|introduc\w*)\b", re.I)
CREDENTIAL_RE = re.compile(
    r"\b(PhD|Ph\.D|MBA|MSc|BSc|MPhil|certified|certification|chartered|licensed|"
    r"award-winning|graduated|first-class|distinction)\b",
    re.I,
)
PROMISE_RE = re.compile(
    r"[$£€]\s?\d|\b(pay|paid|payment|fee|compensat\w*|reward|gift card|invoice|donat\w*|"
    r"promise|guarantee\w*|in return)\b",
    re.I,
)
LINK_RE = re.compile(
    r"https?://[^\s)>\]]+|www\.[^\s)>\]]+|\b[\w.-]+\.(?:com|org|net|io|dev|co|uk|me|ai|app)"
    r"(?:/[^\s)>\]]*)?|\b[\w.+-]+@[\w-]+\.[\w.]+",
    re.I,
)


def unsupported(d: Draft, r: OutreachRequest) -> list[str]:
    """Claims or offers in the draft that nothing the mentee wrote supports."""
    text = norm(f"{d.subject}\n{d.body}")
    trusted = norm(r.trusted_text())
    low = trusted.lower()
    found: list[str] = []
    m = MEETING_RE.search(text)
    if m and r.channel != "thank_you" and not MET_SUPPORT_RE.search(trusted):
        found.append(m.group(0))
    m = REFERRAL_RE.search(text)
    if m and not REFERRAL_SUPPORT_RE.search(trusted):
        found.append(m.group(0))
    for rx in (CREDENTIAL_RE, PROMISE_RE):
        found += [x.group(0) for x in rx.finditer(text) if x.group(0).lower() not in low]
    for x in LINK_RE.finditer(text):
        link = x.group(0).rstrip(".,;:!?")
        if link.lower() not in low:
            found.append(link)
    return found


def rule_supported(d: Draft, r: OutreachRequest) -> Check:
    found = unsupported(d, r)
    return not found, (
        f"Remove what your request doesn't support: {', '.join(repr(f) for f in found[:3])}."
    )


GREETING_RE = re.compile(r"^\s*(hi|hello|dear|good (morning|afternoon|evening)|hey)\b", re.I)
ALWAYS_OFF_RE = re.compile(
    r"dear sir|madam|to whom it may concern|sorry to bother|\bhey\b|"
    r"(?-i:\b(u|ur|pls|plz|thx|lol)\b)",
    re.I,
)
CASUAL_RE = re.compile(r"\b(hey|awesome|super|cheers|guys|cool|gonna|wanna|yeah)\b|!", re.I)
WARM_RE = re.compile(
    r"\b(thank|thanks|grateful|enjoyed|loved|love|really|appreciat\w*|glad|happy|delighted|"
    r"stayed with me|stuck with me|helped|inspir\w*|valued|meant a lot|would love)\b",
    re.I,
)
FILLER_RE = re.compile(
    r"I hope (this|you're|you are|all is)|I just wanted|I am writing to|I'm writing to|"
    r"please don't hesitate|at your earliest convenience|I would be (extremely|incredibly) ",
    re.I,
)


def rule_tone(d: Draft, r: OutreachRequest) -> Check:
    body = norm(d.body)
    first = body.strip().splitlines()[0] if body.strip() else ""
    off = ALWAYS_OFF_RE.search(body)
    if off:
        return False, f"Drop “{off.group(0)}”: it reads as generic or too casual."
    if r.tone == "formal":
        ok = first.lower().startswith("dear") and not CASUAL_RE.search(body)
        return ok, "For a formal tone, open with “Dear …,” and drop exclamation marks and slang."
    if r.tone == "concise":
        limit = CONCISE_WORD_LIMIT
        ok = len(words(body)) <= limit and not FILLER_RE.search(body)
        return ok, f"Be concise: under {limit} words, no “I hope this finds you well”."
    ok = bool(GREETING_RE.match(body)) and bool(WARM_RE.search(body))
    return ok, "For a warm tone, greet them by name and say plainly what their work meant to you."


def rule_shorter(d: Draft, r: OutreachRequest) -> Check:
    _, first = previous_body(r.previous)
    n, m = len(words(d.body)), len(words(first))
    return n < m, f"Make the follow-up shorter than your first message ({n} vs {m} words)."


def rule_adds_new(d: Draft, r: OutreachRequest) -> Check:
    _, first = previous_body(r.previous)
    before = stems(first)
    for s in sentences(d.body):
        mine = stems(s) - stems(r.mentor.name)
        if len(mine) >= 3 and len(mine - before) / len(mine) >= 0.5:
            return True, ""
    return False, "Add one new thing: a sharper question, an update, or a smaller ask."


GUILT_RE = re.compile(
    r"haven't (heard|had|got|received) (back|a reply|a response|anything)|haven't (replied|"
    r"responded|answered|got back)|didn't (reply|respond|answer|hear)|no (reply|response|"
    r"answer)( yet| so far)?\b|still waiting|ignor\w+|sorry to (bother|chase|pester)|I'm sure "
    r"you're (very )?busy,? but|as I (said|mentioned) before|just checking in|\bchas\w+|"
    r"I really need|it's been (\d+|a|two|three|ten|several) (days|weeks)|you must have "
    r"(missed|forgotten)|\d+ days ago",
    re.I,
)


def rule_no_guilt(d: Draft, r: OutreachRequest) -> Check:
    m = GUILT_RE.search(norm(d.body))
    return m is None, (
        f"Drop the pressure (“{m.group(0)}”): no guilt, no counting the days." if m else ""
    )


def rule_no_repaste(d: Draft, r: OutreachRequest) -> Check:
    _, first = previous_body(r.previous)
    old = [w.lower() for w in words(first)]
    new = " ".join(w.lower() for w in words(d.body))
    for i in range(max(0, len(old) - REPASTE_WORDS + 1)):
        if " ".join(old[i : i + REPASTE_WORDS]) in new:
            return False, "Don't paste the first message again; reply in the same thread."
    return True, ""


def rule_specific_thanks(d: Draft, r: OutreachRequest) -> Check:
    notes = _minus(r.conversation_notes, stems(r.mentor.name))
    ok = any(_shares(s, d.body, 2) for s in sentences(notes) if stems(s))
    return ok, "Name one specific thing they said (from your notes) and what you'll do with it."


@dataclass(frozen=True)
class RuleSpec:
    name: str
    fn: Rule
    source: str
    applies: Callable[[OutreachRequest], bool]


def _first(r: OutreachRequest) -> bool:
    return r.channel in FIRST_CONTACT


def _not_thanks(r: OutreachRequest) -> bool:
    return r.channel != "thank_you"


def _has_subject_line(r: OutreachRequest) -> bool:
    return r.channel == "email" or (r.channel == "follow_up" and bool(previous_body(r.previous)[0]))


def _length_source(r: OutreachRequest) -> str:
    return {
        "linkedin_note": "linkedin-note",
        "follow_up": "following-up",
        "thank_you": "thank-you-notes",
    }.get(r.channel, "first-message-anatomy")


RULES: tuple[RuleSpec, ...] = (
    RuleSpec("length", rule_length, "", lambda r: True),
    RuleSpec("subject", rule_subject, "cold-email", _has_subject_line),
    RuleSpec("names_mentor", rule_names_mentor, "first-message-anatomy", lambda r: True),
    RuleSpec("admired_work", rule_admired_work, "first-message-anatomy", _first),
    RuleSpec("who_you_are", rule_who_you_are, "first-message-anatomy", _first),
    RuleSpec("one_ask", rule_one_ask, "what-not-to-ask-first", lambda r: True),
    RuleSpec("easy_out", rule_easy_out, "first-message-anatomy", _not_thanks),
    RuleSpec("no_mentor_ask", rule_no_mentor_ask, "what-not-to-ask-first", _not_thanks),
    RuleSpec("no_placeholder", rule_no_placeholder, "first-message-anatomy", lambda r: True),
    RuleSpec("supported", rule_supported, "first-message-anatomy", lambda r: True),
    RuleSpec("tone", rule_tone, "first-message-anatomy", lambda r: True),
    RuleSpec("shorter", rule_shorter, "following-up", lambda r: r.channel == "follow_up"),
    RuleSpec("adds_new", rule_adds_new, "following-up", lambda r: r.channel == "follow_up"),
    RuleSpec("no_guilt", rule_no_guilt, "following-up", lambda r: r.channel == "follow_up"),
    RuleSpec("no_repaste", rule_no_repaste, "following-up", lambda r: r.channel == "follow_up"),
    RuleSpec(
        "specific_thanks",
        rule_specific_thanks,
        "thank-you-notes",
        lambda r: r.channel == "thank_you",
    ),
)
RULE_NAMES = tuple(spec.name for spec in RULES)


def check_draft(draft: Draft, request: OutreachRequest) -> list[dict[str, Any]]:
    """The rubric report for one draft: one row per rule that applies to its channel."""
    rows = []
    for spec in RULES:
        if not spec.applies(request):
            continue
        passed, fix = spec.fn(draft, request)
        source = spec.source or _length_source(request)
        rows.append(
            {"rule": spec.name, "passed": passed, "fix": "" if passed else fix, "source": source}
        )
    return rows


def passes(rubric: list[dict[str, Any]]) -> bool:
    return all(row["passed"] for row in rubric)
