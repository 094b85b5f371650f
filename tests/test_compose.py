"""Library-mode answer cards: pure composition on fixed cards, then over the real
knowledge base (real Chroma index, ONNX embedder, SQLite) for the shape a mentee sees."""

from __future__ import annotations

import re

import pytest

from assistant.cards import is_complete, sentences_of
from assistant.chat import ask, library_rewrite, run_turn
from assistant.compose import (
    LIBRARY_LABEL,
    QUESTION_BACK_LABEL,
    compose_library_answer,
    flip,
    pick_sources,
    reflect,
)
from assistant.generation import Citation, Done, Token
from assistant.knowledge import Card
from assistant.safety import distress_opening, is_crisis, is_distress

COLD = Card(
    "article",
    "Keep a first email short and specific. Say why you chose this person and ask for "
    "one small thing they can say yes to.",
    (
        "Find a real reason to contact this person, such as a post they wrote.",
        "Write the subject line last and make it about them.",
        "Keep the body under about 150 words.",
        "Make one small request with a clear size, such as 15 minutes on a call.",
    ),
    "Don't attach your CV unless they ask; it reads as a job request.",
    "Hi Daniel, I read your post about moving from teaching into analytics. Could I ask "
    "you two questions by email? No problem at all if you're too busy. Best wishes, Priya",
    ("cold email", "subject lines"),
)
HEALTH = Card(
    "article",
    "Healthcare careers are shaped by registration and placements. Ask people on the ward "
    "how they moved between roles.",
    ("Name the role you want.", "Find its professional body.", "Ask one person about it."),
    "Don't assume another country's rules apply where you live.",
    None,
    ("nursing", "healthcare"),
    ("healthcare",),
)


def cite(n: int, doc: str, card: Card | None, stage: str = "outreach") -> Citation:
    path = f"articles/{stage}/{doc}.md"
    return Citation(n, doc, doc.replace("-", " ").title(), path, "", "passage", stage, "", card)


def test_card_shows_every_step_whole_in_order_and_cites_in_order() -> None:
    q = "I've emailed ten people I don't know and heard nothing. What should my email say?"
    sources = [cite(1, "cold-email", COLD), cite(2, "smart-goals", None, "goals")]
    answer = compose_library_answer(q, pick_sources(q, sources))
    assert answer.startswith(LIBRARY_LABEL)
    positions = [answer.index(step) for step in COLD.steps]
    assert positions == sorted(positions)
    assert [f"{i}. {s}" for i, s in enumerate(COLD.steps, 1)] == [
        ln for ln in answer.splitlines() if re.match(r"^\d\. ", ln)
    ]
    assert "> Hi Daniel" in answer and COLD.watch_out in answer and COLD.in_short in answer
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", answer)]
    assert numbers and numbers[0] == 1 and set(numbers) == {1}
    lines = answer.splitlines()
    assert lines[2] == "It sounds like you've emailed ten people you don't know and heard nothing."
    assert lines[-1].startswith(QUESTION_BACK_LABEL) and lines[-1].endswith("?")


def test_second_angle_is_the_named_industry_and_renumbered_two() -> None:
    q = "I'm a nurse and want to email a ward manager I've never met. How do I start?"
    sources = [
        cite(1, "cold-email", COLD),
        cite(2, "smart-goals", COLD, "goals"),
        cite(3, "industry-healthcare", HEALTH, "industry"),
    ]
    picked = pick_sources(q, sources)
    assert [(s.n, s.doc_id) for s in picked] == [(1, "cold-email"), (2, "industry-healthcare")]
    assert pick_sources(q, picked) == picked  # idempotent: the lead's failure path may re-pick
    answer = compose_library_answer(q, picked)
    second = [ln for ln in answer.splitlines() if ln.startswith("**In healthcare:**")]
    assert second and second[0].endswith("[2]") and second[0][19:-4] in HEALTH.in_short
    assert re.findall(r"\[(\d+)\]", answer)[-1] == "2"  # first use of [2] after every [1]
    assert "Read more" not in answer  # the Sources under the answer list them


def test_unrelated_second_source_is_left_out() -> None:
    q = "What should the subject line of my cold email say?"
    other = Card("article", "Mentoring ends one day. Plan the ending well and say thanks.",
                 ("Plan it.", "Say thanks.", "Keep in touch."), "Don't vanish.")
    picked = pick_sources(q, [cite(1, "cold-email", COLD), cite(2, "ending", other)])
    assert len(picked) == 1


def test_two_questions_say_which_is_answered_and_ask_about_the_other() -> None:
    q = "How long should a cold email to a stranger be? And should I do a bootcamp first?"
    answer = compose_library_answer(q, [cite(1, "cold-email", COLD)])
    lines = answer.splitlines()
    assert lines[4].startswith("You asked two things. This answers “How long should a cold")
    assert lines[4].index("You asked") < answer.index("**What to do**")
    assert lines[-1] == (
        f"{QUESTION_BACK_LABEL} Shall we look at your other question next: "
        "“Should I do a bootcamp first?”"
    )


def test_reflection_comes_from_the_question_never_a_canned_mismatch() -> None:
    assert reflect("How do I ask someone to be my mentor?", COLD, "Cold email") == (
        "You want to know how to ask someone to be your mentor."
    )
    assert reflect("Should I attach my CV?", COLD, "Cold email") == (
        "You're weighing whether to attach your CV."
    )
    said = reflect("Our client said our pitch \"doesn't feel like us\". Help!", COLD, "x")
    assert said == "It sounds like your client said your pitch \"doesn't feel like us\"."
    assert reflect("subject lines??", COLD, "Cold email") == "You're asking about subject lines."
    assert flip("I'm sure my manager told me") == "you're sure your manager told you"


def test_follow_up_to_the_question_back_is_joined_and_acknowledged() -> None:
    first = "How do I write to someone I've never met?"
    answer = compose_library_answer(first, [cite(1, "cold-email", COLD)])
    history = [("user", first), ("assistant", answer)]
    reply = "A data analyst who used to be a teacher like me, I found her blog post last week"
    joined = library_rewrite(reply, history)
    assert joined == f"{first} {reply}"
    new_question = "What should I wear to a careers fair at my university next month?"
    assert library_rewrite(new_question, history) == new_question  # a new question stands
    again = compose_library_answer(joined, [cite(1, "cold-email", COLD)], follow_up=reply)
    assert again.splitlines()[2].startswith("Thanks, that helps.")
    back = [ln for ln in again.splitlines() if ln.startswith(QUESTION_BACK_LABEL)]
    assert back and back[0] not in answer  # a different question the second time


def test_a_card_never_ends_on_a_fragment() -> None:
    assert not is_complete("Here is what Amira sent to her new mentor:")
    assert not is_complete("She wrote back “thanks")
    assert is_complete("Thanks for your time.\nBest wishes,\nPriya")
    assert is_complete(COLD.script or "")
    assert sentences_of("One. Two! “Three?”") == ["One.", "Two!", "“Three?”"]


@pytest.mark.parametrize(
    ("text", "distress"),
    [
        ("I'm so overwhelmed I've been crying every day before work", True),
        ("I can't sleep the night before my performance review", True),
        ("I feel hopeless about ever getting a job", True),
        ("How do I write a cold email?", False),
        ("My mentee felt hopeless about cover letters. What should a template include?", False),
        ("I cried laughing at my mentor's story. How do I thank her?", False),
        ("I can't sleep on a decision like this: which offer should I take?", False),
        ("I want to end my life", False),  # a crisis, answered on its own
        ("I won't be around after this week, can you help me write a goodbye email", False),
    ],
)
def test_mild_distress_is_told_apart_from_crisis(text: str, distress: bool) -> None:
    assert is_distress(text) is distress
    if "end my life" in text or "won't be around" in text:
        assert is_crisis(text)


def test_distress_opening_points_students_to_student_services() -> None:
    student = distress_opening("I'm a second-year uni student, overwhelmed and crying daily")
    worker = distress_opening("Overwhelmed at work and can't sleep")
    assert student and worker
    assert "doctor or a counsellor" in worker and "student services" not in worker
    assert "student services" in student


# --- over the real knowledge base ---------------------------------------------------------


@pytest.mark.slow
def test_distress_opens_with_care_before_the_guidance(full_runtime) -> None:  # type: ignore[no-untyped-def]
    rt = full_runtime
    q = "I'm overwhelmed and crying most days. My manager criticised me in front of everyone."
    events = list(run_turn(q, settings=rt.settings, retriever=rt.retriever(), model=None))
    done = events[-1]
    assert isinstance(done, Done)
    result = done.result
    assert result.kind == "answer" and result.data == {"care": "distress"}
    assert result.answer.startswith("I'm sorry things feel this heavy")
    care_end = result.answer.index("doctor or a counsellor")
    assert care_end < result.answer.index(LIBRARY_LABEL) < result.answer.index("**What to do**")
    tokens = [e for e in events if isinstance(e, Token)]
    assert tokens and all(t.shown.startswith("I'm sorry") for t in tokens)
    assert tokens[-1].shown == result.answer


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    [
        "How do I ask someone to be my mentor?",
        "My manager said I need to be more strategic and I have no idea what that means.",
        "I've sent loads of emails to people on LinkedIn and nobody replies. What am I doing "
        "wrong? Also should I attach my CV?",
        "my client said our campaign doesn't feel like them and I froze",
    ],
)
def test_real_answers_are_cards(full_runtime, question: str) -> None:  # type: ignore[no-untyped-def]
    from assistant.index import article_map

    rt = full_runtime
    result = ask(question, settings=rt.settings, retriever=rt.retriever(), model=None)
    answer = result.answer
    assert result.kind == "answer" and 1 <= len(result.citations) <= 2
    assert [c.n for c in result.citations] == list(range(1, len(result.citations) + 1))
    first_use = [int(n) for n in dict.fromkeys(re.findall(r"\[(\d+)\]", answer))]
    assert first_use == [c.n for c in result.citations]
    card = result.citations[0].card
    assert card is not None
    positions = [answer.index(step) for step in card.steps]
    assert positions == sorted(positions)
    articles = article_map(rt.settings)
    for c in result.citations:
        if c.doc_id in articles:
            body = articles[c.doc_id].body
            opening = body.split("\n\n")[1]  # after the '# title' line
            assert not any(s in answer for s in sentences_of(opening) if len(s.split()) > 4)
    assert "](" not in answer
    back = [ln for ln in answer.splitlines() if ln.startswith(QUESTION_BACK_LABEL)]
    assert len(back) == 1 and back[0].rstrip("”").endswith("?")


def test_a_scenario_above_its_article_gives_way_to_it() -> None:
    """The article's reviewed card leads; the scenario drawn from it is the second angle."""
    scenario = Card("scenario", "A situation like this is one of our practice scenarios, “X”. "
                    "In it, Lucía says: “Be more strategic.”", ("Thanks Lucía.", "Asks for an "
                    "example.", "Proposes a test."), "Avoid nodding along.",
                    related=("vague-feedback",))
    q = "My manager says I need to be more strategic. What do I do with that?"
    sources = [cite(1, "scenario:vague", scenario, "feedback"),
               cite(2, "vague-feedback", COLD, "feedback")]
    picked = pick_sources(q, sources)
    assert [(s.n, s.doc_id) for s in picked] == [(1, "vague-feedback"), (2, "scenario:vague")]
    assert pick_sources(q, picked) == picked
    answer = compose_library_answer(q, picked)
    line = "**To practise:** A situation like this is one of our practice scenarios, “X”. [2]"
    assert line in answer
