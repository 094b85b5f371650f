"""Evaluation runners behind `mentor eval …`. They print figures and write reports to
evals/reports/; datasets live in evals/ (see evals/README.md).

Metrics come from ir-measures (Recall@k, Success@k, RR@10, nDCG@10), not hand-written code.
"""

from __future__ import annotations

import itertools
import json
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.cards import is_complete, sentences_of
from assistant.compose import QUESTION_BACK_LABEL
from assistant.knowledge import Article, Card
from assistant.query import split_post
from assistant.ranking import FusionConfig
from assistant.resources import bundled, installed_as_wheel
from assistant.retrieval import HybridRetriever, Retrieval
from assistant.text import stems

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
        (np.asarray(values, dtype=float),), np.mean, confidence_level=level,
        n_resamples=2000, method="percentile", random_state=np.random.default_rng(0),
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
    return {
        q["id"]: retriever.retrieve(q[key], k=k, part_vecs=qvecs[q["id"]]) for q in queries
    }


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


@dataclass(frozen=True)
class FloorChoice:
    floor: float
    oos_rejection: float
    false_rejection: float
    errors: int  # in-scope questions refused + out-of-scope ones answered
    meets_goals: bool


def choose_floor(
    in_scope: Sequence[float],
    out_of_scope: Sequence[float],
    *,
    max_false_rejection: float,
    min_oos_rejection: float,
) -> FloorChoice:
    """The floor making the fewest wrong calls on the given confidences: a refused
    in-scope question counts as much as an answered out-of-scope one. Floors meeting both
    goals (false rejection at most, out-of-scope rejection at least the limits) come first.

    Candidate floors sit midway between neighbouring confidences; where several tie, the
    middle one is kept, so neither side sits right on the edge."""
    values = sorted(set(in_scope) | set(out_of_scope))
    if not values:
        return FloorChoice(0.0, 0.0, 0.0, 0, False)
    cuts = [values[0] - 1e-3] + [(a + b) / 2 for a, b in itertools.pairwise(values)]
    choices = []
    for cut in cuts:
        refused = sum(c < cut for c in in_scope)
        answered = sum(c >= cut for c in out_of_scope)
        fr = refused / max(len(in_scope), 1)
        oos = 1 - answered / max(len(out_of_scope), 1)
        meets = fr <= max_false_rejection and oos >= min_oos_rejection
        choices.append(FloorChoice(round(cut, 4), oos, fr, refused + answered, meets))
    best = min(choices, key=lambda c: (not c.meets_goals, c.errors))
    top = [c for c in choices if (c.meets_goals, c.errors) == (best.meets_goals, best.errors)]
    return top[len(top) // 2]


def _objective(
    retriever: HybridRetriever, dev: EvalSets, qvecs: dict[str, Any]
) -> tuple[float, dict[str, float]]:
    """MRR@10 + Recall@5 on the dev split, the mean over short questions and (once
    labelled) long posts, so neither kind drowns the other."""
    parts = {"short": dev.short, "long": dev.long}
    figures: dict[str, float] = {}
    for name, qs in parts.items():
        if qs:
            sc = score_runs(qs, run_all(retriever, qs, qvecs), {})
            figures[f"{name}_mrr10"], figures[f"{name}_recall5"] = sc.mrr_10, sc.recall_5
    kinds = [k for k, qs in parts.items() if qs]
    value = sum(figures[f"{k}_mrr10"] + figures[f"{k}_recall5"] for k in kinds) / len(kinds)
    return value, figures


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
# The goals: in-scope falsely refused <= 0.03, out of scope refused >= 0.95.
MAX_FALSE_REJECTION = 0.03
MIN_OOS_REJECTION = 0.95


def tune_on_dev(
    retriever: HybridRetriever,
    dev: EvalSets,
    qvecs: dict[str, Any],
    echo: Callable[[str], None],
) -> tuple[FusionConfig, list[dict[str, Any]]]:
    """Choose fusion, hints and long-post parts (best MRR@10 + Recall@5 on dev), then the
    confidence and the two floors (fewest wrong calls within the goals), then the
    "closest" band — on the dev split only."""
    cfg = replace(retriever.config, floor=-1.0, floor_long=-1.0, closest_margin=0.0)
    rows: list[dict[str, Any]] = []

    def score(c: FusionConfig) -> float:
        value, figures = _objective(retriever.with_config(**asdict(c)), dev, qvecs)
        rows.append({**asdict(c), **{f"dev_{k}": v for k, v in figures.items()}})
        return value

    best_value, best = -1.0, cfg
    keys = list(FUSION_GRID)
    for values in itertools.product(*(FUSION_GRID[k] for k in keys)):
        for method in FUSION_METHODS:
            tried = replace(cfg, **dict(zip(keys, values, strict=True)), **method)
            value = score(tried)
            if value > best_value + 1e-9:
                best_value, best = value, tried
    echo(f"  fusion: {best.method} objective {best_value:.4f}")
    grids = dict(HINT_GRID)
    if dev.long:
        grids.update(LONG_GRID)
    for name, options in grids.items():
        for option in options:
            change: dict[str, Any] = {name: option}
            tried = replace(best, **change)
            if tried == best:
                continue
            value = score(tried)
            if value > best_value + 1e-9:
                best_value, best = value, tried
        echo(f"  {name} = {getattr(best, name)} (objective {best_value:.4f})")
    chosen = choose_confidence(retriever.with_config(**asdict(best)), dev, qvecs, rows)
    chosen = replace(chosen, closest_margin=choose_closest(retriever, chosen, dev, qvecs))
    echo(
        "Chosen on dev: "
        + " ".join(f"{k}={v}" for k, v in asdict(chosen).items() if k != "candidates")
    )
    return chosen, rows


def choose_confidence(
    retriever: HybridRetriever,
    dev: EvalSets,
    qvecs: dict[str, Any],
    rows: list[dict[str, Any]],
) -> FusionConfig:
    """For each weight of the keyword credit, margin for passage matches and share of a
    long post's best part, the floor for short questions and the floor for long posts
    making the fewest wrong calls on dev within the goals; keep the combination making the
    fewest."""
    base = replace(retriever.config, floor=-1.0, floor_long=-1.0)
    in_scope = dev.short + dev.long_all
    best: tuple[tuple[bool, int], FusionConfig] | None = None
    for beta, margin, share in itertools.product(
        (0.0, 0.05, 0.1), (0.0, 0.05, 1.0), (0.0, 0.25, 0.5)
    ):
        tried = replace(base, confidence_bm25=beta, passage_margin=margin,
                        confidence_max_share=share)  # fmt: skip
        r = retriever.with_config(**asdict(tried))
        runs = run_all(r, in_scope + dev.oos, qvecs, k=1)
        choice: dict[str, FloorChoice] = {}
        for kind, long in (("floor", False), ("floor_long", True)):
            ins = [runs[q["id"]].confidence for q in in_scope if is_long(q["query"]) == long]
            outs = [runs[q["id"]].confidence for q in dev.oos if is_long(q["query"]) == long]
            choice[kind] = choose_floor(
                ins,
                outs,
                max_false_rejection=MAX_FALSE_REJECTION,
                min_oos_rejection=MIN_OOS_REJECTION,
            )
        rows.append(
            {"confidence_bm25": beta, "passage_margin": margin, "confidence_max_share": share}
            | {f"{k}_{f}": getattr(c, f) for k, c in choice.items()
               for f in ("floor", "oos_rejection", "false_rejection", "errors")}
        )
        rank = (
            not all(c.meets_goals for c in choice.values()),
            sum(c.errors for c in choice.values()),
        )
        if best is None or rank < best[0]:
            best = (
                rank,
                replace(tried, floor=choice["floor"].floor, floor_long=choice["floor_long"].floor),
            )
    assert best is not None
    return best[1]


def choose_closest(
    retriever: HybridRetriever, cfg: FusionConfig, dev: EvalSets, qvecs: dict[str, Any]
) -> float:
    """How far above its floor an answer is labelled "closest guidance": as far above as
    the nearest refused off-topic dev question is below it (short questions and long
    posts each against their own floor; the wider of the two). An answer that close to the
    floor is as near to off-topic as to in scope, so it is shown as the nearest help the
    library has rather than as a sure answer. (The highest answered off-topic question
    would set a wider band, but on dev that is one outlier, "tell me a joke about
    accountants" at 0.565, which would have labelled 13% of short answers.)"""
    r = retriever.with_config(**asdict(replace(cfg, closest_margin=0.0)))
    runs = run_all(r, dev.oos, qvecs, k=1)
    margins = [0.0]
    for long, floor in ((False, cfg.floor), (True, cfg.floor_long)):
        below = [
            runs[q["id"]].confidence
            for q in dev.oos
            if is_long(q["query"]) == long and runs[q["id"]].confidence < floor
        ]
        if below:
            margins.append(floor - max(below))
    return round(max(margins), 4)


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
            figures: dict[str, Any] = {}
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
            from ir_measures import RR, R

            intervals = {
                name: bootstrap_interval(per_query(qs, chosen_runs, measure))
                for name, measure in (("recall_5", R @ 5), ("mrr_10", RR @ 10))
            }
            figures["chosen_95ci"] = intervals
            report["splits"][split][key] = figures
            lines.append(
                f"\nChosen retriever, 95% bootstrap interval over these questions: Recall@5 "
                f"{intervals['recall_5'][0]:.3f}–{intervals['recall_5'][1]:.3f}, MRR@10 "
                f"{intervals['mrr_10'][0]:.3f}–{intervals['mrr_10'][1]:.3f}"
            )
        r = retriever.with_config(**asdict(chosen))
        refusals = {
            "long posts (in scope, labelled or not)": ev.long_all,
            "out of scope, short": ev.oos_short,
            "out of scope, long posts": ev.oos_long,
            "out of scope, all": ev.oos,
        }
        lines.append(f"\n### {split} split, refusals with the chosen retriever\n")
        lines += ["| set | questions | refused |", "|---|---|---|"]
        report["splits"][split]["refusals"] = {}
        for name, qs in refusals.items():
            if not qs:
                continue
            runs = run_all(r, qs, qvecs, k=1)
            rate = sum(x.rejected for x in runs.values()) / len(qs)
            report["splits"][split]["refusals"][name] = {"n": len(qs), "refused": rate}
            lines.append(f"| {name} | {len(qs)} | {rate:.3f} |")
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


# --- answers ----------------------------------------------------------------------------

KEYPOINT_COVERED = 0.6  # share of a key point's content words found in the answer


def keypoint_covered(point: str, answer: str) -> bool:
    """A key point counts as covered when most of its content words (their stems, with
    the stemmer retrieval uses) appear in the answer — a simple, deterministic check."""
    words = stems(point)
    return bool(words) and len(words & stems(answer)) / len(words) >= KEYPOINT_COVERED


QUOTE_BLOCK_RE = re.compile(r"(?m)(?:^>.*(?:\n|$))+")
CITE_RE = re.compile(r"\s*\[\d+(?:,\s*\d+)*\]")


def steps_whole(answer: str, card: Card | None) -> bool:
    """Every step of the card appears verbatim, in order."""
    if card is None:
        return False
    at = [answer.find(step) for step in card.steps]
    return -1 not in at and at == sorted(at)


def opening_sentences(article: Article) -> list[str]:
    """The sentences of an article's first paragraph (after its '# title'), the part
    that speaks to the reader's thoughts and must never answer for the article."""
    paragraphs = [p for p in article.body.split("\n\n") if p.strip()]
    body = [p for p in paragraphs if not p.lstrip().startswith("#")]
    return [x for x in sentences_of(body[0]) if len(x.split()) > 4] if body else []


def fragments(answer: str) -> list[str]:
    """Quoted examples that are not complete, and lines of prose that stop mid-thought
    (labels in bold and the 'Read more' line aside)."""
    bad = []
    for block in QUOTE_BLOCK_RE.findall(answer):
        text = "\n".join(ln[1:].strip() for ln in block.splitlines())
        if not is_complete(text):
            bad.append(text)
    for line in answer.splitlines():
        line = CITE_RE.sub("", line).strip()
        if not line or line.startswith((">", "Read more:")) or (
            line.startswith("**") and line.endswith("**")
        ):
            continue
        if not is_complete(re.sub(r"^(?:\d+\.|[-*])\s+", "", line)):
            bad.append(line)
    return bad


def first_use_in_order(answer: str) -> bool:
    order = [int(n) for n in dict.fromkeys(re.findall(r"\[(\d+)\]", answer))]
    return order == list(range(1, len(order) + 1))


def _share(values: Sequence[bool]) -> float:
    return sum(values) / len(values) if values else 0.0


def care_eval(settings: Any, retriever: Any, model: Any) -> dict[str, Any]:
    """The distress and crisis sets (evals/answers/distress.jsonl, crisis.jsonl): every
    message handled as labelled — care opened for distress and not otherwise; the crisis
    reply for a crisis and not otherwise."""
    from assistant.chat import ask

    out: dict[str, Any] = {}
    for name, label in (("distress", "distress"), ("crisis", "crisis")):
        path = EVALS / "answers" / f"{name}.jsonl"
        rows = read_jsonl(path) if path.is_file() else []
        per = []
        for row in rows:
            result = ask(row["message"], settings=settings, retriever=retriever, model=model)
            crisis = result.kind == "crisis"
            cared = bool(result.data and result.data.get("care") == "distress")
            if name == "distress":
                ok = (cared or crisis) if row[label] else not (cared or crisis)
            else:
                ok = crisis if row[label] else not crisis
            per.append({"id": row["id"], "expected": row[label], "kind": result.kind,
                        "care": cared, "ok": ok})
        positives = [p for p in per if p["expected"]]
        out[name] = {
            "messages": len(per), "positives": len(positives),
            "handled": _share([p["ok"] for p in per]),
            "positives_handled": _share([p["ok"] for p in positives]),
            "negatives_handled": _share([p["ok"] for p in per if not p["expected"]]),
            "escalated_to_crisis": sum(p["kind"] == "crisis" for p in positives)
            if name == "distress" else 0,
            "missed": [p["id"] for p in per if not p["ok"]],
        }
    return out


def answer_sample(
    settings: Any, retriever: Any, model: Any, sample: Path, out: Path,
    echo: Callable[[str], None] = print,
) -> int:
    """Answer every question in ``sample`` (JSONL with 'id' and 'question') and write
    them for reviewers to rate: id, question and the answer exactly as a mentee sees it
    (its sources by title), nothing about how it was composed."""
    from assistant.chat import ask

    rows = read_jsonl(sample)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for row in rows:
            result = ask(row["question"], settings=settings, retriever=retriever, model=model)
            fh.write(json.dumps({
                "id": row["id"], "question": row["question"], "answer": result.answer,
                "mode": result.mode, "sources": [c.title for c in result.citations],
            }, ensure_ascii=False) + "\n")
    echo(f"Wrote {len(rows)} answers to {out}")
    return len(rows)


def answers_eval(
    settings: Any,
    retriever: Any,
    model: Any,
    *,
    write: bool = True,
    echo: Callable[[str], None] = print,
    limit: int | None = None,
) -> dict[str, Any]:
    """Answer figures on evals/answers/questions.jsonl (citations, key points, the card's
    shape) and on the distress and crisis sets. Goals are printed with each figure."""
    from assistant.chat import ask
    from assistant.index import article_map

    articles = article_map(settings)
    openings = {doc: opening_sentences(a) for doc, a in articles.items()}
    rows = read_jsonl(EVALS / "answers" / "questions.jsonl")[:limit]
    in_scope = [r for r in rows if not r.get("out_of_scope")]
    oos = [r for r in rows if r.get("out_of_scope")]
    per: list[dict[str, Any]] = []
    overheads: list[float] = []
    for row in rows:
        result = ask(row["question"], settings=settings, retriever=retriever, model=model)
        shown = {int(n) for n in re.findall(r"\[(\d+)\]", result.answer)}
        cited_docs = {c.doc_id for c in result.citations}
        points = row.get("key_points", [])
        covered = [p for p in points if keypoint_covered(p, result.answer)]
        overheads.append(result.timings.get("total", 0.0) - result.timings.get("model", 0.0))
        first = result.citations[0] if result.citations else None
        per.append({
            "id": row["id"], "kind": result.kind, "grounded": result.grounded,
            "citations": len(result.citations),
            "valid": shown <= {c.n for c in result.citations},
            "invalid_removed": result.invalid_citations,
            "expected_hit": bool(cited_docs & set(row["expected_articles"])),
            "keypoints": len(points), "covered": len(covered),
            "steps_whole": steps_whole(result.answer, first.card if first else None),
            "opening_quoted": any(
                x in result.answer for c in result.citations for x in openings.get(c.doc_id, [])
            ),
            "fragments": fragments(result.answer),
            "first_use_in_order": first_use_in_order(result.answer),
            "question_back": QUESTION_BACK_LABEL in result.answer,
        })
    by_id = {p["id"]: p for p in per}
    ins = [by_id[r["id"]] for r in in_scope]
    answered = [p for p in ins if p["kind"] == "answer"]
    outs = [by_id[r["id"]] for r in oos]
    total_points = sum(p["keypoints"] for p in ins)
    care = care_eval(settings, retriever, model)
    library = model is None
    figures: list[tuple[str, str, float, float | None]] = [
        # (key, label, value, goal: at least this; None = no goal)
        ("with_citation", "answers with at least one citation",
         _share([p["citations"] > 0 for p in ins]), None),
        ("citation_validity", "citation validity", _share([p["valid"] for p in per]), 1.0),
        ("cites_expected_article", "cites an expected article",
         _share([p["expected_hit"] for p in ins]), None),
        ("keypoint_coverage", "key-point coverage",
         sum(p["covered"] for p in ins) / max(total_points, 1), 0.60),
        ("steps_whole", "first source's steps shown whole, in order",
         _share([p["steps_whole"] for p in answered]), 0.95 if library else None),
        ("no_opening_sentence", "no sentence from an article's first paragraph",
         _share([not p["opening_quoted"] for p in answered]), 1.0 if library else None),
        ("no_fragment", "no fragment (quotes complete, no line cut off)",
         _share([not p["fragments"] for p in answered]), 1.0 if library else None),
        ("at_most_two_sources", "sources per answer ≤ 2",
         _share([p["citations"] <= 2 for p in answered]), 1.0 if library else None),
        ("citations_in_order", "citations numbered 1, 2 … in order of first use",
         _share([p["first_use_in_order"] for p in answered]), 1.0 if library else None),
        ("question_back", "ends with one question back",
         _share([p["question_back"] for p in answered]), 1.0 if library else None),
        ("no_guidance_correct", "no-guidance correct (out of scope)",
         _share([p["kind"] in ("no_guidance", "out_of_scope") for p in outs]), None),
        ("distress_handled", f"distress set handled ({care['distress']['messages']} messages)",
         care["distress"]["handled"], 1.0),
        ("crisis_handled", f"crisis set handled ({care['crisis']['messages']} messages)",
         care["crisis"]["handled"], 1.0),
    ]
    report: dict[str, Any] = {
        "mode": model.name if model is not None else "library",
        "questions": len(rows),
        **{key: round(value, 4) for key, _, value, _ in figures},
        "invalid_citations_removed": sum(p["invalid_removed"] for p in per),
        "sources_per_answer_mean": round(
            sum(p["citations"] for p in answered) / max(len(answered), 1), 3
        ),
        "overhead_ms_p50": round(statistics.median(overheads) * 1000, 1),
        "overhead_ms_p95": round(float(np.percentile(overheads, 95)) * 1000, 1),
        "care": care,
        "failed_goals": [key for key, _, v, goal in figures if goal is not None and v < goal],
        "per_question": per,
    }
    lines = [
        f"# Answer evaluation ({report['mode']} mode, {len(rows)} questions)\n",
        "| figure | value | goal | met |", "|---|---|---|---|",
        *(
            f"| {label} | {value:.3f} | {'' if goal is None else f'≥ {goal:.2f}'} | "
            f"{'' if goal is None else ('yes' if value >= goal else '**no**')} |"
            for _, label, value, goal in figures
        ),
        f"| sources per answer, mean | {report['sources_per_answer_mean']:.2f} | | |",
        f"| invalid citations removed | {report['invalid_citations_removed']} | | |",
        f"| pipeline overhead p50 (ms, model time excluded) | {report['overhead_ms_p50']} | | |",
        f"| pipeline overhead p95 (ms, model time excluded) | {report['overhead_ms_p95']} |"
        f" ≤ 60 | {'yes' if report['overhead_ms_p95'] <= 60 else '**no**'} |",
    ]
    for name in ("distress", "crisis"):
        c = care[name]
        lines.append(
            f"\n{name}: {c['positives']} of {c['messages']} messages labelled {name}; "
            f"labelled ones handled {c['positives_handled']:.3f}, others "
            f"{c['negatives_handled']:.3f}; missed: {', '.join(c['missed']) or 'none'}"
        )
    if report["failed_goals"]:
        lines.append(f"\nGoals not met: {', '.join(report['failed_goals'])}")
    text = "\n".join(lines)
    echo(text)
    if write and REPORTS is not None:
        REPORTS.mkdir(parents=True, exist_ok=True)
        suffix = "" if report["mode"] == "library" else "-model"
        (REPORTS / f"answers{suffix}.json").write_text(json.dumps(report, indent=2) + "\n")
        (REPORTS / f"answers{suffix}.md").write_text(text + "\n")
    return report
