"""The knowledge pipeline (loading, validation, chunking) and the knowledge base's own checks."""

from __future__ import annotations

import re
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest

from assistant.cards import is_complete
from assistant.chunking import chunk_article, chunk_scenario, count_tokens, scenario_documents
from assistant.errors import KnowledgeError
from assistant.knowledge import (
    INDUSTRIES,
    STAGE_LABELS,
    STAGES,
    Card,
    internal_links,
    load_articles,
    load_scenarios,
    parse_article,
    resolve_link,
)
from tests.support import KNOWLEDGE

CARD = """in_short: >-
  Build each goal from things you control, with a number or a finished piece of work and a
  date. Keep one to three goals at a time and check them halfway.
steps:
  - "Write the goal as one sentence that starts with a verb you control."
  - "Add a number or a finished piece of work, so you will know when it is done."
  - "Set a deadline and a halfway check, and put both in your calendar."
script: >-
  By the end of March I will send ten short messages to people working in UX research and
  hold at least three conversations.
watch_out: >-
  Don't set a goal that depends on other people saying yes.
"""

GOOD = """---
id: sample-article
title: A sample article
stage: goals
topics: [goals]
industries: []
audience: [students]
summary: A short summary that is long enough to pass validation.
sources: ["George T. Doran (1981)"]
reviewed: 2026-11-25
""" + CARD + """---
# A sample article

""" + ("Some useful words about goals. " * 30)


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / "articles" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_valid_article_loads(tmp_path: Path) -> None:
    write(tmp_path, "goals/sample-article.md", GOOD)
    [article] = load_articles(tmp_path)
    assert article.id == "sample-article"
    assert article.meta.stage == "goals"
    assert len(article.content_hash) == 64


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("stage: goals", "stage: cooking"), "stage"),
        (("id: sample-article", "id: Sample Article"), "id"),
        (('sources: ["George T. Doran (1981)"]', "sources: []"), "sources"),
        (("reviewed: 2026-11-25", "reviewed: someday"), "reviewed"),
        (("industries: []", "industries: [astrology]"), "industries"),
        (("topics: [goals]\n", ""), "topics"),
    ],
)
def test_invalid_front_matter_names_file_and_field(
    tmp_path: Path, change: tuple[str, str], field: str
) -> None:
    write(tmp_path, "goals/sample-article.md", GOOD.replace(*change))
    with pytest.raises(KnowledgeError) as err:
        load_articles(tmp_path)
    assert "sample-article.md" in err.value.message
    assert field in err.value.message


def test_reader_defaults_to_mentee_and_is_checked(tmp_path: Path) -> None:
    """Whose side an article is on: the mentee's unless it says `reader: mentor`; the
    value goes into every chunk's metadata so retrieval can apply the reader rule."""
    write(tmp_path, "goals/sample-article.md", GOOD)
    [article] = load_articles(tmp_path)
    assert article.meta.reader == "mentee"
    assert {c.metadata["reader"] for c in chunk_article(article)} == {"mentee"}
    as_mentor = GOOD.replace("audience:", "reader: mentor\naudience:")
    write(tmp_path, "goals/sample-article.md", as_mentor)
    [article] = load_articles(tmp_path)
    assert article.meta.reader == "mentor"
    assert {c.metadata["reader"] for c in chunk_article(article)} == {"mentor"}
    write(tmp_path, "goals/sample-article.md", as_mentor.replace("mentor\n", "sponsor\n"))
    with pytest.raises(KnowledgeError, match="reader"):
        load_articles(tmp_path)


def test_new_stages_and_industries_load(tmp_path: Path) -> None:
    assert {"job-search", "workplace"} <= set(STAGES) == set(STAGE_LABELS)
    assert {"it-infrastructure", "games", "robotics-aerospace", "hospitality"} <= set(INDUSTRIES)
    text = GOOD.replace("stage: goals", "stage: workplace").replace(
        "industries: []", "industries: [hospitality, games]"
    )
    write(tmp_path, "workplace/sample-article.md", text)
    [article] = load_articles(tmp_path)
    assert article.meta.stage == "workplace"
    assert article.meta.industries == ["hospitality", "games"]
    write(tmp_path, "workplace/sample-article.md", text.replace("watch_out", "watchout"))
    with pytest.raises(KnowledgeError, match="watch"):
        load_articles(tmp_path)


def test_broken_yaml_and_missing_front_matter(tmp_path: Path) -> None:
    write(tmp_path, "goals/sample-article.md", GOOD.replace("topics: [goals]", "topics: [goals"))
    with pytest.raises(KnowledgeError, match="not valid YAML"):
        load_articles(tmp_path)
    write(tmp_path, "goals/sample-article.md", "# Just a heading\n\nNo front matter here.")
    with pytest.raises(KnowledgeError, match="no front matter"):
        load_articles(tmp_path)


def test_non_utf8_file_is_rejected_clearly(tmp_path: Path) -> None:
    write(tmp_path, "goals/sample-article.md", GOOD.replace("useful", "caf\xe9").encode("latin-1"))
    with pytest.raises(KnowledgeError, match="not UTF-8"):
        load_articles(tmp_path)


def test_huge_file_is_rejected_before_reading(tmp_path: Path) -> None:
    write(tmp_path, "goals/sample-article.md", GOOD + ("word " * 200_000))
    with pytest.raises(KnowledgeError, match="limit") as err:
        load_articles(tmp_path, max_bytes=256_000)
    assert "MENTOR_MAX_DOCUMENT_BYTES" in err.value.hint


def test_empty_directory_loads_nothing_and_missing_directory_errors(tmp_path: Path) -> None:
    assert load_articles(tmp_path) == []
    with pytest.raises(KnowledgeError, match="does not exist"):
        load_articles(tmp_path / "nope")


def test_id_must_match_file_and_folder_must_match_stage(tmp_path: Path) -> None:
    write(tmp_path, "goals/other-name.md", GOOD)
    with pytest.raises(KnowledgeError, match="file is named"):
        load_articles(tmp_path)
    (tmp_path / "articles/goals/other-name.md").unlink()
    write(tmp_path, "feedback/sample-article.md", GOOD)
    with pytest.raises(KnowledgeError, match="folder"):
        load_articles(tmp_path)


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    write(tmp_path, "goals/sample-article.md", GOOD)
    write(tmp_path, "goals/sample-article-2.md", GOOD.replace("title: A sample", "title: B"))
    # same id inside a differently named file fails on the name first; make the ids collide
    (tmp_path / "articles/goals/sample-article-2.md").unlink()
    write(tmp_path, "growth/sample-article.md", GOOD.replace("stage: goals", "stage: growth"))
    with pytest.raises(KnowledgeError, match="already used"):
        load_articles(tmp_path)


def test_chunks_are_token_bounded_and_keep_headings() -> None:
    article = parse_article(
        (KNOWLEDGE / "articles/goals/smart-goals.md").read_bytes(),
        Path("articles/goals/smart-goals.md"),
    )
    chunks = chunk_article(article, chunk_tokens=200, overlap=30)
    assert len(chunks) >= 3
    assert all(count_tokens(c.text) <= 200 for c in chunks)
    assert any(c.heading for c in chunks)
    assert {c.doc_id for c in chunks} == {"smart-goals"}
    assert all(c.metadata["stage"] == "goals" and c.metadata["title"] for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert chunks[0].embed_text.startswith(article.title)


def test_each_question_is_its_own_chunk_embedded_alone(tmp_path: Path) -> None:
    text = GOOD.replace(
        "sources:", 'questions:\n  - "how do i pick goals when everything feels vague?"\n'
        '  - "what makes a goal one I will actually stick to"\nsources:'
    )
    write(tmp_path, "goals/sample-article.md", text)
    [article] = load_articles(tmp_path)
    chunks = chunk_article(article)
    questions = [c for c in chunks if c.kind == "question"]
    assert [c.text for c in questions] == list(article.meta.questions)
    assert [c.embed_text for c in questions] == list(article.meta.questions)
    assert chunks[0].kind == "overview" and chunks[1].kind == "passage"
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))


def test_overlong_question_is_rejected(tmp_path: Path) -> None:
    text = GOOD.replace("sources:", f'questions: ["{"why " * 60}"]\nsources:')
    write(tmp_path, "goals/sample-article.md", text)
    with pytest.raises(KnowledgeError, match="questions"):
        load_articles(tmp_path)


# --- the knowledge base itself (issue: 70+ articles, 24+ scenarios) -------------------

ARTICLES = load_articles(KNOWLEDGE)
BY_ID = {a.id: a for a in ARTICLES}


def body_words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def test_every_article_validates_and_ids_titles_unique() -> None:
    assert len(ARTICLES) >= 70
    assert len({a.id for a in ARTICLES}) == len(ARTICLES)
    assert len({a.title.casefold() for a in ARTICLES}) == len(ARTICLES)


def test_every_article_lists_questions_in_a_mentees_words() -> None:
    """6–24 questions each (knowledge/README.md); none repeated between articles."""
    counts = Counter(q.casefold().strip(" ?") for a in ARTICLES for q in a.meta.questions)
    assert [a.id for a in ARTICLES if len(a.meta.questions) < 6] == []
    assert [q for q, n in counts.items() if n > 1] == []


def test_stage_and_industry_minimums() -> None:
    """At least 8 articles in every stage, the new ones (job-search, workplace) included."""
    per_stage = Counter(a.meta.stage for a in ARTICLES)
    for stage in STAGES:
        if stage != "industry":
            assert per_stage[stage] >= 8, stage
    industries = {i for a in ARTICLES if a.meta.stage == "industry" for i in a.meta.industries}
    assert len(industries) >= 19
    # issue 14: industry notes for IT/infrastructure, games, robotics/aerospace, hospitality
    assert {"it-infrastructure", "games", "robotics-aerospace", "hospitality"} <= industries


def test_mentor_side_articles_are_marked() -> None:
    """The paying-it-forward articles about mentoring or sponsoring others are written for
    the mentor's side; the rest of the library (peer mentoring, giving feedback to a
    colleague, sharing what you know) is for the mentee."""
    mentor_side = {a.id for a in ARTICLES if a.meta.reader == "mentor"}
    assert {
        "becoming-a-mentor", "grow-model", "mentor-boundaries", "sponsoring-others",
        "reverse-mentoring",
    } <= mentor_side  # fmt: skip
    assert {"peer-mentoring", "giving-feedback-well", "sharing-knowledge"}.isdisjoint(mentor_side)
    assert len(mentor_side) < len(ARTICLES) / 5


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.id)
def test_article_length_links_and_related(article: object) -> None:
    from assistant.knowledge import Article

    assert isinstance(article, Article)
    words = body_words(article.body)
    assert 400 <= words <= 1200, f"{article.id}: {words} words"
    for target in internal_links(article):
        resolved = KNOWLEDGE / resolve_link(article, target)
        assert resolved.is_file(), f"{article.id}: broken link {target}"
    for rel in article.meta.related:
        assert rel in BY_ID, f"{article.id}: related id {rel} does not exist"
    assert article.body.startswith("# ")


def test_scenarios_validate_and_cite_existing_articles() -> None:
    scenarios = load_scenarios(KNOWLEDGE, BY_ID)
    assert len(scenarios) >= 24
    assert len({s.id for s in scenarios}) == len(scenarios)
    assert len({s.category for s in scenarios}) >= 12


def scenario_data(**changes: object) -> dict[str, object]:
    import yaml

    data = yaml.safe_load((KNOWLEDGE / "scenarios" / "vague-be-more-strategic.yaml").read_text())
    data.update(changes)
    return data


def test_scenario_follow_ups_say_when_and_keep_an_any_fallback() -> None:
    from pydantic import ValidationError

    from assistant.knowledge import FOLLOW_UP_WHENS, Scenario

    assert set(FOLLOW_UP_WHENS) == {"vague", "defensive", "no_step", "no_question", "strong", "any"}
    ok = Scenario.model_validate(scenario_data())
    assert any(f.when == "any" for f in ok.follow_ups)
    bad_when = [{"when": "rude", "line": "Let's talk about it."}, {"when": "any", "line": "Go on."}]
    no_any = [{"when": "vague", "line": "What do you mean?"}, {"when": "strong", "line": "Good."}]
    for follow_ups in (bad_when, no_any, ["a plain string, as before", "another line here"]):
        with pytest.raises(ValidationError):
            Scenario.model_validate(scenario_data(follow_ups=follow_ups))
    for sample in ("Too short.", "x" * 1201, None):
        with pytest.raises(ValidationError):
            Scenario.model_validate(scenario_data(sample_reply=sample))


def test_every_scenario_has_a_sample_reply_and_follow_ups_for_kinds_of_reply() -> None:
    scenarios = load_scenarios(KNOWLEDGE, BY_ID)
    for s in scenarios:
        assert 40 <= len(s.sample_reply) <= 1200, s.id
        whens = [f.when for f in s.follow_ups]
        assert "any" in whens, s.id
        assert len(set(whens)) >= 3, f"{s.id}: follow-ups react to too few kinds of reply"
        assert len({f.line for f in s.follow_ups}) == len(s.follow_ups), s.id


def test_broken_scenario_names_file_and_field(tmp_path: Path) -> None:
    import yaml

    folder = tmp_path / "scenarios"
    folder.mkdir()
    data = scenario_data(follow_ups=[{"when": "vague", "line": "What do you mean by that?"}] * 2)
    (folder / "vague-be-more-strategic.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(KnowledgeError, match=r"vague-be-more-strategic.yaml.*follow_ups"):
        load_scenarios(tmp_path)


SHINGLE = 5
DUP_THRESHOLD = 0.5  # documented in knowledge/README.md
MIN_PARAGRAPH_WORDS = 25


def shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def test_no_near_duplicate_paragraphs_across_articles() -> None:
    paragraphs = []
    for a in ARTICLES:
        for para in re.split(r"\n\s*\n", a.body):
            if body_words(para) >= MIN_PARAGRAPH_WORDS:
                paragraphs.append((a.id, shingles(para)))
    offenders = []
    for (id1, s1), (id2, s2) in combinations(paragraphs, 2):
        if id1 == id2 or not s1 or not s2:
            continue
        jaccard = len(s1 & s2) / len(s1 | s2)
        if jaccard >= DUP_THRESHOLD:
            offenders.append((id1, id2, round(jaccard, 2)))
    assert not offenders, offenders


def test_near_duplicate_check_can_fail() -> None:
    para = "Write one short paragraph about what you want from a mentor and why them in particular."
    assert (
        len(shingles(para) & shingles(para + " Thanks."))
        / len(shingles(para) | shingles(para + " Thanks."))
        >= DUP_THRESHOLD
    )


# --- answer cards -------------------------------------------------------------------------

def test_a_valid_card_loads(tmp_path: Path) -> None:
    write(tmp_path, "goals/sample-article.md", GOOD)
    [article] = load_articles(tmp_path)
    assert len(article.meta.steps) == 3 and article.meta.script


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (("  - \"Set a deadline and a halfway check, and put both in your calendar.\"\n", ""),
         "steps", "3–6 steps"),
        (("put both in your calendar.", "then:"), "steps", "not a complete sentence"),
        (("Write the goal as", "You should write the goal as"), "steps", "as an instruction"),
        (("hold at least three conversations.", "hold at least three conversations like this:"),
         "script", "not a complete sentence"),
        (("hold at least three conversations.", "hold at least three…"), "script",
         "not a complete sentence"),
        (("Keep one to three goals at a time and check them halfway.", ""), "in_short",
         "words"),
        (("saying yes.", "saying yes. Or no. Or maybe."), "watch_out", "sentences"),
        (("check them halfway.", "check them [halfway](x.md)."), "in_short", "no links"),
    ],
)
def test_a_card_that_is_not_whole_is_rejected(
    tmp_path: Path, change: tuple[str, str], field: str, message: str
) -> None:
    assert change[0] in GOOD
    write(tmp_path, "goals/sample-article.md", GOOD.replace(*change))
    with pytest.raises(KnowledgeError) as err:
        load_articles(tmp_path)
    assert field in err.value.message and message in err.value.message


def test_scenarios_become_documents_with_a_card() -> None:
    docs = scenario_documents(KNOWLEDGE)
    assert len(docs) == len(list((KNOWLEDGE / "scenarios").glob("*.yaml")))
    for doc in docs:
        card = doc.card()
        assert card.kind == "scenario" and card.steps == tuple(
            " ".join(p.split()) for p in doc.scenario.strong_response
        )
        assert is_complete(card.in_short) and is_complete(card.watch_out)
        chunks = chunk_scenario(doc)
        assert chunks[0].kind == "scenario" and chunks[0].metadata["card"]
        assert {c.kind for c in chunks[1:]} == {"question"}
        assert all(c.doc_id == f"scenario:{doc.scenario.id}" for c in chunks)
        assert Card.from_json(chunks[0].metadata["card"]) == card


@pytest.mark.parametrize("field", ["in_short", "steps", "watch_out"])
def test_every_article_needs_a_card(tmp_path: Path, field: str) -> None:
    start = GOOD.index(f"{field}:")
    ends = [GOOD.find(k, start + 1) for k in ("script:", "watch_out:", "---\n#")]
    end = min(e for e in ends if e > 0)
    write(tmp_path, "goals/sample-article.md", GOOD[:start] + GOOD[end:])
    with pytest.raises(KnowledgeError, match=field):
        load_articles(tmp_path)


def test_every_article_has_a_whole_card_of_its_own_words() -> None:
    """Steps whole, script complete, and nothing copied from the article's opening (the
    part that speaks to a reader's thoughts and misled the old composer)."""
    from assistant.eval_answers import opening_sentences

    for article in load_articles(KNOWLEDGE):
        m = article.meta
        assert 3 <= len(m.steps) <= 6 and all(is_complete(s) for s in m.steps), article.id
        assert m.script is None or is_complete(m.script), article.id
        card = " ".join([m.in_short, *m.steps, m.script or "", m.watch_out])
        assert not [s for s in opening_sentences(article) if s in card], article.id
        assert "](" not in card, article.id
