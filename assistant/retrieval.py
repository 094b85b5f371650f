"""Hybrid retrieval: dense search in Chroma plus BM25 (bm25s), fused into one ranking.

Steps for one query: infer filters → dense candidates (Chroma) and BM25 candidates (bm25s,
index built once per retriever) → fusion (reciprocal rank or weighted score) → one result
per document with its best passages → a diversity step (maximal marginal relevance) → a
relevance floor that turns weak matches into an explicit "no guidance found".

The pure parts (fusion, grouping, MMR, the floor, filter inference) are plain functions so
they can be tested on small fixed inputs.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from assistant.embeddings import Embedder
from assistant.errors import IndexError_
from assistant.knowledge import INDUSTRIES, STAGES, Card
from assistant.query import split_post
from assistant.ranking import (
    ChunkRow,
    FusionConfig,
    FusionMethod,
    combine_parts,
    confidence_of,
    document_score,
    group_by_document,
    hint_factor,
    mmr,
    row_allowed,
    rrf_fuse,
    weighted_fuse,
)
from assistant.results import Filters, Passage, Result, Retrieval, _filters

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection


# --- the retriever ------------------------------------------------------------------


class HybridRetriever:
    """Dense (Chroma) + BM25 (bm25s) retrieval over the active index collection.

    Loads the collection's chunks once (texts, metadata and vectors) and builds the BM25
    index once; queries never rebuild it.
    """

    def __init__(
        self,
        collection: Collection,
        embedder: Embedder,
        config: FusionConfig | None = None,
    ) -> None:
        import bm25s

        from assistant.text import stemmer

        self.collection = collection
        self.embedder = embedder
        self.config = config or FusionConfig()
        from assistant.vectorstore import get_pages

        ids: list[str] = []
        metas: list[Any] = []
        docs: list[Any] = []
        vectors: list[Any] = []
        for page in get_pages(collection, ["documents", "metadatas", "embeddings"]):
            ids.extend(page["ids"])
            metas.extend(page["metadatas"] or [])
            docs.extend(page["documents"] or [])
            vectors.append(np.asarray(page["embeddings"], dtype=np.float32))
        if not ids:
            raise IndexError_("The knowledge index is empty.", "Run `mentor index`.")
        self.rows: list[ChunkRow] = [
            ChunkRow(
                chunk_id=cid,
                doc_id=str(m["doc_id"]),
                title=str(m["title"]),
                stage=str(m["stage"]),
                path=str(m["path"]),
                heading=str(m.get("heading", "")),
                text=str(t),
                industries=str(m.get("industries", "||")),
                general=bool(m.get("general", False)),
                kind=str(m.get("kind", "passage")),
                # An index built before the field existed: every article was the mentee's.
                reader=str(m.get("reader", "mentee")),
            )
            for cid, m, t in zip(ids, metas, docs, strict=True)
        ]
        # Each document's answer card (on its first chunk's metadata).
        self.cards: dict[str, Card] = {}
        for m in metas:
            if m.get("card") and (card := Card.from_json(m["card"])) is not None:
                self.cards[str(m["doc_id"])] = card
        # Each article's showable chunks, for when only its questions matched a query.
        self._shown_rows: dict[str, list[int]] = {}
        for i, r in enumerate(self.rows):
            if r.shown:
                self._shown_rows.setdefault(r.doc_id, []).append(i)
        self.position = {cid: i for i, cid in enumerate(ids)}
        self.vectors: npt.NDArray[np.float32] = np.concatenate(vectors).astype(np.float32)
        self._masks: dict[tuple[str | None, str | None], npt.NDArray[np.bool_]] = {}
        self._stemmer = stemmer()
        self._bm25 = bm25s.BM25()
        corpus = [
            r.text if r.kind == "question" else f"{r.title} {r.heading} {r.text}" for r in self.rows
        ]
        tokens = bm25s.tokenize(
            corpus, stopwords="en", stemmer=self._stemmer, return_ids=False, show_progress=False
        )
        self._bm25.index(tokens, show_progress=False)
        self._vocab: set[str] = set(self._bm25.vocab_dict)
        self._lock = threading.Lock()
        self._memo: dict[tuple[Any, ...], Any] | None = None

    # The pieces are public so the eval can score each retriever on its own.

    def mask(self, stage: str | None, industry: str | None) -> npt.NDArray[np.bool_]:
        """Which chunks a filter allows; computed once per filter and kept."""
        key = (stage, industry)
        if key not in self._masks:
            self._masks[key] = np.array([row_allowed(r, stage, industry) for r in self.rows])
        return self._masks[key]

    def dense_scores(
        self, qvec: npt.NDArray[np.float32], n: int, stage: str | None, industry: str | None
    ) -> dict[int, float]:
        """Nearest chunks by cosine similarity.

        Unfiltered queries go to Chroma's HNSW index. Filters are applied here, not as a
        Chroma `where` (which scans metadata and grows with the corpus: ~300 ms at 100k
        chunks): Chroma is asked for more candidates and the disallowed ones dropped; if too
        few remain, an exact search over the allowed vectors in memory takes over.
        """
        filtered = bool(stage or industry)
        ask = min(n * 4 if filtered else n, len(self.rows))
        res = self.collection.query(
            query_embeddings=[qvec.tolist()], n_results=ask, include=["distances"]
        )
        out: dict[int, float] = {}
        allowed = self.mask(stage, industry) if filtered else None
        for cid, dist in zip(res["ids"][0], (res["distances"] or [[]])[0], strict=True):
            i = self.position.get(cid)
            if i is not None and (allowed is None or allowed[i]):
                out[i] = 1.0 - float(dist)
        if allowed is not None and len(out) < min(n, int(allowed.sum())):
            idx = np.flatnonzero(allowed)
            sims = self.vectors[idx] @ qvec
            top = np.argpartition(-sims, min(n, len(idx)) - 1)[: min(n, len(idx))]
            out = {int(idx[t]): float(sims[t]) for t in top}
        return dict(sorted(out.items(), key=lambda kv: -kv[1])[:n])

    def bm25_array(
        self, query: str, stage: str | None, industry: str | None
    ) -> npt.NDArray[np.float64] | None:
        """BM25 score of every chunk for the query (None when no query word is indexed)."""
        import bm25s

        key = ("bm25", query, stage, industry)
        if self._memo is not None and key in self._memo:
            cached: npt.NDArray[np.float64] | None = self._memo[key]
            return cached
        tokens = bm25s.tokenize(
            [query], stopwords="en", stemmer=self._stemmer, return_ids=False, show_progress=False
        )[0]
        tokens = [t for t in tokens if t in self._vocab]
        scores: npt.NDArray[np.float64] | None = None
        if tokens:
            with self._lock:
                scores = np.asarray(self._bm25.get_scores(tokens), dtype=np.float64)
            if stage or industry:
                scores = np.where(self.mask(stage, industry), scores, 0.0)
        if self._memo is not None:
            self._memo[key] = scores
        return scores

    def bm25_scores(
        self,
        query: str,
        n: int,
        stage: str | None,
        industry: str | None,
        scores: npt.NDArray[np.float64] | None = None,
    ) -> dict[int, float]:
        """The n best chunks by BM25 (from `scores`, bm25_array's, when given)."""
        if scores is None:
            scores = self.bm25_array(query, stage, industry)
        if scores is None:
            return {}
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    def remember(self) -> None:
        """Keep each part's candidates for the life of this retriever and its clones (the
        eval runs the same questions under many settings); never used when serving."""
        self._memo = {}

    def retrieve(
        self,
        query: str,
        k: int = 5,
        stage: str | None = None,
        industry: str | None = None,
        *,
        method: FusionMethod | None = None,
        qvec: npt.NDArray[np.float32] | None = None,
        part_vecs: Sequence[npt.NDArray[np.float32]] | None = None,
    ) -> Retrieval:
        """Search one question or post. A long post is split into its parts (query.py),
        each part searched on its own (dense and BM25) and the scores fused; ``qvec``
        (short question) or ``part_vecs`` (one per part) skip embedding."""
        cfg = self.config
        method = method or cfg.method
        if stage is not None and stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}")
        if industry is not None and industry not in INDUSTRIES:
            raise ValueError(f"unknown industry {industry!r}")
        plan = split_post(query[:2000])
        query = plan.text
        filters = _filters(plan, stage, industry)
        roles = tuple(p.role for p in plan.parts)
        if not plan.parts:
            return Retrieval(query, [], True, 0.0, filters, "empty question")
        if part_vecs is None:
            if len(plan.parts) == 1:
                part_vecs = [qvec if qvec is not None else self.embedder.embed_query(query)]
            else:
                part_vecs = list(self.embedder.embed_documents([p.text for p in plan.parts]))
        cand, scored, confidences = self._score_parts(plan, part_vecs, method, stage, industry)
        if not cand:
            return Retrieval(query, [], True, 0.0, filters, "no matching passages", parts=roles)
        fused, confidence, floor = self._fuse_parts(scored, confidences, roles)
        fused = self._adjust(fused, filters)
        if confidence < floor:
            return Retrieval(
                query, [], True, confidence, filters, "below the relevance floor",
                parts=roles, part_confidences=tuple(confidences),
            )  # fmt: skip
        # The passages shown are the ones closest to what is asked.
        ask_vec = next(
            (v for r, v in zip(roles, part_vecs, strict=True) if r in ("whole", "question")),
            part_vecs[0],
        )
        return Retrieval(
            query,
            self._results(fused, ask_vec, k),
            False,
            confidence,
            filters,
            closest=confidence < floor + cfg.closest_margin,
            parts=roles,
            part_confidences=tuple(confidences),
        )

    def _score_parts(
        self,
        plan: Any,
        part_vecs: Sequence[npt.NDArray[np.float32]],
        method: FusionMethod,
        stage: str | None,
        industry: str | None,
    ) -> tuple[list[int], list[dict[int, float]], list[float]]:
        """Each part's fused chunk scores and confidence, over every part's candidates."""
        cfg = self.config
        # Each part's BM25 scores over every chunk, once: its candidates come from them, and
        # a long post's parts are scored on every part's candidates.
        full_bm25 = [
            self.bm25_array(p.text, stage, industry) if method != "dense" else None
            for p in plan.parts
        ]
        found = [
            self._candidates(p.text, v, method, stage, industry, b)
            for p, v, b in zip(plan.parts, part_vecs, full_bm25, strict=True)
        ]
        cand = sorted(set().union(*(set(d) | set(s) for d, s in found)))
        if not cand:
            return [], [], []
        scored: list[dict[int, float]] = []
        confidences: list[float] = []
        long = len(plan.parts) > 1
        for (dense, sparse), full, v in zip(found, full_bm25, part_vecs, strict=True):
            # Exact cosine for every candidate (BM25-only ones and other parts' included).
            dense_all = {i: float(c) for i, c in zip(cand, self.vectors[cand] @ v, strict=True)}
            if long and full is not None:
                sparse = {i: float(full[i]) for i in cand if full[i] > 0}
            scored.append(self._method_scores(method, dense, sparse, dense_all))
            confidences.append(
                confidence_of(
                    max((c for i, c in dense_all.items() if self.rows[i].shown), default=0.0),
                    max((c for i, c in dense_all.items() if not self.rows[i].shown), default=0.0),
                    max(sparse.values(), default=0.0),
                    cfg,
                )
            )
        return cand, scored, confidences

    def _fuse_parts(
        self, scored: list[dict[int, float]], confidences: list[float], roles: tuple[str, ...]
    ) -> tuple[dict[int, float], float, float]:
        """A long post's parts fused into one score per chunk, its confidence and floor;
        a short question's own scores and the short floor."""
        cfg = self.config
        long = len(roles) > 1
        weight = {
            "whole": 1.0,
            "title": cfg.title_weight,
            "question": cfg.question_part_weight,
            "situation": cfg.situation_weight,
        }
        if long:
            fused = combine_parts(scored, [weight[r] for r in roles], cfg.part_mix)
            share = cfg.confidence_max_share
            mean = sum(confidences) / len(confidences)
            confidence, floor = share * max(confidences) + (1 - share) * mean, cfg.floor_long
        else:
            fused, confidence, floor = scored[0], confidences[0], cfg.floor
        return fused, confidence, floor

    def _candidates(
        self,
        query: str,
        qvec: npt.NDArray[np.float32],
        method: FusionMethod,
        stage: str | None,
        industry: str | None,
        bm25: npt.NDArray[np.float64] | None = None,
    ) -> tuple[dict[int, float], dict[int, float]]:
        n = self.config.candidates
        dense: dict[int, float] = {}
        if method != "bm25":
            key = ("dense", query, n, stage, industry)
            if self._memo is not None and key in self._memo:
                dense = self._memo[key]
            else:
                dense = self.dense_scores(qvec, n, stage, industry)
                if self._memo is not None:
                    self._memo[key] = dense
        sparse = self.bm25_scores(query, n, stage, industry, bm25) if method != "dense" else {}
        return dense, sparse

    def _method_scores(
        self,
        method: FusionMethod,
        dense: dict[int, float],
        sparse: dict[int, float],
        dense_all: dict[int, float],
    ) -> dict[int, float]:
        """One score per candidate chunk by the chosen fusion."""
        cfg = self.config
        if method == "dense":
            return dict(dense)
        if method == "bm25":
            return dict(sparse)
        if method == "rrf":
            d_rank = sorted(dense, key=lambda i: -dense[i])
            s_rank = sorted(sparse, key=lambda i: -sparse[i])
            return rrf_fuse([d_rank, s_rank], cfg.rrf_k)
        return weighted_fuse(dense_all, sparse, cfg.dense_weight)

    def _adjust(self, fused: dict[int, float], filters: Filters) -> dict[int, float]:
        """The question weight and the hints (stage, industries, whose side) in one pass."""
        cfg = self.config
        out: dict[int, float] = {}
        for i, s in fused.items():
            row = self.rows[i]
            factor = hint_factor(
                row,
                cfg,
                stages=filters.stages,
                industries=filters.industries,
                mentor_side=filters.mentor_side,
            )
            if factor > 0:  # a penalty of 0 is a filter: the chunk is dropped
                out[i] = s * factor * (cfg.question_weight if row.kind == "question" else 1.0)
        return out

    def _results(
        self, fused: dict[int, float], qvec: npt.NDArray[np.float32], k: int
    ) -> list[Result]:
        """One result per article, diverse (MMR), each with its best showable passages."""
        cfg = self.config
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])
        groups = group_by_document(ranked, self.rows, max(cfg.passages_per_doc, cfg.doc_hits))
        if cfg.hit_decay:
            groups.sort(key=lambda g: -document_score(g[1], cfg.hit_decay, cfg.doc_hits))
        pool = groups[: max(k * 3, k)]
        shown = dict(
            group_by_document(
                [(i, s) for i, s in ranked if self.rows[i].shown], self.rows, cfg.passages_per_doc
            )
        )
        rel = [g[1][0][1] for g in pool]
        vecs = self.vectors[[g[1][0][0] for g in pool]]
        order = (
            mmr(rel, vecs, k, cfg.mmr_lambda)
            if cfg.mmr_lambda < 1.0
            else list(range(min(k, len(pool))))
        )
        results = []
        for gi in order:
            doc_id, hits = pool[gi]
            first = self.rows[hits[0][0]]
            passages = list(shown.get(doc_id, []))
            if len(passages) < cfg.passages_per_doc:
                passages += self.closest_shown(
                    doc_id,
                    qvec,
                    fused,
                    cfg.passages_per_doc - len(passages),
                    exclude={i for i, _ in passages},
                )
            results.append(
                Result(
                    doc_id=doc_id,
                    title=first.title,
                    stage=first.stage,
                    path=first.path,
                    score=hits[0][1],
                    passages=tuple(
                        Passage(self.rows[i].chunk_id, self.rows[i].text, self.rows[i].heading, s)
                        for i, s in passages
                    ),
                    card=self.cards.get(doc_id),
                )
            )
        return results

    def closest_shown(
        self,
        doc_id: str,
        qvec: npt.NDArray[np.float32],
        fused: Mapping[int, float],
        n: int,
        exclude: set[int],
    ) -> list[tuple[int, float]]:
        """The article's n passages closest to the query, besides those it already shows:
        an article found through its questions, or through one passage, still shows the
        parts of it that answer the question (its steps, not only its opening)."""
        rows = [i for i in self._shown_rows[doc_id] if i not in exclude]
        if not rows or n <= 0:
            return []
        order = np.argsort(-(self.vectors[rows] @ qvec))[:n]
        return [(rows[int(j)], fused.get(rows[int(j)], 0.0)) for j in order]

    def with_config(self, **changes: Any) -> HybridRetriever:
        """A retriever sharing this one's loaded index, with other settings (for tuning)."""
        clone = object.__new__(HybridRetriever)
        clone.__dict__.update(self.__dict__)
        clone.config = replace(self.config, **changes)
        return clone
