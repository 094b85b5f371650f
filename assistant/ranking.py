"""Pure ranking functions for hybrid retrieval: fusion, grouping by article, diversity,
confidence and the tuned configuration. Plain functions over plain data, tested on small
fixed inputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from assistant.knowledge import applies_to

FusionMethod = Literal["rrf", "weighted", "dense", "bm25"]


@dataclass(frozen=True)
class FusionConfig:
    """Chosen on the dev split by `mentor eval retrieval --tune` (see evals/README.md)."""

    method: FusionMethod = "weighted"
    rrf_k: int = 60
    dense_weight: float = 0.6
    candidates: int = 40
    passages_per_doc: int = 3
    mmr_lambda: float = 0.85
    floor: float = 0.30  # on confidence_of(): below it, "no guidance found"
    confidence_bm25: float = 0.0  # weight of the (saturated) BM25 match in the confidence
    # How much less a passage's similarity counts in the confidence than a question's
    # (articles list questions in a mentee's words; a match on one is the surer sign).
    passage_margin: float = 0.0
    stage_boost: float = 1.08
    # An article's score sums its best `doc_hits` matches (questions or passages), the
    # j-th weighted hit_decay**j: several good matches beat one lucky one.
    hit_decay: float = 0.0
    doc_hits: int = 4
    question_weight: float = 1.0  # a match on one of an article's questions, vs a passage
    # Hints from the question (vocabulary.py), a boost and never a filter: an article
    # listing an industry the question names counts industry_boost times more, one for
    # other industries only other_industry_penalty times.
    industry_boost: float = 1.0
    other_industry_penalty: float = 1.0
    # Mentor-side articles (reader: mentor), for a question not about mentoring others.
    mentor_penalty: float = 1.0
    # Long posts (query.py): each part's weight, and how a chunk's score over the parts
    # adds up: part_mix of its best weighted part plus the rest of their weighted mean.
    title_weight: float = 0.7
    question_part_weight: float = 1.0
    situation_weight: float = 0.5
    part_mix: float = 0.5
    # A long post's confidence: this share of its best part's, plus the rest of the mean
    # over its parts. An in-scope post matches the library in every part, an off-topic
    # story at most in one: on dev, the mean alone separated them (off-topic at most
    # 0.427, in scope at least 0.485) where the best part alone did not (0.531 vs 0.498).
    confidence_max_share: float = 0.0
    floor_long: float = 0.30  # the floor for a long post's confidence
    # Just above the floor, an answer is labelled "closest guidance": the library covers
    # the question only partly. Chosen on dev (see evaluation.choose_closest).
    closest_margin: float = 0.0


def rrf_fuse(rankings: Sequence[Sequence[int]], k: int = 60) -> dict[int, float]:
    """Reciprocal rank fusion (Cormack et al., 2009) over lists of item indices."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    return scores


def weighted_fuse(
    dense: Mapping[int, float], sparse: Mapping[int, float], dense_weight: float
) -> dict[int, float]:
    """Convex combination of cosine similarity and max-normalised BM25 score."""
    top = max(sparse.values(), default=0.0)
    items = set(dense) | set(sparse)
    out = {}
    for i in items:
        s = sparse.get(i, 0.0) / top if top > 0 else 0.0
        out[i] = dense_weight * dense.get(i, 0.0) + (1.0 - dense_weight) * s
    return out


def mmr(
    relevance: Sequence[float], vectors: npt.NDArray[np.float32], k: int, lam: float
) -> list[int]:
    """Maximal marginal relevance (Carbonell & Goldstein, 1998): indices in chosen order."""
    n = len(relevance)
    if n == 0:
        return []
    rel = np.asarray(relevance, dtype=np.float64)
    span = rel.max() - rel.min()
    rel = (rel - rel.min()) / span if span > 0 else np.ones_like(rel)
    sims = vectors @ vectors.T
    chosen: list[int] = [int(np.argmax(rel))]
    while len(chosen) < min(k, n):
        rest = [i for i in range(n) if i not in chosen]
        redundancy = sims[np.ix_(rest, chosen)].max(axis=1)
        scores = lam * rel[rest] - (1 - lam) * redundancy
        chosen.append(rest[int(np.argmax(scores))])
    return chosen


@dataclass(frozen=True)
class ChunkRow:
    chunk_id: str
    doc_id: str
    title: str
    stage: str
    path: str
    heading: str
    text: str
    industries: str
    general: bool
    kind: str = "passage"  # passage | overview | question (see knowledge.ChunkKind)
    reader: str = "mentee"  # mentee | mentor (see knowledge.Reader)

    @property
    def shown(self) -> bool:
        """Whether the chunk can be shown as a passage (questions only help matching)."""
        return self.kind != "question"


def group_by_document(
    ranked: Sequence[tuple[int, float]], rows: Sequence[ChunkRow], passages_per_doc: int
) -> list[tuple[str, list[tuple[int, float]]]]:
    """Ordered (doc_id, [(row, score)…]) keeping each document's best passages."""
    order: list[str] = []
    best: dict[str, list[tuple[int, float]]] = {}
    for idx, score in ranked:
        doc = rows[idx].doc_id
        if doc not in best:
            best[doc] = []
            order.append(doc)
        if len(best[doc]) < passages_per_doc:
            best[doc].append((idx, score))
    return [(d, best[d]) for d in order]


def document_score(hits: Sequence[tuple[int, float]], decay: float, n: int) -> float:
    """An article's score: its best match, plus decaying credit for its next ones."""
    return sum(score * decay**j for j, (_, score) in enumerate(hits[:n]))


def row_allowed(row: ChunkRow, stage: str | None, industry: str | None) -> bool:
    if stage and row.stage != stage:
        return False
    return applies_to(row.industries.split("|"), industry)


def confidence_of(
    passage_cosine: float, question_cosine: float, bm25_top: float, cfg: FusionConfig
) -> float:
    """How well the knowledge base matches the question.

    The best cosine similarity to an article's listed questions or (less `passage_margin`)
    to a passage, plus a small, saturating credit for a strong keyword (BM25) match. The
    margin, the credit's weight and the floor are chosen on the dev split.
    """
    cosine = max(question_cosine, passage_cosine - cfg.passage_margin)
    return cosine + cfg.confidence_bm25 * min(bm25_top / 10.0, 1.0)


def default_fusion_config(settings: Any = None) -> FusionConfig:
    """The tuned configuration (assistant/tuned_fusion.json, written by
    `mentor eval retrieval --tune`), with MENTOR_RELEVANCE_FLOOR as an override (of the
    floor for short questions and for long posts alike)."""
    import json
    from pathlib import Path

    cfg = FusionConfig()
    tuned = Path(__file__).with_name("tuned_fusion.json")
    if tuned.is_file():
        data = json.loads(tuned.read_text(encoding="utf-8"))
        allowed = {k: v for k, v in data.items() if k in FusionConfig.__dataclass_fields__}
        cfg = replace(cfg, **allowed)
    floor = getattr(settings, "relevance_floor", None)
    if floor is not None:
        cfg = replace(cfg, floor=float(floor), floor_long=float(floor))
    return cfg


def combine_parts(
    part_scores: Sequence[Mapping[int, float]], weights: Sequence[float], mix: float
) -> dict[int, float]:
    """One score per chunk over a long post's parts: `mix` of its best weighted part score
    plus (1 - mix) of the weighted mean over all parts (a part that missed it adds 0), so
    a chunk matching the question counts most and one matching several parts beats one
    matching a single part equally well."""
    total = sum(weights) or 1.0
    items = set().union(*part_scores) if part_scores else set()
    out: dict[int, float] = {}
    for i in items:
        vals = [w * s.get(i, 0.0) for s, w in zip(part_scores, weights, strict=True)]
        out[i] = mix * max(vals) + (1.0 - mix) * sum(vals) / total
    return out


def hint_factor(
    row: ChunkRow,
    cfg: FusionConfig,
    *,
    stages: Sequence[str],
    industries: Sequence[str],
    mentor_side: bool,
) -> float:
    """How much a chunk's score is raised or lowered by the question's hints: the stage it
    names, the industries it names (a boost, never a filter) and whose side it asks from."""
    factor = cfg.stage_boost if row.stage in stages else 1.0
    if industries:
        listed = [i for i in row.industries.split("|") if i]
        if any(i in listed for i in industries):
            factor *= cfg.industry_boost
        elif listed:
            factor *= cfg.other_industry_penalty
    if row.reader == "mentor" and not mentor_side:
        factor *= cfg.mentor_penalty
    return factor
