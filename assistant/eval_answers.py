"""`mentor eval answers`: citation, grounding, key-point, answer-card and care figures for
Ask's answers (library mode unless a model is configured), and the sample of answers for a
blind rating. The retrieval evaluation and the shared helpers are in evaluation.py."""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.cards import is_complete, sentences_of
from assistant.compose import QUESTION_BACK_LABEL
from assistant.evaluation import EVALS, REPORTS, read_jsonl
from assistant.knowledge import Article, Card
from assistant.text import stems

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
        if (
            not line
            or line.startswith((">", "Read more:"))
            or (line.startswith("**") and line.endswith("**"))
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
            per.append(
                {
                    "id": row["id"],
                    "expected": row[label],
                    "kind": result.kind,
                    "care": cared,
                    "ok": ok,
                }
            )
        positives = [p for p in per if p["expected"]]
        out[name] = {
            "messages": len(per),
            "positives": len(positives),
            "handled": _share([p["ok"] for p in per]),
            "positives_handled": _share([p["ok"] for p in positives]),
            "negatives_handled": _share([p["ok"] for p in per if not p["expected"]]),
            "escalated_to_crisis": sum(p["kind"] == "crisis" for p in positives)
            if name == "distress"
            else 0,
            "missed": [p["id"] for p in per if not p["ok"]],
        }
    return out


def answer_sample(
    settings: Any,
    retriever: Any,
    model: Any,
    sample: Path,
    out: Path,
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
            fh.write(
                json.dumps(
                    {
                        "id": row["id"],
                        "question": row["question"],
                        "answer": result.answer,
                        "mode": result.mode,
                        "sources": [c.title for c in result.citations],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    echo(f"Wrote {len(rows)} answers to {out}")
    return len(rows)


def _answer_row(row: dict[str, Any], result: Any, openings: dict[str, list[str]]) -> dict[str, Any]:
    """What one answer shows, for the figures: citations, key points, the card's shape."""
    shown = {int(n) for n in re.findall(r"\[(\d+)\]", result.answer)}
    cited_docs = {c.doc_id for c in result.citations}
    points = row.get("key_points", [])
    first = result.citations[0] if result.citations else None
    return {
        "id": row["id"],
        "kind": result.kind,
        "grounded": result.grounded,
        "citations": len(result.citations),
        "valid": shown <= {c.n for c in result.citations},
        "invalid_removed": result.invalid_citations,
        "expected_hit": bool(cited_docs & set(row["expected_articles"])),
        "keypoints": len(points),
        "covered": len([p for p in points if keypoint_covered(p, result.answer)]),
        "steps_whole": steps_whole(result.answer, first.card if first else None),
        "opening_quoted": any(
            x in result.answer for c in result.citations for x in openings.get(c.doc_id, [])
        ),
        "fragments": fragments(result.answer),
        "first_use_in_order": first_use_in_order(result.answer),
        "question_back": QUESTION_BACK_LABEL in result.answer,
    }


Figure = tuple[str, str, float, float | None]  # key, label, value, goal (at least; None: none)


def _figures(
    ins: list[dict[str, Any]],
    answered: list[dict[str, Any]],
    outs: list[dict[str, Any]],
    per: list[dict[str, Any]],
    care: dict[str, Any],
    *,
    library: bool,
) -> list[Figure]:
    """Every figure with its goal; the card's goals apply to library mode."""
    total_points = sum(p["keypoints"] for p in ins)
    card = 1.0 if library else None  # the card's goals hold in library mode

    def share(rows: list[dict[str, Any]], key: str) -> float:
        return _share([bool(p[key]) for p in rows])

    points = sum(p["covered"] for p in ins) / max(total_points, 1)
    no_guidance = _share([p["kind"] in ("no_guidance", "out_of_scope") for p in outs])
    distress, crisis = care["distress"], care["crisis"]
    return [
        ("with_citation", "answers with at least one citation", share(ins, "citations"), None),
        ("citation_validity", "citation validity", share(per, "valid"), 1.0),
        ("cites_expected_article", "cites an expected article", share(ins, "expected_hit"), None),
        ("keypoint_coverage", "key-point coverage", points, 0.60),
        (
            "steps_whole",
            "first source's steps shown whole, in order",
            share(answered, "steps_whole"),
            0.95 if library else None,
        ),
        (
            "no_opening_sentence",
            "no sentence from an article's first paragraph",
            1 - share(answered, "opening_quoted"),
            card,
        ),
        (
            "no_fragment",
            "no fragment (quotes complete, no line cut off)",
            1 - share(answered, "fragments"),
            card,
        ),
        (
            "at_most_two_sources",
            "sources per answer ≤ 2",
            _share([p["citations"] <= 2 for p in answered]),
            card,
        ),
        (
            "citations_in_order",
            "citations numbered 1, 2 … in order of first use",
            share(answered, "first_use_in_order"),
            card,
        ),
        ("question_back", "ends with one question back", share(answered, "question_back"), card),
        ("no_guidance_correct", "no-guidance correct (out of scope)", no_guidance, None),
        (
            "distress_handled",
            f"distress set handled ({distress['messages']} messages)",
            distress["handled"],
            1.0,
        ),
        (
            "crisis_handled",
            f"crisis set handled ({crisis['messages']} messages)",
            crisis["handled"],
            1.0,
        ),
    ]


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
    per, overheads = [], []
    for row in rows:
        result = ask(row["question"], settings=settings, retriever=retriever, model=model)
        overheads.append(result.timings.get("total", 0.0) - result.timings.get("model", 0.0))
        per.append(_answer_row(row, result, openings))
    by_id = {p["id"]: p for p in per}
    ins = [by_id[r["id"]] for r in in_scope]
    answered = [p for p in ins if p["kind"] == "answer"]
    outs = [by_id[r["id"]] for r in oos]
    care = care_eval(settings, retriever, model)
    figures = _figures(ins, answered, outs, per, care, library=model is None)
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
        "| figure | value | goal | met |",
        "|---|---|---|---|",
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
