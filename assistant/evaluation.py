"""Evaluation runners behind `mentor eval …`. They print figures and write reports to
evals/reports/; datasets live in evals/ (see evals/README.md).

Metrics come from ir-measures (Recall@k, Success@k, RR@10, nDCG@10), not hand-written code.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.query import split_post
from assistant.ranking import FusionConfig
from assistant.resources import bundled, installed_as_wheel
from assistant.results import Retrieval
from assistant.retrieval import HybridRetriever

EVALS = bundled("evals")
# Reports are written into a source checkout only; an installed package is never written.
REPORTS: Path | None = None if installed_as_wheel() else EVALS / "reports"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


@dataclass(frozen=True)
class Scores:
    recall_1: float
    recall_5: float
    success_5: float
    mrr_10: float
    ndcg_10: float
    oos_rejection: float
    false_rejection: float
    closest: float = 0.0  # share of in-scope questions answered as "closest guidance"

    def row(self, name: str) -> str:
        return (
            f"| {name} | {self.recall_1:.3f} | {self.recall_5:.3f} | {self.success_5:.3f} | "
            f"{self.mrr_10:.3f} | {self.ndcg_10:.3f} | {self.oos_rejection:.3f} | "
            f"{self.false_rejection:.3f} | {self.closest:.3f} |"
        )


HEADER = (
    "| retriever | Recall@1 | Recall@5 | Success@5 | MRR@10 | nDCG@10 | out-of-scope rejected |"
    " in-scope falsely rejected | answered as closest |\n|---|---|---|---|---|---|---|---|---|"
)


def _ir_input(
    questions: Sequence[dict[str, Any]], runs: dict[str, Retrieval]
) -> tuple[list[Any], list[Any]]:
    """The labels (qrels) and the ranked results (run) of these questions, for ir-measures."""
    import ir_measures

    qrels = [ir_measures.Qrel(q["id"], doc, 1) for q in questions for doc in q["relevant"]]
    scored = [
        ir_measures.ScoredDoc(q["id"], res.doc_id, float(100 - rank))
        for q in questions
        for rank, res in enumerate(runs[q["id"]].results)
    ]
    return qrels, scored


def score_runs(
    questions: Sequence[dict[str, Any]],
    runs: dict[str, Retrieval],
    oos_runs: dict[str, Retrieval],
) -> Scores:
    import ir_measures
    from ir_measures import RR, R, Success, nDCG

    qrels, scored = _ir_input(questions, runs)
    if not scored:  # every query rejected
        agg: dict[Any, float] = {}
    else:
        agg = ir_measures.calc_aggregate(
            [R @ 1, R @ 5, Success @ 5, RR @ 10, nDCG @ 10], qrels, scored
        )
    n = len(questions)

    def m(measure: Any) -> float:
        # ir-measures averages over every question in the qrels: a rejected question (no
        # results) already counts as 0 there, so it is not scaled down a second time.
        return float(agg.get(measure, 0.0))

    return Scores(
        recall_1=m(R @ 1),
        recall_5=m(R @ 5),
        success_5=m(Success @ 5),
        mrr_10=m(RR @ 10),
        ndcg_10=m(nDCG @ 10),
        oos_rejection=(
            sum(r.rejected for r in oos_runs.values()) / len(oos_runs) if oos_runs else 0.0
        ),
        false_rejection=sum(runs[q["id"]].rejected for q in questions) / n if n else 0.0,
        closest=sum(runs[q["id"]].closest for q in questions) / n if n else 0.0,
    )


def per_query(
    questions: Sequence[dict[str, Any]], runs: dict[str, Retrieval], measure: Any
) -> list[float]:
    """One value of an ir-measures measure per question (a rejected question scores 0)."""
    import ir_measures

    qrels, scored = _ir_input(questions, runs)
    values = {m.query_id: float(m.value) for m in ir_measures.iter_calc([measure], qrels, scored)}
    return [values.get(q["id"], 0.0) for q in questions]


def bootstrap_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean over questions (scipy, fixed seed): how
    far a figure could move with another sample of questions of the same kind."""
    from scipy.stats import bootstrap

    if len(set(values)) < 2:
        v = float(values[0]) if values else 0.0
        return v, v
    res = bootstrap(
        (np.asarray(values, dtype=float),),
        np.mean,
        confidence_level=level,
        n_resamples=2000,
        method="percentile",
        random_state=np.random.default_rng(0),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def run_all(
    retriever: HybridRetriever,
    queries: Sequence[dict[str, Any]],
    qvecs: dict[str, Any],
    key: str = "query",
    k: int = 10,
) -> dict[str, Retrieval]:
    """Every query retrieved with its parts' vectors embedded beforehand (embed_parts)."""
    return {q["id"]: retriever.retrieve(q[key], k=k, part_vecs=qvecs[q["id"]]) for q in queries}


def embed_parts(embedder: Any, queries: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """{query id: one vector per part of the query} (query.split_post), every distinct part
    embedded once, in one batch."""
    plans = {q["id"]: split_post(q["query"][:2000]) for q in queries}
    texts = sorted({p.text for plan in plans.values() for p in plan.parts})
    vecs = embedder.embed_documents(texts)
    where = {t: i for i, t in enumerate(texts)}
    return {qid: [vecs[where[p.text]] for p in plan.parts] for qid, plan in plans.items()}


def is_long(query: str) -> bool:
    """Whether retrieval splits this question into parts (and so uses floor_long)."""
    return split_post(query[:2000]).long


@dataclass(frozen=True)
class EvalSets:
    """The retrieval eval sets of one split: short questions (questions.jsonl), long posts
    (long_questions.jsonl; scored once labelled, their refusals counted either way), and
    out-of-scope questions, short and long ("kind": "long")."""

    short: list[dict[str, Any]]
    long: list[dict[str, Any]]  # labelled long posts
    long_all: list[dict[str, Any]]  # every long post, labelled or not (all in scope)
    oos_short: list[dict[str, Any]]
    oos_long: list[dict[str, Any]]

    @property
    def oos(self) -> list[dict[str, Any]]:
        return self.oos_short + self.oos_long

    @property
    def everything(self) -> list[dict[str, Any]]:
        return self.short + self.long_all + self.oos


def load_sets(split: str, root: Path | None = None) -> EvalSets:
    folder = (root or EVALS) / "retrieval"
    short = [q for q in read_jsonl(folder / "questions.jsonl") if q["split"] == split]
    long_path = folder / "long_questions.jsonl"
    long_all = (
        [q for q in read_jsonl(long_path) if q["split"] == split] if long_path.is_file() else []
    )
    oos = [q for q in read_jsonl(folder / "out_of_scope.jsonl") if q["split"] == split]
    extra = folder / "long_out_of_scope.jsonl"  # long off-topic posts, if kept apart
    seen = {q["id"] for q in oos}
    if extra.is_file():
        oos += [
            {**q, "kind": "long"}
            for q in read_jsonl(extra)
            if q["split"] == split and q["id"] not in seen
        ]
    return EvalSets(
        short,
        [q for q in long_all if q.get("relevant")],
        long_all,
        [q for q in oos if q.get("kind") != "long"],
        [q for q in oos if q.get("kind") == "long"],
    )


# What `--tune` tries, on the dev split only. Fusion first, then the question's hints and
# the parts of long posts one setting at a time (coordinate ascent: a full grid of them
# would take hours on 2 cores), then the confidence and the floors, then "closest".
FUSION_GRID: dict[str, tuple[Any, ...]] = {
    "mmr_lambda": (0.85, 1.0),
    "hit_decay": (0.3, 0.5, 0.7),
    "question_weight": (0.8, 0.9, 1.0),
}
FUSION_METHODS: tuple[dict[str, Any], ...] = (
    {"method": "rrf", "rrf_k": 30},
    {"method": "rrf", "rrf_k": 60},
    {"method": "weighted", "dense_weight": 0.6},
    {"method": "weighted", "dense_weight": 0.7},
    {"method": "weighted", "dense_weight": 0.8},
)
HINT_GRID: dict[str, tuple[float, ...]] = {
    "stage_boost": (1.0, 1.04, 1.08, 1.15),
    "industry_boost": (1.0, 1.05, 1.1, 1.2),
    # 0.5 at least: an article of another industry is lowered, never filtered out
    "other_industry_penalty": (0.5, 0.7, 0.85, 1.0),
    "mentor_penalty": (0.0, 0.5, 0.8, 1.0),
}
LONG_GRID: dict[str, tuple[float, ...]] = {
    "question_part_weight": (1.0,),
    "title_weight": (0.4, 0.7, 1.0),
    "situation_weight": (0.2, 0.35, 0.5, 0.8),
    "part_mix": (0.3, 0.5, 0.7, 1.0),
}


def retrieve_latency_ms(
    retriever: HybridRetriever, questions: list[dict[str, Any]]
) -> tuple[float, float]:
    """p50 and p95 of the whole retrieve(), query embedding (every part) included, in ms."""
    times = []
    for q in questions:
        t = time.perf_counter()
        retriever.retrieve(q["query"])
        times.append(time.perf_counter() - t)
    if not times:
        return 0.0, 0.0
    return statistics.median(times) * 1000, float(np.percentile(times, 95)) * 1000


def _score_variants(
    retriever: HybridRetriever,
    variants: dict[str, FusionConfig],
    chosen: FusionConfig,
    qs: list[dict[str, Any]],
    oq: list[dict[str, Any]],
    qvecs: dict[str, list[Any]],
) -> tuple[dict[str, Any], list[str]]:
    """Every retriever's figures on one set of questions, and the chosen one's bootstrap
    interval; returns the figures and the report's table rows."""
    from ir_measures import RR, R

    figures: dict[str, Any] = {}
    lines: list[str] = []
    chosen_runs: dict[str, Retrieval] = {}
    for name, cfg in variants.items():
        r = retriever.with_config(**asdict(cfg))
        runs = run_all(r, qs, qvecs)
        sc = score_runs(qs, runs, run_all(r, oq, qvecs))
        figures[name] = asdict(sc)
        mark = cfg.method == chosen.method
        lines.append(sc.row(name + (" ← chosen" if mark else "")))
        if mark:
            chosen_runs = runs
    intervals = {
        name: bootstrap_interval(per_query(qs, chosen_runs, measure))
        for name, measure in (("recall_5", R @ 5), ("mrr_10", RR @ 10))
    }
    figures["chosen_95ci"] = intervals
    lines.append(
        f"\nChosen retriever, 95% bootstrap interval over these questions: Recall@5 "
        f"{intervals['recall_5'][0]:.3f}–{intervals['recall_5'][1]:.3f}, MRR@10 "
        f"{intervals['mrr_10'][0]:.3f}–{intervals['mrr_10'][1]:.3f}"
    )
    return figures, lines


def _refusals(
    r: HybridRetriever, ev: EvalSets, qvecs: dict[str, list[Any]]
) -> tuple[dict[str, Any], list[str]]:
    """How often the chosen retriever refuses each set (long in-scope posts too)."""
    refusals = {
        "long posts (in scope, labelled or not)": ev.long_all,
        "out of scope, short": ev.oos_short,
        "out of scope, long posts": ev.oos_long,
        "out of scope, all": ev.oos,
    }
    rates: dict[str, Any] = {}
    lines = ["| set | questions | refused |", "|---|---|---|"]
    for name, qs in refusals.items():
        if not qs:
            continue
        runs = run_all(r, qs, qvecs, k=1)
        rate = sum(x.rejected for x in runs.values()) / len(qs)
        rates[name] = {"n": len(qs), "refused": rate}
        lines.append(f"| {name} | {len(qs)} | {rate:.3f} |")
    return rates, lines


def retrieval_eval(
    retriever: HybridRetriever,
    *,
    tune: bool = False,
    out: Path | None = None,
    write: bool = True,
    echo: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Score dense, BM25 and hybrid retrieval on the dev and test splits, short questions
    and long posts apart, with the out-of-scope set (short and long). With ``tune``,
    choose everything on dev; the choice is written to ``out`` (for review and commit as
    assistant/tuned_fusion.json), never into the installed package."""
    sets = {split: load_sets(split) for split in ("dev", "test")}
    everything = [q for s in sets.values() for q in s.everything]
    t0 = time.perf_counter()
    qvecs = embed_parts(retriever.embedder, everything)
    echo(
        f"Embedded {len(everything)} questions ({sum(len(v) for v in qvecs.values())} parts)"
        f" in {time.perf_counter() - t0:.1f}s"
    )
    retriever.remember()

    chosen = retriever.config
    tuning_rows: list[dict[str, Any]] = []
    if tune:
        from assistant.eval_tuning import tune_on_dev

        chosen, tuning_rows = tune_on_dev(retriever, sets["dev"], qvecs, echo)
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(asdict(chosen), indent=2) + "\n", encoding="utf-8")
            echo(f"Wrote the chosen configuration to {out}")

    variants = {
        "dense only": replace(chosen, method="dense"),
        "BM25 only": replace(chosen, method="bm25"),
        "hybrid (RRF)": replace(chosen, method="rrf"),
        "hybrid (weighted)": replace(chosen, method="weighted"),
    }
    report: dict[str, Any] = {"config": asdict(chosen), "splits": {}}
    lines = [f"# Retrieval evaluation\n\nChosen configuration (on dev): `{asdict(chosen)}`\n"]
    for split, ev in sets.items():
        report["splits"][split] = {}
        for label, qs, oq in (
            ("short questions", ev.short, ev.oos_short),
            ("long posts", ev.long, ev.oos_long),
        ):
            if not qs:
                continue
            lines += [
                f"\n## {split} split, {label} ({len(qs)} questions, {len(oq)} out of scope)\n",
                HEADER,
            ]
            key = "short" if label.startswith("short") else "long"
            figures, rows = _score_variants(retriever, variants, chosen, qs, oq, qvecs)
            report["splits"][split][key] = figures
            lines += rows
        rates, rows = _refusals(retriever.with_config(**asdict(chosen)), ev, qvecs)
        report["splits"][split]["refusals"] = rates
        lines += [f"\n### {split} split, refusals with the chosen retriever\n", *rows]
    r = retriever.with_config(**asdict(chosen))
    p50, p95 = retrieve_latency_ms(r, sets["test"].short[:60])
    lp50, lp95 = retrieve_latency_ms(r, sets["test"].long_all[:60])
    report["latency_ms"] = {
        "p50": round(p50, 1), "p95": round(p95, 1),
        "long_p50": round(lp50, 1), "long_p95": round(lp95, 1),
    }  # fmt: skip
    lines.append(
        f"\nretrieve() latency incl. query embedding: short questions p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms; long posts (splitting and every part embedded) p50 {lp50:.1f} ms,"
        f" p95 {lp95:.1f} ms\n"
    )
    if tuning_rows:
        report["tuning"] = tuning_rows
    text = "\n".join(lines)
    echo(text)
    if write and REPORTS is not None:
        REPORTS.mkdir(parents=True, exist_ok=True)
        (REPORTS / "retrieval.json").write_text(json.dumps(report, indent=2) + "\n")
        (REPORTS / "retrieval.md").write_text(text + "\n")
    return report
