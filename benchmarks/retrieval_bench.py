"""Retrieval latency benchmark: one HybridRetriever.retrieve() call on the real knowledge base
and on synthetic corpora (10k and 100k chunks by default), next to a brute-force NumPy floor.

The synthetic corpora are built without embedding: texts are random combinations of real
sentences (so BM25 sees realistic words) and each vector is a real chunk's vector plus noise,
normalise(real + 0.5 * random unit vector), so the dense search sees realistic geometry.
Everything runs offline in a temporary directory. Figures are printed, never asserted.

Long posts (evals/retrieval/long_questions.jsonl) are timed too, with and without the
embedding of their parts (query.py splits them before they are embedded).

    .venv/bin/python benchmarks/retrieval_bench.py [--sizes 10000,100000] [--queries 100] \
        [--long 60]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from unittest import mock

import bm25s
import numpy as np
import numpy.typing as npt

from assistant.config import REPO_ROOT, Settings
from assistant.embeddings import LocalOnnxEmbedder
from assistant.index import build_index
from assistant.knowledge import STAGES
from assistant.query import split_post
from assistant.ranking import ChunkRow, default_fusion_config
from assistant.retrieval import HybridRetriever
from assistant.vectorstore import HNSW, active_collection, open_chroma
from assistant.vocabulary import infer_filters

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import Metadata

KNOWLEDGE = REPO_ROOT / "knowledge"
QUESTIONS = REPO_ROOT / "evals" / "retrieval" / "questions.jsonl"
LONG_POSTS = REPO_ROOT / "evals" / "retrieval" / "long_questions.jsonl"
LONG_GOAL_MS = 50.0  # p95 at 10k chunks, splitting included, plus the parts' embedding
DIM = 384
ADD_BATCH = 5000
CHUNKS_PER_DOC = 10
NOISE = 0.5
K = 5  # results per retrieve() call
GOALS_MS: dict[int, float] = {10_000: 50.0, 100_000: 150.0}  # p95 incl. query embedding
GET_PAGE = 10_000  # rows per page in PagedGetCollection

Vectors = npt.NDArray[np.float32]
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass
class Latency:
    """Per-call seconds."""

    samples: list[float] = field(default_factory=list)

    def p(self, q: float) -> float:
        """Percentile q in milliseconds."""
        return float(np.percentile(np.asarray(self.samples), q)) * 1000.0 if self.samples else 0.0


@dataclass
class CorpusResult:
    name: str
    chunks: int
    goal_ms: float | None
    build: dict[str, float] = field(default_factory=dict)  # seconds
    memory_mb: dict[str, float] = field(default_factory=dict)
    lat: dict[str, Latency] = field(default_factory=dict)
    bm25_same_object: bool = True
    bm25_index_calls: int = 0
    bm25_id: int = 0
    queries_run: int = 0
    notes: list[str] = field(default_factory=list)


# --- measuring ----------------------------------------------------------------------------


def vmrss_mb() -> float:
    """Current resident set size (VmRSS) in MB, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def maxrss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(fn: Callable[..., object], *args: Any, **kwargs: Any) -> float:
    """Seconds taken by fn(*args, **kwargs)."""
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def load_queries(n: int) -> list[str]:
    queries = []
    with QUESTIONS.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                queries.append(str(json.loads(line)["query"]))
            if len(queries) == n:
                break
    return queries


def load_long_posts(n: int) -> list[str]:
    """Real-length posts (400-2,000 characters) from the eval set, for the long-post rows."""
    if not LONG_POSTS.is_file():
        return []
    posts = []
    with LONG_POSTS.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                posts.append(str(json.loads(line)["query"]))
            if len(posts) == n:
                break
    return posts


def embed_post_parts(embedder: LocalOnnxEmbedder, post: str) -> list[Vectors]:
    """A post's parts embedded as retrieve() embeds them (query.split_post, one batch)."""
    plan = split_post(post[:2000])
    if len(plan.parts) == 1:
        return [embedder.embed_query(plan.text)]
    return list(embedder.embed_documents([p.text for p in plan.parts]))


def measure_long(
    hybrid: HybridRetriever,
    posts: Sequence[str],
    post_vecs: Sequence[list[Vectors]],
    warmup: int,
    result: CorpusResult,
) -> None:
    """Long posts: retrieve() with splitting and the parts' embedding, without the
    embedding (parts embedded beforehand; splitting still timed), and the embedding alone."""
    for post, vecs in zip(posts[:warmup], post_vecs[:warmup], strict=True):
        hybrid.retrieve(post, k=K)
        hybrid.retrieve(post, k=K, part_vecs=vecs)
    for key in ("long_incl", "long_excl", "long_embed", "long_split"):
        result.lat[key] = Latency()
    for post in posts:
        result.lat["long_incl"].samples.append(timed(hybrid.retrieve, post, k=K))
    for post, vecs in zip(posts, post_vecs, strict=True):
        result.lat["long_excl"].samples.append(timed(hybrid.retrieve, post, k=K, part_vecs=vecs))
        result.lat["long_split"].samples.append(timed(split_post, post))
        result.lat["long_embed"].samples.append(timed(embed_post_parts, hybrid.embedder, post))
    result.notes.append(
        f"long posts: {len(posts)}, {sum(len(v) for v in post_vecs) / max(len(posts), 1):.1f}"
        " parts each on average"
    )


def brute_force_top(matrix: Vectors, qvec: Vectors, k: int) -> npt.NDArray[np.intp]:
    """The floor: exact cosine top-k over unit vectors with one mat-vec and argpartition."""
    scores = matrix @ qvec
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    ordered: npt.NDArray[np.intp] = top[np.argsort(-scores[top])]
    return ordered


def measure(
    hybrid: HybridRetriever,
    queries: Sequence[str],
    qvecs: Sequence[Vectors],
    warmup: int,
    result: CorpusResult,
) -> None:
    """Time retrieve() with and without query embedding, its two searches, and the floor."""
    n = hybrid.config.candidates
    for q, qv in zip(queries[:warmup], qvecs[:warmup], strict=True):
        hybrid.retrieve(q, k=K)
        hybrid.retrieve(q, k=K, qvec=qv)
        brute_force_top(hybrid.vectors, qv, n)

    bm25_id = id(hybrid._bm25)
    lat = {
        key: Latency()
        for key in (
            "incl",
            "excl",
            "floor",
            "dense",
            "bm25",
            "dense_filtered",
            "bm25_filtered",
        )
    }
    same = True
    with mock.patch.object(bm25s.BM25, "index", autospec=True, side_effect=bm25s.BM25.index) as ix:
        for q in queries:
            lat["incl"].samples.append(timed(hybrid.retrieve, q, k=K))
            same &= id(hybrid._bm25) == bm25_id
        for q, qv in zip(queries, qvecs, strict=True):
            lat["excl"].samples.append(timed(hybrid.retrieve, q, k=K, qvec=qv))
            same &= id(hybrid._bm25) == bm25_id
        index_calls = ix.call_count
    for qv in qvecs:
        lat["floor"].samples.append(timed(brute_force_top, hybrid.vectors, qv, n))
    # The two searches inside retrieve(), split by whether the question names an industry.
    # An inferred industry is a boost, never a filter (issue 14): both search unfiltered.
    for q, qv in zip(queries, qvecs, strict=True):
        _, industry = infer_filters(q)
        suffix = "_filtered" if industry else ""
        lat["dense" + suffix].samples.append(timed(hybrid.dense_scores, qv, n, None, None))
        lat["bm25" + suffix].samples.append(timed(hybrid.bm25_scores, q, n, None, None))
    result.lat = lat
    result.bm25_same_object = same and id(hybrid._bm25) == bm25_id
    result.bm25_index_calls = index_calls
    result.bm25_id = bm25_id
    result.queries_run = 2 * len(queries)


class PagedGetCollection:
    """A Chroma collection whose whole-collection get() reads pages (limit/offset).

    Everything else is delegated. Lets HybridRetriever load corpora above SQLite's
    32,766-variable limit, which its one unpaged get() with metadatas exceeds.
    """

    def __init__(self, collection: Collection, page: int) -> None:
        self._collection = collection
        self._page = page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)

    def get(self, **kwargs: Any) -> dict[str, Any]:
        if any(kwargs.get(key) is not None for key in ("ids", "where", "limit", "offset")):
            return dict(self._collection.get(**kwargs))
        ids: list[str] = []
        parts: dict[str, list[Any]] = {key: [] for key in ("documents", "metadatas")}
        vectors: list[Vectors] = []
        offset = 0
        while True:
            got = self._collection.get(limit=self._page, offset=offset, **kwargs)
            if not got["ids"]:
                break
            ids.extend(got["ids"])
            parts["documents"].extend(got["documents"] or [])
            parts["metadatas"].extend(got["metadatas"] or [])
            if got.get("embeddings") is not None:
                vectors.append(np.asarray(got["embeddings"], dtype=np.float32))
            offset += len(got["ids"])
        embeddings = np.concatenate(vectors) if vectors else None
        return {"ids": ids, **parts, "embeddings": embeddings}


# --- corpora --------------------------------------------------------------------------------


def real_corpus(
    settings: Settings, client: ClientAPI, embedder: LocalOnnxEmbedder
) -> tuple[HybridRetriever, CorpusResult]:
    result = CorpusResult("real knowledge base", 0, None)
    rss0 = vmrss_mb()
    report = build_index(settings, client, embedder)
    result.build["store"] = report.seconds  # build_index: embedding included
    rss1 = vmrss_mb()
    start = time.perf_counter()
    hybrid = HybridRetriever(active_collection(client), embedder, default_fusion_config())
    result.build["retriever"] = time.perf_counter() - start
    rss2 = vmrss_mb()
    result.chunks = len(hybrid.rows)
    result.memory_mb = {"add": rss1 - rss0, "retriever": rss2 - rss1, "maxrss": maxrss_mb()}
    return hybrid, result


def sentence_pool(rows: Sequence[ChunkRow]) -> tuple[list[list[str]], list[str]]:
    """Each real chunk's sentences, and all of them in one list."""
    per_row = [
        [s.strip() for s in SENTENCE_SPLIT.split(r.text) if len(s.strip()) >= 20] for r in rows
    ]
    pool = [s for sents in per_row for s in sents]
    return per_row, pool


def synthetic_chunks(
    size: int, rows: Sequence[ChunkRow], real_vectors: Vectors, seed: int
) -> tuple[list[str], Vectors, list[str], list[Metadata]]:
    """(ids, unit vectors, documents, metadatas) for `size` synthetic chunks."""
    rng = np.random.default_rng(seed)
    per_row, pool = sentence_pool(rows)
    base = rng.integers(0, len(rows), size)  # the real chunk each synthetic one imitates
    noise = rng.standard_normal((size, DIM)).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    vectors: Vectors = real_vectors[base] + np.float32(NOISE) * noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    del noise
    n_docs = (size + CHUNKS_PER_DOC - 1) // CHUNKS_PER_DOC
    doc_title = [rows[int(i)].title for i in rng.integers(0, len(rows), n_docs)]
    ids: list[str] = []
    documents: list[str] = []
    metadatas: list[Metadata] = []
    for n in range(size):
        j = int(base[n])
        own = per_row[j]
        picked = [own[int(i)] for i in rng.choice(len(own), min(2, len(own)), replace=False)]
        picked += [pool[int(i)] for i in rng.integers(0, len(pool), int(rng.integers(1, 5)))]
        rng.shuffle(picked)
        d = n // CHUNKS_PER_DOC
        stage = STAGES[d % len(STAGES)]
        ordinal = n % CHUNKS_PER_DOC
        ids.append(f"synthetic-{d}::{ordinal}")
        documents.append(" ".join(picked))
        metadatas.append(
            {
                "doc_id": f"synthetic-{d}",
                "title": doc_title[d],
                "stage": stage,
                "path": f"articles/{stage}/synthetic-{d}.md",
                "industries": "||",
                "general": True,
                "doc_hash": f"{d:064x}",
                "heading": rows[j].heading,
                "ordinal": ordinal,
            }
        )
    return ids, vectors, documents, metadatas


def synthetic_corpus(
    size: int,
    client: ClientAPI,
    embedder: LocalOnnxEmbedder,
    real: HybridRetriever,
    seed: int,
) -> tuple[HybridRetriever, CorpusResult, Collection]:
    result = CorpusResult(f"synthetic {size:,}", size, GOALS_MS.get(size))
    start = time.perf_counter()
    ids, vectors, documents, metadatas = synthetic_chunks(size, real.rows, real.vectors, seed)
    result.build["generate"] = time.perf_counter() - start
    rss0 = vmrss_mb()
    col = client.create_collection(
        f"bench-synthetic-{size}",
        embedding_function=None,
        configuration={"hnsw": HNSW},
    )
    start = time.perf_counter()
    for s in range(0, size, ADD_BATCH):
        e = s + ADD_BATCH
        col.add(
            ids=ids[s:e],
            embeddings=vectors[s:e],
            documents=documents[s:e],
            metadatas=metadatas[s:e],
        )
    result.build["store"] = time.perf_counter() - start
    rss1 = vmrss_mb()
    del ids, vectors, documents, metadatas
    gc.collect()
    rss_retriever = vmrss_mb()
    start = time.perf_counter()
    try:
        hybrid = HybridRetriever(col, embedder, default_fusion_config())
    except Exception as exc:  # chromadb raises InternalError; report it and carry on
        failed_after = time.perf_counter() - start
        result.notes.append(
            f"HybridRetriever(collection) FAILED after {failed_after:.2f} s: "
            f"{exc.__class__.__name__}: {exc}. Its single unpaged collection.get() with "
            "metadatas fails from 32,767 chunks (SQLite's 32,766-variable limit). Figures for "
            f"this corpus use the same retriever over a collection whose get() reads "
            f"pages of {GET_PAGE:,} rows (benchmarks only; assistant/ is unchanged)."
        )
        gc.collect()
        rss_retriever = vmrss_mb()
        start = time.perf_counter()
        paged = cast("Collection", PagedGetCollection(col, GET_PAGE))
        hybrid = HybridRetriever(paged, embedder, default_fusion_config())
    result.build["retriever"] = time.perf_counter() - start
    rss2 = vmrss_mb()
    result.memory_mb = {
        "add": rss1 - rss0,
        "retriever": rss2 - rss_retriever,
        "maxrss": maxrss_mb(),
    }
    return hybrid, result, col


# --- output ---------------------------------------------------------------------------------


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(
        "  ".join(
            h.rjust(w) if i else h.ljust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(
            "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )


def report(results: Sequence[CorpusResult], n_queries: int, warmup: int) -> None:
    print()
    print(
        f"Latency of one retrieve(k={K}) call, {n_queries} queries after {warmup} warm-up; "
        "ms. Floor: NumPy matrix @ qvec + argpartition over the same vectors, "
        f"top-{default_fusion_config().candidates} (the dense candidate count)."
    )
    rows = []
    for r in results:
        incl95 = r.lat["incl"].p(95)
        goal = f"≤ {r.goal_ms:.0f}" if r.goal_ms is not None else "—"
        verdict = ("PASS" if incl95 <= r.goal_ms else "FAIL") if r.goal_ms is not None else ""
        floor50, floor95 = r.lat["floor"].p(50), r.lat["floor"].p(95)
        rows.append(
            [
                r.name,
                f"{r.chunks:,}",
                f"{r.lat['incl'].p(50):.1f}",
                f"{incl95:.1f}",
                f"{r.lat['excl'].p(50):.1f}",
                f"{r.lat['excl'].p(95):.1f}",
                f"{floor50:.2f}",
                f"{floor95:.2f}",
                f"{r.lat['excl'].p(50) / floor50:.2f}×",
                f"{r.lat['excl'].p(95) / floor95:.2f}×",
                goal,
                verdict,
            ]
        )
    print_table(
        [
            "corpus",
            "chunks",
            "incl p50",
            "incl p95",
            "excl p50",
            "excl p95",
            "floor p50",
            "floor p95",
            "excl/floor p50",
            "excl/floor p95",
            "goal p95 incl",
            "result",
        ],
        rows,
    )

    if any(r.lat.get("long_incl") for r in results):
        print()
        print(
            "Long posts (ms): retrieve() on real-length posts, split into their title, "
            "question and situation (query.py), each part searched and the results fused. "
            "incl: the parts' embedding included; excl: parts embedded beforehand (splitting "
            f"still included); embed: the parts' embedding alone. Goal at 10k chunks: excl p95 "
            f"≤ {LONG_GOAL_MS:.0f} ms (incl ≤ {LONG_GOAL_MS:.0f} ms + the embedding)."
        )
        rows = []
        for r in results:
            lat = r.lat
            if not lat.get("long_incl"):
                continue
            goal = ""
            if r.chunks == 10_000:
                goal = "PASS" if lat["long_excl"].p(95) <= LONG_GOAL_MS else "FAIL"
            rows.append(
                [
                    r.name,
                    f"{r.chunks:,}",
                    f"{lat['long_incl'].p(50):.1f}",
                    f"{lat['long_incl'].p(95):.1f}",
                    f"{lat['long_excl'].p(50):.1f}",
                    f"{lat['long_excl'].p(95):.1f}",
                    f"{lat['long_embed'].p(50):.1f}",
                    f"{lat['long_embed'].p(95):.1f}",
                    f"{lat['long_split'].p(95):.2f}",
                    goal,
                ]
            )
        print_table(
            ["corpus", "chunks", "incl p50", "incl p95", "excl p50", "excl p95",
             "embed p50", "embed p95", "split p95", "excl ≤ 50"],
            rows,
        )  # fmt: skip

    print()
    print(
        "Inside retrieve() (ms, excluding query embedding): the Chroma query and the BM25 "
        "scoring, split by whether the question names an industry (a boost since issue 14, "
        "so both search unfiltered)."
    )
    rows = []
    for r in results:
        for label, key in (("no industry named", ""), ("an industry named", "_filtered")):
            d, b = r.lat["dense" + key], r.lat["bm25" + key]
            if not d.samples:
                continue
            rows.append(
                [
                    r.name,
                    label,
                    str(len(d.samples)),
                    f"{d.p(50):.1f}",
                    f"{d.p(95):.1f}",
                    f"{b.p(50):.1f}",
                    f"{b.p(95):.1f}",
                ]
            )
    print_table(
        ["corpus", "queries", "n", "Chroma p50", "Chroma p95", "BM25 p50", "BM25 p95"], rows
    )

    print()
    print(
        "Build time (s) and memory (MB). generate: synthetic texts and vectors; store: "
        "Chroma add in batches of 5,000 (real knowledge base: the whole build_index, "
        "embedding included); retriever: HybridRetriever() (loads every chunk and vector "
        "from Chroma, builds BM25). RSS Δ: VmRSS after minus before the step; ru_maxrss: "
        "the process peak so far."
    )
    rows = []
    for r in results:
        generate = r.build.get("generate")
        rows.append(
            [
                r.name,
                "—" if generate is None else f"{generate:.2f}",
                f"{r.build['store']:.2f}",
                f"{r.build['retriever']:.2f}",
                f"{r.memory_mb['add']:+.0f}",
                f"{r.memory_mb['retriever']:+.0f}",
                f"{r.memory_mb['maxrss']:.0f}",
            ]
        )
    print_table(
        [
            "corpus",
            "generate s",
            "store s",
            "retriever s",
            "RSS Δ store",
            "RSS Δ retriever",
            "ru_maxrss",
        ],
        rows,
    )

    print()
    for r in results:
        for note in r.notes:
            print(f"NOTE, {r.name}: {note}")
    for r in results:
        status = "unchanged" if r.bm25_same_object else "CHANGED"
        print(
            f"BM25 index, {r.name}: object id {r.bm25_id:#x} {status} across {r.queries_run} "
            f"retrieve() calls; BM25.index() called {r.bm25_index_calls} times during them "
            "(no per-query rebuild)"
            if r.bm25_same_object and r.bm25_index_calls == 0
            else f"BM25 index, {r.name}: object {status}, BM25.index() called "
            f"{r.bm25_index_calls} times during {r.queries_run} calls — REBUILT PER QUERY"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes", default="10000,100000", help="synthetic corpus sizes (default 10000,100000)"
    )
    parser.add_argument("--queries", type=int, default=100, help="timed queries (default 100)")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up queries (default 5)")
    parser.add_argument(
        "--long", type=int, default=60, help="timed long posts (default 60; 0: none)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes takes comma-separated integers, e.g. 10000,100000")
    if any(s < 1 for s in sizes) or args.queries < 1 or args.warmup < 0:
        parser.error("sizes and --queries must be positive, --warmup not negative")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    print(
        f"Retrieval benchmark: python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} at start"
    )
    queries = load_queries(args.queries)
    embedder = LocalOnnxEmbedder()
    embedder.embed_query("warm-up")  # model load is not part of any figure
    qvecs = [embedder.embed_query(q) for q in queries]
    posts = load_long_posts(args.long) if args.long > 0 else []
    post_vecs = [embed_post_parts(embedder, p) for p in posts]
    results: list[CorpusResult] = []
    with tempfile.TemporaryDirectory(prefix="mentor-retrieval-bench-") as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            knowledge_dir=KNOWLEDGE,
            embedding_backend="local",
            chroma_host=None,
            _env_file=None,  # type: ignore[call-arg]
        )
        client = open_chroma(settings)
        log("indexing the real knowledge base…")
        real, result = real_corpus(settings, client, embedder)
        log("timing the real knowledge base…")
        measure(real, queries, qvecs, args.warmup, result)
        if posts:
            measure_long(real, posts, post_vecs, args.warmup, result)
        results.append(result)
        for size in sizes:
            log(f"building the synthetic corpus of {size:,} chunks…")
            hybrid, result, col = synthetic_corpus(size, client, embedder, real, args.seed)
            log(f"timing the synthetic corpus of {size:,} chunks…")
            measure(hybrid, queries, qvecs, args.warmup, result)
            if posts:
                measure_long(hybrid, posts, post_vecs, args.warmup, result)
            results.append(result)
            del hybrid
            client.delete_collection(col.name)
            gc.collect()
    report(results, len(queries), args.warmup)
    load = os.getloadavg()[0]
    print(f"\nload average {load:.2f} at the end (other work on the machine skews the figures)")


if __name__ == "__main__":
    main()
