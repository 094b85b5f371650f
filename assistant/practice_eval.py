"""`mentor eval practice`: how well the library-mode practice scorer agrees with people.

Data (evals/practice/): ``replies.jsonl`` ({id, scenario, reply, style, split}),
``labels_a.jsonl`` and ``labels_b.jsonl`` (two annotators, working apart) and
``labels.jsonl`` (the settled gold labels). Figures, per split (dev, where the rules were
checked, and test, which nothing was tuned on):

- exact agreement per dimension: the share of replies where the scorer's 0/1/2 equals
  the gold label; within one: the share where they differ by at most 1;
- ordered pairs: among pairs of replies to the same scenario whose gold totals differ by
  3 or more, the share the scorer's totals order the same way (a tie is not ordered).

Goals (issue 13): exact ≥ 0.80 on average and ≥ 0.70 on every dimension; ordered pairs
≥ 0.90. A reply the scorer refuses (empty, only emoji) counts as 0 on every dimension.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

from assistant.errors import InputError, MentorError
from assistant.knowledge import Scenario
from assistant.practice import check_reply, library_scorecard
from assistant.practice_score import DIMENSIONS

EXACT_GOAL, EXACT_EACH_GOAL, PAIRS_GOAL = 0.80, 0.70, 0.90


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def labels_by_id(path: Path) -> dict[str, dict[str, int]]:
    return {row["id"]: {d: int(row[d]) for d in DIMENSIONS} for row in read_jsonl(path)}


def coach_scores(scenario: Scenario, reply: str) -> dict[str, int]:
    try:
        text = check_reply(reply)
    except InputError:
        return dict.fromkeys(DIMENSIONS, 0)
    return library_scorecard(scenario, text).scores


def agreement(pred: Sequence[dict[str, int]], gold: Sequence[dict[str, int]]) -> dict[str, Any]:
    """Exact and within-one agreement per dimension, and their means over dimensions."""
    n = len(gold)
    exact = {d: sum(p[d] == g[d] for p, g in zip(pred, gold, strict=True)) / n for d in DIMENSIONS}
    near = {
        d: sum(abs(p[d] - g[d]) <= 1 for p, g in zip(pred, gold, strict=True)) / n
        for d in DIMENSIONS
    }
    return {
        "n": n,
        "exact": exact,
        "within_one": near,
        "exact_mean": sum(exact.values()) / len(DIMENSIONS),
        "within_one_mean": sum(near.values()) / len(DIMENSIONS),
    }


def ordered_pairs(
    scenarios: Sequence[str], pred: Sequence[dict[str, int]], gold: Sequence[dict[str, int]]
) -> tuple[float, int]:
    """(share ordered the same way, number of pairs) over same-scenario pairs whose gold
    totals differ by 3 or more; a tie in the scorer's totals counts as not ordered."""
    good = total = 0
    for i, j in combinations(range(len(gold)), 2):
        if scenarios[i] != scenarios[j]:
            continue
        g = sum(gold[i].values()) - sum(gold[j].values())
        if abs(g) < 3:
            continue
        total += 1
        p = sum(pred[i].values()) - sum(pred[j].values())
        good += (p > 0) == (g > 0) and p != 0
    return (good / total if total else float("nan")), total


def split_figures(
    rows: Sequence[dict[str, Any]], gold: dict[str, dict[str, int]], scenarios: dict[str, Scenario]
) -> dict[str, Any]:
    rows = [r for r in rows if r["id"] in gold]
    pred = [coach_scores(scenarios[r["scenario"]], r["reply"]) for r in rows]
    truth = [gold[r["id"]] for r in rows]
    figures = agreement(pred, truth)
    share, n_pairs = ordered_pairs([r["scenario"] for r in rows], pred, truth)
    figures.update(ordered_pairs=share, pairs=n_pairs)
    figures["goals_met"] = (
        figures["exact_mean"] >= EXACT_GOAL
        and min(figures["exact"].values()) >= EXACT_EACH_GOAL
        and share >= PAIRS_GOAL
    )
    return figures


def annotator_agreement(folder: Path) -> dict[str, Any] | None:
    a_path, b_path = folder / "labels_a.jsonl", folder / "labels_b.jsonl"
    if not (a_path.is_file() and b_path.is_file()):
        return None
    a, b = labels_by_id(a_path), labels_by_id(b_path)
    common = sorted(set(a) & set(b))
    return agreement([a[i] for i in common], [b[i] for i in common])


def table(name: str, f: dict[str, Any]) -> list[str]:
    head = "| split | n | " + " | ".join(DIMENSIONS) + " | mean |"
    lines = [f"### {name}", "", head, "|" + "---|" * (len(DIMENSIONS) + 3)]
    for key, label in (("exact", "exact"), ("within_one", "within one")):
        cells = " | ".join(f"{f[key][d]:.3f}" for d in DIMENSIONS)
        lines.append(f"| {label} | {f['n']} | {cells} | {f[key + '_mean']:.3f} |")
    if "ordered_pairs" in f:
        lines += [
            "",
            f"Ordered pairs: {f['ordered_pairs']:.3f} of {f['pairs']} same-scenario "
            "pairs whose labelled totals differ by 3 or more.",
        ]
    return [*lines, ""]


def practice_eval(
    folder: Path,
    scenarios: dict[str, Scenario],
    echo: Callable[[str], None] = print,
    report_dir: Path | None = None,
) -> dict[str, Any]:
    """Print and write the figures; returns them."""
    gold_path = folder / "labels.jsonl"
    if not gold_path.is_file():
        raise MentorError(
            f"No settled labels at {gold_path}.", "Settle labels_a and labels_b first."
        )
    rows, gold = read_jsonl(folder / "replies.jsonl"), labels_by_id(gold_path)
    unknown = sorted({r["scenario"] for r in rows} - set(scenarios))
    if unknown:
        raise MentorError(f"Replies name unknown scenarios: {', '.join(unknown)}.")
    report: dict[str, Any] = {"scorer": "library (deterministic rules)"}
    lines = ["# Practice scorer: agreement with settled labels", ""]
    for split in ("dev", "test"):
        report[split] = split_figures([r for r in rows if r["split"] == split], gold, scenarios)
        lines += table(f"{split} split", report[split])
    if (ann := annotator_agreement(folder)) is not None:
        report["annotators"] = ann
        lines += table("annotator A vs annotator B (all replies, before settling)", ann)
    t = report["test"]
    lines.append(
        f"Goals on test (exact mean ≥ {EXACT_GOAL}, every dimension ≥ {EXACT_EACH_GOAL}, "
        f"ordered pairs ≥ {PAIRS_GOAL}): {'met' if t['goals_met'] else 'NOT met'}."
    )
    text = "\n".join(lines)
    echo(text)
    if report_dir is not None:
        report_dir.mkdir(parents=True, exist_ok=True)
        (report_dir / "practice.json").write_text(json.dumps(report, indent=2) + "\n")
        (report_dir / "practice.md").write_text(text + "\n")
    return report
