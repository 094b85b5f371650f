"""`mentor practice` and `mentor eval practice` as a user runs them: real processes, a
real SQLite file, JSON on stdout, plain messages and exit codes on errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.practice_score import DIMENSIONS
from tests.support import KNOWLEDGE

SCENARIO = "vague-be-more-strategic"
STRONG = (
    "Thanks Lucía, that's useful to hear. Could you give me an example of a moment when I was "
    "in the weeds? I'll draft a one-page recommendation on the expansion question by Friday. "
    "Could we check in after the trustees' meeting?"
)


def mentor(
    *args: str, env: dict[str, str], stdin: str | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )
    assert "Traceback" not in res.stderr, res.stderr
    if check:
        assert res.returncode == 0, res.stderr
    return res


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MENTOR_", "OPENAI_"))}
    return {**base, "MENTOR_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}


def check_shape(data: dict[str, object]) -> None:
    assert set(data) == {"scenario", "scores", "total", "max", "feedback", "example"}
    scores = data["scores"]
    assert isinstance(scores, dict) and list(scores) == list(DIMENSIONS)
    assert data["total"] == sum(scores.values()) and data["max"] == 12
    feedback = data["feedback"]
    assert isinstance(feedback, list) and len(feedback) == 6
    for item in feedback:
        assert set(item) == {"dimension", "score", "evidence", "suggestion", "source"}


def test_list_shows_every_scenario(env: dict[str, str]) -> None:
    out = mentor("practice", "--list", env=env).stdout
    for path in (KNOWLEDGE / "scenarios").glob("*.yaml"):
        assert path.stem in out


@pytest.mark.slow  # > 4 s: kept out of the fast tier
def test_one_reply_json_and_text_and_saved_attempt(env: dict[str, str], tmp_path: Path) -> None:
    data = json.loads(
        mentor("practice", "--scenario", SCENARIO, "--reply", STRONG, "--json", env=env).stdout
    )
    check_shape(data)
    assert data["total"] >= 10
    evidence = {f["dimension"]: f["evidence"] for f in data["feedback"]}
    assert evidence["clarify"] in STRONG and "example" in evidence["clarify"]
    text = mentor("practice", "--scenario", SCENARIO, "--reply", "Whatever.", env=env).stdout
    assert "Composure" in text and "Try:" in text and "Lucía Fernández:" in text
    listed = mentor("practice", "--attempts", env=env).stdout
    ids = [line.split()[0] for line in listed.splitlines() if SCENARIO in line]
    assert len(ids) == 2
    target = tmp_path / "attempt.md"
    mentor("practice", "--export", ids[0][:8], "-o", str(target), env=env)
    assert "# Practice:" in target.read_text() and "Score " in target.read_text()
    mentor("practice", "--delete", ids[0][:8], env=env)
    assert ids[0] not in mentor("practice", "--attempts", env=env).stdout


def test_batch_one_line_out_per_input_and_bad_lines_go_on(
    env: dict[str, str], tmp_path: Path
) -> None:
    lines = [
        json.dumps({"scenario": SCENARIO, "reply": STRONG}),
        "this is not json",
        json.dumps({"scenario": "no-such-scenario", "reply": "Thanks!"}),
        json.dumps({"scenario": SCENARIO, "reply": ""}),
        json.dumps({"scenario": SCENARIO}),
        "",
        json.dumps({"scenario": SCENARIO, "reply": "Okay, I'll do better."}),
    ]
    path = tmp_path / "replies.jsonl"
    path.write_text("\n".join(lines) + "\n")
    rows = [
        json.loads(x)
        for x in mentor("practice", "--batch", str(path), "--json", env=env).stdout.splitlines()
    ]
    assert len(rows) == 6  # the blank line is not an input
    check_shape(rows[0])
    check_shape(rows[5])
    assert rows[5]["scores"]["next_step"] == 1
    for row, scenario in zip(
        rows[1:5], [None, "no-such-scenario", SCENARIO, SCENARIO], strict=True
    ):
        assert set(row) == {"scenario", "error"} and row["scenario"] == scenario
        assert row["error"]
    assert "empty" in rows[3]["error"]


def test_errors_are_messages_with_exit_codes(env: dict[str, str]) -> None:
    res = mentor("practice", "--scenario", "nope", "--reply", "Thanks", env=env, check=False)
    assert res.returncode == 2 and "no practice scenario" in res.stderr
    res = mentor("practice", "--scenario", SCENARIO, "--reply", "x" * 50_000, env=env, check=False)
    assert res.returncode == 2 and "50,000 characters" in res.stderr


def test_interactive_three_exchanges(env: dict[str, str]) -> None:
    replies = ["1", "Okay, thanks. What do you mean?", STRONG, "I'll send it Friday.", ""]
    res = mentor("practice", env=env, stdin="\n".join(replies) + "\n")
    assert res.stdout.count("Score ") == 3
    assert "Saved as practice attempt" in res.stdout
    assert "end of this attempt" in res.stdout


def write_eval_set(folder: Path) -> None:
    folder.mkdir()
    replies = [
        ("d1", SCENARIO, STRONG, "dev"),
        ("d2", SCENARIO, "Whatever.", "dev"),
        ("t1", SCENARIO, STRONG, "test"),
        ("t2", SCENARIO, "Okay.", "test"),
    ]
    good = dict(acknowledge=2, clarify=2, ownership=1, composure=2, next_step=2, follow_up=2)
    bad = dict.fromkeys(DIMENSIONS, 0)
    rows = [
        {"id": i, "scenario": s, "reply": r, "style": "x", "split": sp} for i, s, r, sp in replies
    ]
    labels = [
        {"id": "d1", **good},
        {"id": "d2", **bad},
        {"id": "t1", **good},
        {"id": "t2", **bad, "composure": 2},
    ]
    (folder / "replies.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    text = "\n".join(json.dumps(r) for r in labels) + "\n"
    for name in ("labels.jsonl", "labels_a.jsonl", "labels_b.jsonl"):
        (folder / name).write_text(text)


def test_eval_practice_prints_agreement_and_ordered_pairs(
    env: dict[str, str], tmp_path: Path
) -> None:
    write_eval_set(tmp_path / "set")
    out = mentor("eval", "practice", "--data", str(tmp_path / "set"), env=env).stdout
    assert "dev split" in out and "test split" in out and "annotator A vs annotator B" in out
    assert "Ordered pairs: 1.000 of 1" in out
    assert "within one" in out


def test_eval_practice_without_labels_says_what_to_do(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    res = mentor("eval", "practice", "--data", str(tmp_path / "empty"), env=env, check=False)
    assert res.returncode == 1 and "No settled labels" in res.stderr
