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

from assistant.compose import QUESTION_BACK_LABEL
from assistant.knowledge import Article, Card, is_complete, sentences_of
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

    def row(self, name: str) -> str:
        return (
            f"| {name} | {self.recall_1:.3f} | {self.recall_5:.3f} | {self.success_5:.3f} | "
            f"{self.mrr_10:.3f} | {self.ndcg_10:.3f} | {self.oos_rejection:.3f} | "
            f"{self.false_rejection:.3f} |"
        )


HEADER = (
    "| retriever | Recall@1 | Recall@5 | Success@5 | MRR@10 | nDCG@10 | out-of-scope rejected |"
    " in-scope falsely rejected |\n|---|---|---|---|---|---|---|---|"
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
    return {q["id"]: retriever.retrieve(q[key], k=k, qvec=qvecs[q["id"]]) for q in queries}


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


def retrieval_eval(
    retriever: HybridRetriever,
    *,
    tune: bool = False,
    out: Path | None = None,
    write: bool = True,
    echo: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Score dense, BM25 and hybrid retrieval on the dev and test splits. With ``tune``,
    choose fusion and floor on dev; the choice is written to ``out`` (for review and
    commit as assistant/tuned_fusion.json), never into the installed package."""
    questions = read_jsonl(EVALS / "retrieval" / "questions.jsonl")
    oos = read_jsonl(EVALS / "retrieval" / "out_of_scope.jsonl")
    dev = [q for q in questions if q["split"] == "dev"]
    test = [q for q in questions if q["split"] == "test"]
    oos_dev = [q for q in oos if q["split"] == "dev"]
    oos_test = [q for q in oos if q["split"] == "test"]
    t0 = time.perf_counter()
    everything = questions + oos
    vecs = retriever.embedder.embed_documents([q["query"] for q in everything])
    qvecs = {q["id"]: vecs[i] for i, q in enumerate(everything)}
    echo(f"Embedded {len(everything)} questions in {time.perf_counter() - t0:.1f}s")

    base = retriever.config
    no_floor = replace(base, floor=-1.0)
    chosen = base
    tuning_rows = []
    if tune:
        grid: list[FusionConfig] = []
        for lam, decay, qw in itertools.product(
            (0.7, 0.85, 1.0), (0.0, 0.3, 0.5, 0.7), (0.7, 0.8, 0.9, 1.0)
        ):
            base_cfg = replace(no_floor, mmr_lambda=lam, hit_decay=decay, question_weight=qw)
            for rrf_k in (10, 30, 60):
                grid.append(replace(base_cfg, method="rrf", rrf_k=rrf_k))
            for w in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
                grid.append(replace(base_cfg, method="weighted", dense_weight=w))
        best: tuple[float, FusionConfig] | None = None
        for cfg in grid:
            r = retriever.with_config(**asdict(cfg))
            s = score_runs(dev, run_all(r, dev, qvecs), {})
            objective = s.mrr_10 + s.recall_5
            tuning_rows.append({**asdict(cfg), "dev_mrr10": s.mrr_10, "dev_recall5": s.recall_5})
            if best is None or objective > best[0] + 1e-9:
                best = (objective, cfg)
        assert best is not None
        cfg = best[1]
        # The floor: for each weight of the keyword credit and margin for passage matches,
        # the floor making the fewest wrong calls on the dev questions within the issue's
        # goals (out-of-scope rejection >= 0.90, in-scope false rejection <= 0.03); keep
        # the combination making the fewest.
        best_floor: tuple[tuple[bool, int], FusionConfig] | None = None
        for beta, margin in itertools.product((0.0, 0.05, 0.1, 0.2), (0.0, 0.05, 0.1, 1.0)):
            tried = replace(cfg, confidence_bm25=beta, passage_margin=margin)
            r = retriever.with_config(**asdict(tried))
            in_runs, oos_runs = run_all(r, dev, qvecs), run_all(r, oos_dev, qvecs)
            fc = choose_floor(
                [x.confidence for x in in_runs.values()],
                [x.confidence for x in oos_runs.values()],
                max_false_rejection=0.03,
                min_oos_rejection=0.90,
            )
            tuning_rows.append(
                {"confidence_bm25": beta, "passage_margin": margin, "floor": fc.floor,
                 "dev_oos_rejection": fc.oos_rejection, "dev_false_rejection": fc.false_rejection}
            )
            rank = (not fc.meets_goals, fc.errors)
            if best_floor is None or rank < best_floor[0]:
                best_floor = (rank, replace(tried, floor=fc.floor))
        assert best_floor is not None
        chosen = best_floor[1]
        echo(
            f"Chosen on dev: {chosen.method} rrf_k={chosen.rrf_k} "
            f"dense_weight={chosen.dense_weight} mmr_lambda={chosen.mmr_lambda} "
            f"question_weight={chosen.question_weight} "
            f"floor={chosen.floor} confidence_bm25={chosen.confidence_bm25} "
            f"passage_margin={chosen.passage_margin}"
        )
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
    chosen_runs: dict[str, Retrieval] = {}
    for split, qs, oq in (("dev", dev, oos_dev), ("test", test, oos_test)):
        lines += [f"\n## {split} split ({len(qs)} questions, {len(oq)} out of scope)\n", HEADER]
        report["splits"][split] = {}
        for name, cfg in variants.items():
            r = retriever.with_config(**asdict(cfg))
            runs = run_all(r, qs, qvecs)
            s = score_runs(qs, runs, run_all(r, oq, qvecs))
            report["splits"][split][name] = asdict(s)
            lines.append(s.row(name + (" ← chosen" if cfg.method == chosen.method else "")))
            if cfg.method == chosen.method:
                chosen_runs = runs
        from ir_measures import RR, R

        intervals = {
            label: bootstrap_interval(per_query(qs, chosen_runs, measure))
            for label, measure in (("recall_5", R @ 5), ("mrr_10", RR @ 10))
        }
        report["splits"][split]["chosen_95ci"] = intervals
        lines.append(
            f"\nChosen retriever, 95% bootstrap interval over these questions: Recall@5 "
            f"{intervals['recall_5'][0]:.3f}–{intervals['recall_5'][1]:.3f}, MRR@10 "
            f"{intervals['mrr_10'][0]:.3f}–{intervals['mrr_10'][1]:.3f}"
        )
    # latency of the whole retrieve() on the test questions, query embedding included
    r = retriever.with_config(**asdict(chosen))
    times = []
    for q in test[:60]:
        t = time.perf_counter()
        r.retrieve(q["query"])
        times.append(time.perf_counter() - t)
    p50 = statistics.median(times) * 1000
    p95 = float(np.percentile(times, 95)) * 1000
    report["latency_ms"] = {"p50": round(p50, 1), "p95": round(p95, 1)}
    lines.append(
        f"\nretrieve() latency incl. query embedding: p50 {p50:.1f} ms, p95 {p95:.1f} ms\n"
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
