"""Library-mode drafts: composed deterministically from the request and the outreach
guidance — first-message-anatomy's parts (who you are, why them, one small ask, an easy
out, a short sign-off), following-up's "bring it back to the top, add one new thing,
make the ask easier", thank-you-notes' "name what they said".

For each approach (lead with their work / lead with the shared context / the shortest)
candidates are written from fullest to barest; the first that passes every rubric rule
is kept, so a draft is only as short as it has to be. ``mentor.about`` is untrusted and
only used, through ``about_phrase``, when ``admired_work`` is empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from assistant.outreach_phrases import (
    FAMILY_FIRST,
    about_phrase,
    article,
    clause,
    first_lower,
    goal_phrase,
    greet_name,
    intro,
    note_points,
    sentence,
    shared_context,
    short,
    work_phrase,
)
from assistant.outreach_request import OutreachRequest
from assistant.outreach_rubric import Draft, check_draft, passes
from assistant.outreach_text import previous_body, words

Candidates = Iterator[Draft]


def greeting(r: OutreachRequest) -> str:
    return f"Dear {greet_name(r)}," if r.tone == "formal" else f"Hi {greet_name(r)},"


def sign_off(r: OutreachRequest, short_form: bool = False) -> str:
    words_for = {"formal": "Kind regards", "concise": "Thanks", "warm": "Thank you"}
    if r.channel == "thank_you":
        words_for = {"formal": "Kind regards", "concise": "Thanks again", "warm": "Best wishes"}
    lines = [f"{words_for[r.tone]},", r.mentee.name]
    if r.mentee.link and not short_form:
        lines.append(r.mentee.link)
    return "\n".join(x for x in lines if x)


def why_them(r: OutreachRequest, lead: bool, limit: int = 0) -> str:
    """The line that shows this is not mass outreach: their work and what it did."""
    if not r.mentor.admired_work:
        found = about_phrase(r)
        return (
            sentence(f"I read that {found}, which is a big part of why I'm writing")
            if found
            else ""
        )
    what, why = work_phrase(r)
    if limit:
        what, why = short(what, limit), ""
    if what.startswith("you "):
        return sentence(
            f"{what} — that really stayed with me"
            if r.tone != "formal"
            else f"{what}, which I found particularly valuable"
        )
    if r.tone == "formal":
        core = f"{what} was particularly valuable to me" if lead else f"I found {what} valuable"
    else:
        valued = "I really valued" if why.startswith("especially") else "I especially valued"
        core = f"{what} really stayed with me" if lead else f"{valued} {what}"
    return sentence(f"{core} — {why}" if why else core)


def ask_sentence(r: OutreachRequest, follow_up: bool = False) -> str:
    still = " still" if follow_up else ""
    goal = goal_phrase(r.mentee.goal, gerund=True)
    about = f" about {goal}" if len(words(goal)) <= 8 else ""
    org = f" at {r.mentor.organisation}" if r.mentor.organisation else ""
    open_to = "be willing to have" if r.tone == "formal" else "be open to"
    asks = {
        "short_call": f"Would you{still} {open_to} a 20-minute call in the next few weeks?",
        "one_question": f"Could I send you one short question by email{about}?",
        "informational_interview": f"Would you{still} {open_to} a 20-minute conversation "
        f"about your path and what a normal week{org} looks like?",
        "ongoing_mentorship": f"Would you{still} {open_to} a first 20-minute call in the next "
        "few weeks?",
    }
    if follow_up:  # shorter than the first message, same ask
        asks = {
            "short_call": "Would a 20-minute call in the next few weeks still work for you?",
            "one_question": "Could I still ask you the one question from my earlier note?",
            "informational_interview": "Would a 20-minute chat about your path still work for you?",
            "ongoing_mentorship": "Would a first 20-minute call still work for you?",
        }
    return asks.get(r.ask or "short_call", asks["short_call"])


def ask_detail(r: OutreachRequest) -> str:
    if r.ask == "ongoing_mentorship":
        return (
            "I'd love to hear how you got started, and whether keeping in touch now and "
            "then as I go might suit you too."
        )
    if r.ask == "one_question":
        return ""
    return "I'd love to hear what helped you most early on, and what you'd do in my position."


def easy_out(r: OutreachRequest, short_form: bool = False) -> str:
    if short_form or r.tone == "concise":
        return "No worries if not."
    if r.tone == "formal":
        return "If the timing is not right, there is no obligation at all."
    return "If now isn't a good moment, I completely understand."


def join(*paragraphs: str) -> str:
    return "\n\n".join(p.strip() for p in paragraphs if p and p.strip())


def line(*parts: str) -> str:
    return " ".join(p for p in parts if p)


# --- first contact --------------------------------------------------------------------


def subject_for(r: OutreachRequest, approach: str) -> str:
    if r.channel != "email":
        return ""
    topic = f"A question about {goal_phrase(r.mentee.goal, True)}"
    if approach == "shared_context" and len(topic) <= 80:
        return topic
    if r.mentor.admired_work:
        what, _ = work_phrase(r)
        if what.startswith("your") and len(what) <= 80:
            return what[0].upper() + what[1:].rstrip(",")
        if what.startswith("your"):
            return "Your " + short(what[5:], 70)
    if len(topic) <= 80:
        return topic
    me = first_lower(clause(r.mentee.current))
    return f"A question from {article(me)} {short(me, 55)}" if me else "A short question"


def first_contact(r: OutreachRequest, approach: str) -> Candidates:
    if r.channel == "linkedin_note":
        yield from note_candidates(r, approach)
        return
    subject = subject_for(r, approach)
    hello, bye, ask = greeting(r), sign_off(r), ask_sentence(r)
    lead, them, shared = why_them(r, lead=True), why_them(r, lead=False), shared_context(r)
    if approach == "their_work":
        yield Draft(
            approach,
            subject,
            join(hello, line(lead, intro(r)), line(ask, ask_detail(r)), easy_out(r), bye),
        )
        yield Draft(approach, subject, join(hello, line(lead, intro(r)), ask, easy_out(r), bye))
        yield Draft(
            approach,
            subject,
            join(
                hello,
                line(why_them(r, True, 60), intro(r, False)),
                line(ask, easy_out(r, True)),
                sign_off(r, True),
            ),
        )
    elif approach == "shared_context" and shared:
        yield Draft(
            approach,
            subject,
            join(hello, line(shared, intro(r)), line(them, ask), easy_out(r), bye),
        )
        yield Draft(
            approach,
            subject,
            join(
                hello,
                line(shared, intro(r, False)),
                line(why_them(r, False, 60), ask),
                easy_out(r, True),
                sign_off(r, True),
            ),
        )
    elif approach == "shortest":
        yield Draft(
            approach,
            subject,
            join(hello, line(intro(r), them), line(ask, easy_out(r, True)), sign_off(r, True)),
        )
        yield Draft(
            approach,
            subject,
            join(
                hello,
                line(intro(r, False), why_them(r, False, 50)),
                line(ask, easy_out(r, True)),
                sign_off(r, True),
            ),
        )


NOTE_ASKS = {
    "one_question": "Could I send you one question?",
    "short_call": "Open to a 15-min call sometime?",
    "informational_interview": "Open to a 15-min chat about your path?",
    "ongoing_mentorship": "Open to a first 15-min call?",
}
SHORT_NOTE_ASKS = {
    "one_question": "Could I send one question?",
    "short_call": "Open to a 15-min call?",
    "informational_interview": "Open to a 15-min chat?",
    "ongoing_mentorship": "Open to a first 15-min call?",
}


def note_candidates(r: OutreachRequest, approach: str) -> Candidates:
    """A connection note counts every character, greeting and sign-off included: the
    why-them line is cut step by step (never inside a quoted title) until it fits."""
    parts = r.mentee.name.split()
    family_first = bool(parts) and parts[0].lower() in FAMILY_FIRST
    name = r.mentee.name if family_first or not parts else parts[0]  # "Kim Min-jun" stays whole
    ask, brief = NOTE_ASKS[r.ask or "short_call"], SHORT_NOTE_ASKS[r.ask or "short_call"]
    whys = [why_them(r, True)] + [why_them(r, True, n) for n in (70, 60, 50, 45, 40, 35, 30)]

    def note(*parts: str) -> Draft:
        text = line(*parts, "No worries if not.")
        return Draft(approach, "", line(greeting(r), first_lower(text), name))

    if approach == "their_work":
        for me in (intro(r), intro(r, False)):
            yield from (note(why, me, ask) for why in whys)
        yield from (note(why, intro(r, False), brief) for why in whys)
    elif approach == "shared_context" and shared_context(r):
        for why in whys:
            yield note(shared_context(r), why, intro(r, False), ask)
            yield note(shared_context(r), why, intro(r, False), brief)
    elif approach == "shortest":  # the barest note that still names their work
        yield from (note(intro(r, False), why, brief) for why in reversed(whys))


# --- follow-up and thank-you -------------------------------------------------------------


def follow_up(r: OutreachRequest, approach: str) -> Candidates:
    old_subject, _ = previous_body(r.previous)
    subject = (
        old_subject
        if not old_subject or old_subject.lower().startswith("re:")
        else f"Re: {old_subject}"
    )
    hello, bye, ask = greeting(r), sign_off(r, True), ask_sentence(r, follow_up=True)
    back = (
        "I know this is a busy time, so I'm bringing my earlier note back to the top of your inbox."
    )
    sharper = "What I'd most like to know is what you would focus on first in my position."
    smaller = (
        "If a call is too much, even a line or two by email would help — and no worries "
        "at all if now isn't the time."
    )
    if r.ask == "one_question":
        smaller = "Even a one-line reply would help, and no worries at all if now isn't the time."
    if r.tone == "concise":
        back, smaller = (
            "Bringing this back to the top of your inbox.",
            "Even a one-line reply would help; no worries if not.",
        )
    if approach == "their_work":
        yield Draft(approach, subject, join(hello, line(back, sharper), line(ask, smaller), bye))
        yield Draft(approach, subject, join(hello, back, line(ask, smaller), bye))
    elif approach == "shared_context" and r.ask != "one_question":
        yield Draft(approach, subject, join(hello, line(sharper, ask), smaller, bye))
    if approach in ("shortest", "their_work"):
        yield Draft(
            "shortest",
            subject,
            join(
                hello,
                line(ask, "Even a one-line reply by email would help; no worries if not."),
                bye,
            ),
        )


def thank_you(r: OutreachRequest, approach: str) -> Candidates:
    points = note_points(r.conversation_notes, r.mentor.name)
    subject = "Thank you for your time and advice"
    hello, bye = greeting(r), sign_off(r)
    thanks = (
        ("Thank you for taking the time to talk with me — I came away with a much clearer picture.")
        if r.tone != "concise"
        else "Thank you for your time."
    )
    one = sentence(f"What stuck with me most was {points[0]}") if points else ""
    two = sentence(f"I'm also grateful for {points[1]}") if len(points) > 1 else ""
    act = sentence(f"I'll act on that as I work towards {goal_phrase(r.mentee.goal, True)}")
    nxt = (
        "If you'd be open to it, I'd love to have a 30-minute call once a month for the next "
        "three months as I go. Would that suit you?"
        if r.ask == "ongoing_mentorship"
        else "Would it be all right if I let you know how it goes?"
    )
    if approach == "their_work":
        yield Draft(approach, subject, join(hello, line(thanks, one, two), line(act, nxt), bye))
    elif approach == "shared_context" and len(points) > 1:
        other = sentence(f"What stuck with me most was {points[1]}")
        yield Draft(approach, subject, join(hello, line(thanks, other), line(act, nxt), bye))
    elif approach == "shortest":
        yield Draft(approach, subject, join(hello, line("Thank you for your time.", one), bye))


# --- choosing -------------------------------------------------------------------------

APPROACHES = ("their_work", "shared_context", "shortest")


def candidates_for(r: OutreachRequest) -> Callable[[OutreachRequest, str], Candidates]:
    if r.channel == "follow_up":
        return follow_up
    if r.channel == "thank_you":
        return thank_you
    return first_contact


def library_drafts(r: OutreachRequest) -> list[Draft]:
    """2–3 distinct drafts, each the fullest candidate of its approach that passes every
    rule. An approach with no passing candidate is dropped while two others pass; if
    fewer than two pass, its barest candidate is kept, failures and all, so the page can
    show what to fix rather than nothing."""
    make = candidates_for(r)
    passing: list[Draft] = []
    failing: list[Draft] = []
    for approach in APPROACHES:
        last = None
        for cand in make(r, approach):
            if any(cand.body == d.body for d in passing + failing):
                continue
            last = cand
            if passes(check_draft(cand, r)):
                passing.append(cand)
                break
        else:
            if last is not None:
                failing.append(last)
    return passing if len(passing) >= 2 else (passing + failing)[:3]
