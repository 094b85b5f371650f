"""Hybrid retrieval: pure ranking pieces on fixed inputs, and the real knowledge base."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.ranking import (
    ChunkRow,
    FusionConfig,
    confidence_of,
    document_score,
    group_by_document,
    mmr,
    row_allowed,
    rrf_fuse,
    weighted_fuse,
)
from assistant.vocabulary import infer_filters


def test_rrf_rewards_agreement() -> None:
    scores = rrf_fuse([[1, 2, 3], [3, 1, 4]], k=60)
    assert max(scores, key=scores.__getitem__) == 1  # ranks 1 and 2
    assert scores[1] == pytest.approx(1 / 61 + 1 / 62)
    assert scores[4] == pytest.approx(1 / 63)


def test_weighted_fusion_normalises_bm25() -> None:
    fused = weighted_fuse({1: 0.9, 2: 0.5}, {2: 20.0, 3: 10.0}, dense_weight=0.5)
    assert fused[2] == pytest.approx(0.5 * 0.5 + 0.5 * 1.0)
    assert fused[3] == pytest.approx(0.5 * 0.5)
    assert fused[1] == pytest.approx(0.45)


def test_mmr_skips_a_near_duplicate() -> None:
    v = np.array([[1, 0, 0], [0.999, 0.04, 0], [0, 1, 0]], dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    assert mmr([1.0, 0.95, 0.8], v, k=2, lam=0.5) == [0, 2]
    assert mmr([1.0, 0.95, 0.8], v, k=2, lam=1.0) == [0, 1]


def row(doc: str, stage: str = "goals", industries: str = "||") -> ChunkRow:
    return ChunkRow(
        f"{doc}::0", doc, doc.title(), stage, f"{doc}.md", "", "t", industries, industries == "||"
    )


def test_grouping_keeps_best_passages_per_document() -> None:
    rows = [row("a"), row("a"), row("b"), row("a")]
    groups = group_by_document([(0, 0.9), (2, 0.8), (1, 0.7), (3, 0.6)], rows, 2)
    assert [g[0] for g in groups] == ["a", "b"]
    assert [i for i, _ in groups[0][1]] == [0, 1]


def test_document_score_adds_decaying_credit_for_further_matches() -> None:
    hits = [(0, 0.8), (1, 0.5), (2, 0.4), (3, 0.1)]
    assert document_score(hits, 0.0, 4) == pytest.approx(0.8)
    assert document_score(hits, 0.5, 2) == pytest.approx(0.8 + 0.25)
    assert document_score(hits, 0.5, 4) == pytest.approx(0.8 + 0.25 + 0.1 + 0.0125)
    # two good matches outrank one slightly better lucky one
    assert document_score([(0, 0.7), (1, 0.6)], 0.5, 4) > document_score([(2, 0.75)], 0.5, 4)


def test_filters_keep_general_articles_for_an_industry() -> None:
    assert row_allowed(row("a"), None, "healthcare")
    assert row_allowed(row("h", "industry", "|healthcare|"), None, "healthcare")
    assert not row_allowed(row("l", "industry", "|law|"), None, "healthcare")
    assert not row_allowed(row("a", "goals"), "feedback", None)


@pytest.mark.parametrize(
    ("query", "stage", "industry"),
    [
        ("how do nurses find a mentor", "finding-mentors", "healthcare"),
        ("my manager criticised my work", "feedback", None),
        ("cold email to a lawyer at a law firm", "outreach", "law"),
        ("what should I do with my life", None, None),
        # whole words, not substrings: a tutorial is not a tutor, luxury is not UX
        ("stuck in tutorial hell", None, None),
        ("is a luxury goods job worth it", None, None),
        ("I emailed two journalists", "outreach", "creative-arts"),  # stems still match
    ],
)
def test_filters_are_inferred_from_the_question(
    query: str, stage: str | None, industry: str | None
) -> None:
    assert infer_filters(query) == (stage, industry)


def test_floor_uses_cosine_and_a_capped_keyword_credit() -> None:
    cfg = FusionConfig(confidence_bm25=0.1)
    assert confidence_of(0.3, 0.0, 50.0, cfg) == pytest.approx(0.4)
    assert confidence_of(0.3, 0.0, 0.0, cfg) == pytest.approx(0.3)
    # a question match counts in full; a passage match less the margin
    cfg = FusionConfig(passage_margin=0.1)
    assert confidence_of(0.5, 0.35, 0.0, cfg) == pytest.approx(0.4)
    assert confidence_of(0.4, 0.35, 0.0, cfg) == pytest.approx(0.35)


# --- the real knowledge base ----------------------------------------------------------

CANONICAL = [
    ("how do I write a SMART goal for my career", "smart-goals"),
    ("what should my LinkedIn connection note say, it has a character limit", "linkedin-note"),
    ("my manager says I need to be more strategic but won't say what that means", "vague-feedback"),
    ("I feel like a fraud and everyone will find out I don't belong", "imposter-feelings"),
    ("what is it like to work in cybersecurity and how do I get in", "industry-cybersecurity"),
    ("how do I use the situation behaviour impact model", "sbi-model"),
]


@pytest.mark.parametrize(("query", "expected"), CANONICAL)
def test_canonical_questions_find_their_article_first(
    full_runtime, query: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    found = full_runtime.retriever().retrieve(query, k=5)
    assert not found.rejected
    assert found.results[0].doc_id == expected, [r.doc_id for r in found.results]
    assert len({r.doc_id for r in found.results}) == len(found.results)  # one per document


@pytest.mark.parametrize(
    "query",
    [
        "best recipe for lasagna",
        "who won the football last night",
        "how do i factory reset my iphone",
    ],
)
def test_out_of_scope_questions_get_no_guidance(full_runtime, query: str) -> None:  # type: ignore[no-untyped-def]
    found = full_runtime.retriever().retrieve(query)
    assert found.rejected and found.results == []


def test_an_articles_own_questions_find_it_and_are_never_shown(full_runtime) -> None:  # type: ignore[no-untyped-def]
    """Questions are indexed for matching only: results show the article's passages."""
    r = full_runtime.retriever()
    question_ids = {row.chunk_id for row in r.rows if row.kind == "question"}
    assert question_ids
    hits = 0
    articles = sorted({row.doc_id for row in r.rows})
    for doc in articles:
        asked = next(row.text for row in r.rows if row.doc_id == doc and row.kind == "question")
        found = r.retrieve(asked, k=5)
        hits += doc in [x.doc_id for x in found.results]
        shown = {p.chunk_id for x in found.results for p in x.passages}
        assert shown and not shown & question_ids, asked
    assert hits >= 0.9 * len(articles)


def test_dense_search_matches_an_exact_search_on_the_real_knowledge_base(full_runtime) -> None:  # type: ignore[no-untyped-def]
    """Chroma's HNSW graph is built wide enough (index.HNSW) that its nearest chunks are
    the exact nearest ones here; at Chroma's defaults some differed, build to build."""
    r = full_runtime.retriever()
    queries = [row.text for row in r.rows if row.kind == "question"][::25]
    assert len(queries) >= 60
    vecs = np.asarray(r.embedder.embed_documents(queries), dtype=np.float32)
    n = r.config.candidates
    for query, qvec in zip(queries, vecs, strict=True):
        exact = set(np.argsort(-(r.vectors @ qvec))[:n].tolist())
        assert set(r.dense_scores(qvec, n, None, None)) == exact, query


def test_a_match_on_a_question_alone_shows_the_closest_passage(
    tmp_path: Path, small_kb: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    from assistant.runtime import Runtime
    from tests.support import make_settings

    path = small_kb / "articles/goals/smart-goals.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("\nsources:", '\nquestions: ["zorblax quandary for my plans"]\nsources:', 1),
        encoding="utf-8",
    )
    rt = Runtime(make_settings(tmp_path, small_kb))
    rt.__dict__["embedder"] = embedder
    rt.index()
    found = rt.retriever().with_config(floor=-1.0).retrieve("zorblax", k=3, method="bm25")
    [result] = found.results  # only the question contains the word
    assert result.doc_id == "smart-goals"
    # its closest passages instead, up to passages_per_doc of them, never the question
    assert len(result.passages) == rt.retriever().config.passages_per_doc == 3
    for passage in result.passages:
        assert passage.heading != "Questions this article answers"
        assert "zorblax" not in passage.text and passage.text


def test_explicit_filters(full_runtime) -> None:  # type: ignore[no-untyped-def]
    r = full_runtime.retriever()
    found = r.retrieve("how do I find a mentor", k=5, stage="finding-mentors")
    assert found.results and all(x.stage == "finding-mentors" for x in found.results)
    found = r.retrieve("what is the work like day to day", k=8, industry="law")
    industries = {x.doc_id for x in found.results if x.stage == "industry"}
    assert industries <= {"industry-law"}


def test_cli_search_json_and_batch(full_runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = {"MENTOR_DATA_DIR": str(full_runtime.settings.data_dir), "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-m", "assistant.cli", "search"]
    res = subprocess.run(
        [*cmd, "how do I follow up after no reply", "--json", "-k", "3"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(res.stdout)
    assert len(data) == 3
    assert {"doc_id", "title", "stage", "path", "score", "text"} <= set(data[0])
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"query": "how to set goals"}\nnot json\n{"query": "lasagna recipe"}\n')
    res = subprocess.run(
        [*cmd, "--batch", str(batch)], env=env, capture_output=True, text=True, check=True
    )
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert lines[0]["rejected"] is False and lines[0]["results"]
    assert "error" in lines[1]
    assert lines[2]["rejected"] is True and lines[2]["results"] == []
    bad = subprocess.run([*cmd, "x", "--stage", "nope"], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "Unknown stage" in bad.stderr and "Traceback" not in bad.stderr


SNAPSHOT_QUERIES = [
    "how do I ask someone to be my mentor?",
    "I froze when my manager criticised me in front of everyone",
    "what is working in healthcare like for a new graduate",
]


def test_retrieved_context_snapshot(full_runtime) -> None:  # type: ignore[no-untyped-def]
    """What the model would be given for a few canonical questions. A change in chunking,
    fusion or the knowledge base shows up here in review (UPDATE_SNAPSHOTS=1 to accept)."""
    from tests.support import check_snapshot as check

    r = full_runtime.retriever()
    context = {
        q: [[res.doc_id, [p.chunk_id for p in res.passages]] for res in r.retrieve(q).results]
        for q in SNAPSHOT_QUERIES
    }
    check("retrieved-context.json", context)
