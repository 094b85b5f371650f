"""Long posts: splitting a messy post into its parts (pure), and retrieval over them on a
small real index (Chroma on disk, the ONNX embedder): hints boost and never filter, the
reader rule, and the "closest guidance" kind through `mentor ask --json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from assistant.query import LONG_POST_CHARS, MAX_PART_WORDS, sentences, split_post
from assistant.ranking import ChunkRow, FusionConfig, combine_parts, hint_factor
from tests.support import SMALL_SET, copy_articles, make_settings

MESSY = """Need advice - toxic manager, should I quit before 1 year??
hi all, long time lurker. so I'm 24 and I've been at my first job out of uni (marketing
coordinator at a small agency) for about 8 months. My manager is honestly kind of awful,
she criticises me in front of clients and changes what she wants every week and then says
I didnt listen. i cried in the bathroom twice last week lol. My parents say I have to stay
at least a year or it will look bad on my CV.
is it really that bad to leave before a year? and how do i even explain it in interviews
without trashing her? thanks"""


def test_a_messy_post_splits_into_title_question_and_situation() -> None:
    plan = split_post(MESSY)
    roles = [p.role for p in plan.parts]
    assert plan.long and roles[0] == "title" and "question" in roles and "situation" in roles
    title = plan.parts[0].text
    assert title == "Need advice - toxic manager, should I quit before 1 year??"
    asked = " ".join(p.text for p in plan.parts if p.role == "question")
    assert "leave before a year?" in asked and "explain it in interviews" in asked
    situation = " ".join(p.text for p in plan.parts if p.role == "situation")
    assert "marketing coordinator" in situation and "leave before a year" not in situation
    # every part fits the embedder's 256-token window
    assert all(len(p.text.split()) <= MAX_PART_WORDS for p in plan.parts)
    # hints: the industry it names is boosted, not a filter; it is not about mentoring others
    assert plan.industries == ("marketing",) and not plan.mentoring_others


def test_a_short_question_is_searched_whole() -> None:
    plan = split_post("  my manager says I need to be more strategic,\n what does that mean?  ")
    assert [p.role for p in plan.parts] == ["whole"]
    assert plan.parts[0].text == "my manager says I need to be more strategic, what does that mean?"
    assert not plan.long and split_post("").parts == ()


def test_a_post_without_question_marks_or_line_breaks() -> None:
    post = (
        "I graduated in engineering two years ago and have been working in a warehouse since "
        "then because I could not find anything in my field. My confidence is gone and every "
        "application gets rejected without an interview. I have started to think the degree "
        "was a waste. I would really like to know where to start again with the job search. "
        "Thanks for reading this far."
    )
    assert len(post) > LONG_POST_CHARS
    plan = split_post(post)
    asked = [p.text for p in plan.parts if p.role == "question"]
    assert asked and "where to start again" in asked[0]
    assert all(p.role != "title" for p in plan.parts)  # one paragraph: no title line


def test_no_question_at_all_takes_the_last_two_sentences() -> None:
    post = (
        "Long story. I moved country last year for my partner and left a job I loved in "
        "hospitality management. Since then I have been doing temp admin work and feel "
        "completely lost. Every recruiter tells me my experience does not transfer. "
        "I just want to get back to a career I care about. Starting again at 35 feels impossible."
    )
    plan = split_post(post)
    asked = " ".join(p.text for p in plan.parts if p.role == "question")
    assert asked.startswith("I just want to get back") and asked.endswith("impossible.")
    assert plan.industries == ("hospitality",)


def test_a_run_on_post_is_cut_into_pieces_that_fit() -> None:
    run_on = ", ".join(["so i applied to another job and heard nothing back again"] * 40)
    pieces = sentences(run_on)
    assert len(pieces) > 1 and all(len(p.split()) <= MAX_PART_WORDS for p in pieces)
    plan = split_post(run_on + ". what am i doing wrong?")
    assert len(plan.parts) <= 1 + 3 + 2 and plan.parts[0].role != "whole"


def test_mentoring_others_is_read_from_the_question_not_the_background() -> None:
    background = (
        "I mentor two juniors at work and love it, that part is fine. "
        "But my own manager has given me a low rating this year with no explanation and "
        "HR has mentioned an improvement plan. I have never had a bad review before and I "
        "am shaken, and I keep replaying every meeting. How do I respond to the rating and "
        "should I start looking elsewhere?"
    )
    assert not split_post(background).mentoring_others
    asks = "I've been asked to mentor a new graduate at work. Where do I even start?"
    assert split_post(asks).mentoring_others
    assert not split_post("how do I find someone willing to be a mentor to me").mentoring_others


def _row(stage: str = "goals", industries: str = "||", reader: str = "mentee") -> ChunkRow:
    return ChunkRow("a::0", "a", "A", stage, "a.md", "", "t", industries, industries == "||",
                    reader=reader)  # fmt: skip


def test_hints_boost_and_lower_but_never_remove() -> None:
    cfg = FusionConfig(stage_boost=1.1, industry_boost=1.2, other_industry_penalty=0.5,
                       mentor_penalty=0.0)  # fmt: skip

    def f(row: ChunkRow, **kw: object) -> float:
        args: dict[str, object] = {"stages": (), "industries": (), "mentor_side": False} | kw
        return hint_factor(row, cfg, **args)  # type: ignore[arg-type]

    assert f(_row()) == 1.0
    assert f(_row(industries="|law|"), industries=("law",)) == pytest.approx(1.2)
    assert f(_row(industries="|law|"), industries=("healthcare",)) == pytest.approx(0.5)
    assert f(_row(), industries=("healthcare",)) == 1.0  # general articles untouched
    assert f(_row(stage="workplace"), stages=("workplace",)) == pytest.approx(1.1)
    assert f(_row(reader="mentor")) == 0.0
    assert f(_row(reader="mentor"), mentor_side=True) == 1.0


def test_parts_combine_best_part_and_mean() -> None:
    combined = combine_parts([{1: 0.8, 2: 0.5}, {2: 0.6}], [1.0, 0.5], mix=0.5)
    assert combined[1] == pytest.approx(0.5 * 0.8 + 0.5 * 0.8 / 1.5)
    assert combined[2] == pytest.approx(0.5 * 0.5 + 0.5 * (0.5 + 0.3) / 1.5)


# --- on a small real index ------------------------------------------------------------

EXTRA = ["paying-it-forward/becoming-a-mentor", "workplace/difficult-manager"]


@pytest.fixture(scope="module")
def small_runtime(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    from assistant.runtime import Runtime

    tmp = tmp_path_factory.mktemp("query")
    kb = copy_articles(tmp / "knowledge", [*SMALL_SET, *EXTRA])
    rt = Runtime(make_settings(tmp, kb))
    rt.__dict__["embedder"] = embedder
    rt.index()
    return rt


def test_an_inferred_industry_boosts_and_never_filters(small_runtime) -> None:  # type: ignore[no-untyped-def]
    r = small_runtime.retriever().with_config(floor=-1.0, floor_long=-1.0)
    q = "I'm a trainee solicitor at a law firm. How do I write a cold email to someone I admire?"
    found = r.retrieve(q, k=8)
    docs = [x.doc_id for x in found.results]
    assert docs[0] == "cold-email"
    assert found.filters.industries == ("law",) and found.filters.industry_filter is None
    # Another industry's note is lowered, never removed: the background names law, the
    # question is about working with patients on a ward (healthcare, in other words).
    q = "I'm a paralegal at a law firm. What is it like to work with sick people on wards?"
    found = r.retrieve(q, k=3)
    assert found.filters.industries == ("law",)
    assert "industry-healthcare" in [x.doc_id for x in found.results]
    chosen = r.retrieve(q, k=8, industry="law")  # a filter only when the user chooses it
    assert "industry-healthcare" not in [x.doc_id for x in chosen.results]


def test_mentor_side_articles_only_for_questions_about_mentoring_others(small_runtime) -> None:  # type: ignore[no-untyped-def]
    r = small_runtime.retriever().with_config(floor=-1.0, floor_long=-1.0, mentor_penalty=0.0)
    mentee = r.retrieve("I want someone experienced to guide me, how do I get a mentor?", k=8)
    assert "becoming-a-mentor" not in [x.doc_id for x in mentee.results]
    mentor = r.retrieve("I've been asked to mentor a new graduate at work, where do I start?", k=8)
    assert mentor.filters.mentor_side
    assert mentor.results[0].doc_id == "becoming-a-mentor"


def test_a_long_post_is_searched_by_its_parts(small_runtime) -> None:  # type: ignore[no-untyped-def]
    r = small_runtime.retriever().with_config(floor=-1.0, floor_long=-1.0)
    found = r.retrieve(MESSY, k=3)
    assert found.parts[0] == "title" and "question" in found.parts
    assert found.results[0].doc_id == "difficult-manager"
    assert found.to_dict()["parts"] == list(found.parts)


@pytest.fixture
def cli_env(small_runtime) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")}
    env["MENTOR_DATA_DIR"] = str(small_runtime.settings.data_dir)
    env["MENTOR_KNOWLEDGE_DIR"] = str(small_runtime.settings.knowledge_dir)
    yield env


def _ask_json(env: dict[str, str], question: str) -> dict[str, object]:
    res = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", question, "--json"],
        env=env, capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    data: dict[str, object] = json.loads(res.stdout)
    return data


@pytest.mark.slow  # > 4 s: kept out of the fast tier
def test_closest_guidance_through_ask_json(small_runtime, cli_env) -> None:  # type: ignore[no-untyped-def]
    """Just above the floor, the answer is given and labelled "closest guidance"; well
    above it, it is an ordinary answer. The floor is moved (MENTOR_RELEVANCE_FLOOR) to put
    one question on each side of the tuned closest margin."""
    from assistant.ranking import default_fusion_config

    margin = default_fusion_config().closest_margin
    assert margin > 0.001  # the tuned configuration labels some answers "closest"
    question = "my boss keeps moving the goalposts on my project and I am fed up"
    confidence = small_runtime.retriever().retrieve(question).confidence
    near = _ask_json(cli_env | {"MENTOR_RELEVANCE_FLOOR": str(confidence - 0.0005)}, question)
    assert near["kind"] == "closest" and near["grounded"] is True
    assert str(near["answer"]).startswith("**Closest guidance we have:**")
    assert near["citations"]
    far = _ask_json(cli_env | {"MENTOR_RELEVANCE_FLOOR": str(confidence - margin - 0.01)}, question)
    assert far["kind"] == "answer"
    assert not str(far["answer"]).startswith("**Closest guidance")
