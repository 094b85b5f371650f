"""`mentor eval outreach`: the rubric over evals/outreach/requests/*.yaml.

Each file is one request with an ``expect`` block: ``result`` (``complete`` or
``refused``), ``field`` (refused: the dotted field the error must name) and, for injection
cases, ``must_not_contain``. A document that is not a mapping cannot carry ``expect``; it
is expected to be refused naming ``request``.

Figures: per-rule pass rates over every draft of the complete requests; the share of
complete requests whose every draft passes every rule (and contains nothing it must
not); the share of incomplete requests refused with a message naming the field; with a
model, the same before and after the one automatic revision.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import InputError
from assistant.llm import ChatModel
from assistant.outreach import compose
from assistant.outreach_request import parse_request
from assistant.outreach_rubric import RULE_NAMES

ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\ufeff")


@dataclass
class Case:
    name: str
    data: Any
    expect: dict[str, Any]


@dataclass
class CaseResult:
    case: Case
    refused: str | None = None  # the error message
    drafts: list[dict[str, Any]] = field(default_factory=list)
    mode: str = ""
    error: str | None = None
    leaked: list[str] = field(default_factory=list)  # must_not_contain found in a draft

    @property
    def complete(self) -> bool:
        return bool(self.case.expect.get("result", "complete") == "complete")

    @property
    def ok(self) -> bool:
        if not self.complete:
            want = str(self.case.expect.get("field", ""))
            return self.refused is not None and want in self.refused
        return (
            self.refused is None
            and bool(self.drafts)
            and not self.leaked
            and all(bool(d["passed"]) for d in self.drafts)
        )


def load_cases(folder: Path) -> list[Case]:
    cases = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("expect"), dict):
            expect = dict(data.pop("expect"))
        else:
            expect = {"result": "refused", "field": "request"}
        cases.append(Case(path.stem, data, expect))
    return cases


def run_case(case: Case, model: ChatModel | None, knowledge_dir: Path) -> CaseResult:
    try:
        request = parse_request(case.data)
    except InputError as exc:
        return CaseResult(case, refused=str(exc))
    drafts, mode, error = compose(request, model, knowledge_dir)
    res = CaseResult(case, drafts=drafts, mode=mode, error=error)
    banned = [str(s) for s in case.expect.get("must_not_contain", [])] + list(ZERO_WIDTH)
    for d in drafts:
        text = f"{d['subject']}\n{d['body']}".lower()
        res.leaked += [s for s in banned if s.lower() in text]
    return res


def _rates(drafts: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    counts: dict[str, tuple[int, int]] = {}
    for d in drafts:
        for row in d["rubric"]:
            ok, n = counts.get(row["rule"], (0, 0))
            counts[row["rule"]] = (ok + bool(row["passed"]), n + 1)
    return {r: counts[r] for r in RULE_NAMES if r in counts}


def _first_attempts(drafts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d.get("revision", d) for d in drafts]


def summarise(results: list[CaseResult]) -> dict[str, Any]:
    complete = [r for r in results if r.complete]
    incomplete = [r for r in results if not r.complete]
    after = [d for r in complete for d in r.drafts]
    before = _first_attempts(after)
    return {
        "requests": len(results),
        "complete": len(complete),
        "incomplete": len(incomplete),
        "drafts": len(after),
        "modes": sorted({r.mode for r in complete if r.mode}),
        "model_errors": sum(1 for r in complete if r.error),
        "per_rule": _per_rule(after),
        "per_rule_first_attempt": _per_rule(before),
        "complete_all_pass": _share(sum(r.ok for r in complete), len(complete)),
        "incomplete_refused_naming_field": _share(sum(r.ok for r in incomplete), len(incomplete)),
        "drafts_passing_before_revision": _share(sum(d["passed"] for d in before), len(before)),
        "drafts_passing_after_revision": _share(sum(d["passed"] for d in after), len(after)),
        "drafts_revised": sum(1 for d in after if "revision" in d),
        "failures": [_failure(r) for r in results if not r.ok],
    }


def _per_rule(drafts: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        k: {"passed": a, "of": n, "rate": round(a / n, 3) if n else None}
        for k, (a, n) in _rates(drafts).items()
    }


def _share(k: int, n: int) -> dict[str, Any]:
    return {"count": k, "of": n, "share": round(k / n, 3) if n else None}


def _failure(r: CaseResult) -> dict[str, Any]:
    if not r.complete:
        return {
            "case": r.case.name,
            "expected_field": r.case.expect.get("field"),
            "got": r.refused or "a draft (not refused)",
        }
    failed = sorted({row["rule"] for d in r.drafts for row in d["rubric"] if not row["passed"]})
    return {
        "case": r.case.name,
        "refused": r.refused,
        "failed_rules": failed,
        "leaked": r.leaked,
        "error": r.error,
    }


def report_markdown(s: dict[str, Any], label: str) -> str:
    def pct(x: dict[str, Any]) -> str:
        return f"{x['count']}/{x['of']} = {x['share']:.3f}" if x["of"] else "n/a"

    lines = [
        f"# Outreach drafts — {label}",
        "",
        f"{s['requests']} requests ({s['complete']} complete, {s['incomplete']} "
        f"incomplete); {s['drafts']} drafts; mode: {', '.join(s['modes']) or 'n/a'}.",
        "",
        "| rule | passed | rate | first attempt (before revision) |",
        "|---|---|---|---|",
    ]
    for rule, v in s["per_rule"].items():
        b = s["per_rule_first_attempt"][rule]
        lines.append(
            f"| {rule} | {v['passed']}/{v['of']} | {v['rate']:.3f} | "
            f"{b['passed']}/{b['of']} = {b['rate']:.3f} |"
        )
    lines += [
        "",
        "| figure | value |",
        "|---|---|",
        f"| complete requests whose every draft passes | {pct(s['complete_all_pass'])} |",
        f"| incomplete requests refused naming the field | "
        f"{pct(s['incomplete_refused_naming_field'])} |",
        f"| drafts passing, first attempt | {pct(s['drafts_passing_before_revision'])} |",
        f"| drafts passing, after revision | {pct(s['drafts_passing_after_revision'])} |",
        f"| drafts revised | {s['drafts_revised']} |",
        f"| model errors (library fallback) | {s['model_errors']} |",
    ]
    if s["failures"]:
        lines += ["", "Failures:", ""] + [
            f"- `{json.dumps(f, ensure_ascii=False)}`" for f in s["failures"]
        ]
    return "\n".join(lines) + "\n"


def outreach_eval(
    cases_dir: Path,
    knowledge_dir: Path,
    model: ChatModel | None,
    report_dir: Path | None = None,
    echo: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run every request, print the figures and write reports/outreach(.model).md/json."""
    cases = load_cases(cases_dir)
    if not cases:
        raise InputError(f"No requests in {cases_dir}.", "Add YAML files to evals/outreach.")
    results = [run_case(c, model, knowledge_dir) for c in cases]
    summary = summarise(results)
    label = "library mode" if model is None else f"model {model.name}"
    text = report_markdown(summary, label)
    echo(text)
    if report_dir is not None:
        report_dir.mkdir(parents=True, exist_ok=True)
        stem = "outreach" if model is None else "outreach-model"
        (report_dir / f"{stem}.md").write_text(text, encoding="utf-8")
        (report_dir / f"{stem}.json").write_text(
            json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return summary
