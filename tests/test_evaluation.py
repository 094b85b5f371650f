"""The evaluation's own arithmetic on fixed inputs: metrics, the floor choice, intervals."""

from __future__ import annotations

import pytest
from ir_measures import RR, R

from assistant.eval_tuning import choose_floor
from assistant.evaluation import bootstrap_interval, per_query, score_runs
from assistant.results import Result, Retrieval


def _run(query: str, doc_ids: list[str], rejected: bool = False) -> Retrieval:
    results = [Result(d, d, "goals", f"{d}.md", 1.0 - i / 10, ()) for i, d in enumerate(doc_ids)]
    return Retrieval(query, [] if rejected else results, rejected, 0.5)


QUESTIONS = [
    {"id": "q1", "relevant": ["a"]},  # found first
    {"id": "q2", "relevant": ["b", "c"]},  # one of two in the top 5, at rank 2
    {"id": "q3", "relevant": ["d"]},  # found at rank 6: outside the top 5
    {"id": "q4", "relevant": ["e"]},  # rejected
]
RUNS = {
    "q1": _run("q1", ["a", "x", "y"]),
    "q2": _run("q2", ["x", "b", "y"]),
    "q3": _run("q3", ["p", "q", "r", "s", "t", "d"]),
    "q4": _run("q4", ["e"], rejected=True),
}


def test_scores_count_a_rejected_question_as_a_miss() -> None:
    oos = {"o1": _run("o1", [], rejected=True), "o2": _run("o2", ["a"])}
    s = score_runs(QUESTIONS, RUNS, oos)
    assert s.recall_1 == pytest.approx(1 / 4)
    assert s.recall_5 == pytest.approx((1 + 0.5 + 0 + 0) / 4)
    assert s.success_5 == pytest.approx(2 / 4)
    assert s.mrr_10 == pytest.approx((1 + 1 / 2 + 1 / 6 + 0) / 4)
    assert s.oos_rejection == pytest.approx(0.5)
    assert s.false_rejection == pytest.approx(0.25)


def test_per_query_values_average_to_the_reported_figure() -> None:
    s = score_runs(QUESTIONS, RUNS, {})
    recall = per_query(QUESTIONS, RUNS, R @ 5)
    assert recall == pytest.approx([1.0, 0.5, 0.0, 0.0])
    assert sum(recall) / len(recall) == pytest.approx(s.recall_5)
    rr = per_query(QUESTIONS, RUNS, RR @ 10)
    assert sum(rr) / len(rr) == pytest.approx(s.mrr_10)


def test_bootstrap_interval_brackets_the_mean_and_narrows_with_more_questions() -> None:
    few = [1.0, 0.0] * 10
    many = few * 20
    lo, hi = bootstrap_interval(few)
    assert lo < 0.5 < hi
    lo2, hi2 = bootstrap_interval(many)
    assert lo2 < 0.5 < hi2
    assert hi2 - lo2 < hi - lo
    assert bootstrap_interval([1.0] * 5) == (1.0, 1.0)


def test_floor_makes_fewest_wrong_calls_within_the_goals() -> None:
    in_scope = [0.9, 0.8, 0.7, 0.6, 0.35]
    out_of_scope = [0.1, 0.2, 0.3]
    # Any floor in (0.3, 0.35) refuses every out-of-scope question and no in-scope one.
    best = choose_floor(in_scope, out_of_scope, max_false_rejection=0.0, min_oos_rejection=1.0)
    assert best.errors == 0 and best.meets_goals
    assert 0.3 < best.floor < 0.35
    # Overlapping confidences: the goals come first, then the fewest wrong calls.
    overlap = choose_floor(
        [0.9, 0.5, 0.2], [0.3, 0.1], max_false_rejection=0.34, min_oos_rejection=1.0
    )
    assert overlap.meets_goals and overlap.errors == 1
    assert 0.3 < overlap.floor < 0.5


def test_eval_sets_keep_short_long_and_out_of_scope_apart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Long posts are scored once labelled (their refusals counted either way); long
    off-topic posts come from out_of_scope.jsonl ("kind": "long") or their own file."""
    import json

    from assistant.evaluation import is_long, load_sets

    folder = tmp_path / "retrieval"
    folder.mkdir()

    def write(name: str, rows: list[dict[str, object]]) -> None:
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows))

    post = "My manager ignores me.\n" + "I have tried talking to her twice. " * 12 + "What now?"
    write("questions.jsonl", [{"id": "s1", "query": "q", "relevant": ["a"], "split": "dev"}])
    write("long_questions.jsonl", [
        {"id": "l1", "query": post, "relevant": ["a"], "split": "dev"},
        {"id": "l2", "query": post, "split": "dev"},
        {"id": "l3", "query": post, "relevant": ["b"], "split": "test"},
    ])  # fmt: skip
    write("out_of_scope.jsonl", [
        {"id": "o1", "query": "lasagna", "split": "dev"},
        {"id": "o2", "query": post, "split": "dev", "kind": "long"},
    ])  # fmt: skip
    write("long_out_of_scope.jsonl", [
        {"id": "o2", "query": post, "split": "dev"},  # already in out_of_scope.jsonl
        {"id": "o3", "query": post, "split": "dev"},
    ])  # fmt: skip
    dev = load_sets("dev", tmp_path)
    assert [q["id"] for q in dev.short] == ["s1"]
    assert [q["id"] for q in dev.long] == ["l1"] and [q["id"] for q in dev.long_all] == ["l1", "l2"]
    assert [q["id"] for q in dev.oos_short] == ["o1"]
    assert [q["id"] for q in dev.oos_long] == ["o2", "o3"]
    assert is_long(post) and not is_long("lasagna")


# --- answer-card checks (mentor eval answers) -------------------------------------------


def test_answer_card_checks_can_fail() -> None:
    from assistant.eval_answers import first_use_in_order, fragments, steps_whole
    from assistant.knowledge import Card

    card = Card("article", "Short answer. Second sentence here.", ("Do a.", "Do b.", "Do c."),
                "Don't do d.")
    assert steps_whole("1. Do a.\n2. Do b.\n3. Do c.", card)
    assert not steps_whole("1. Do b.\n2. Do a.\n3. Do c.", card)  # out of order
    assert not steps_whole("1. Do a.\n2. Do b.", card)  # one missing
    assert fragments("**What to do**\n1. Do a. [1]\n\n> Hi Sam, thanks.\n\nRead more: [1] X") == []
    assert fragments("> Here is what she sent to her new mentor:") != []
    assert fragments("It sounds like you were") != []
    assert first_use_in_order("a [1] b [2] c [1]") and not first_use_in_order("a [2] b [1]")
