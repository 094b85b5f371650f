"""`mentor practice` and `mentor eval practice` (issue 13), registered on the main app by
``assistant.cli`` (``register(app, eval_app)``). Errors go through cli.py's ``friendly``."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from assistant.knowledge import Scenario
    from assistant.practice import Scorecard
    from assistant.runtime import Runtime


def _cli() -> Any:
    import assistant.cli as cli  # late: cli imports this module at its bottom

    return cli


def print_card(card: Scorecard) -> None:
    from assistant.practice import LABELS, MAX_SCORE

    out = _cli().out
    out.print(f"\n[bold]Score {card.total}/{MAX_SCORE}[/]", highlight=False)
    for p in card.points:
        out.print(f"  [bold]{LABELS[p.dimension]:<11}[/] {p.score}/2  {p.reason}", highlight=False)
        if p.evidence:
            out.print(f"               “{p.evidence}”", highlight=False)
        if p.score < 2:
            out.print(f"               Try: {p.suggestion}", highlight=False)
            out.print(f"               See: {p.source_title}", highlight=False)
    for note in card.notes:
        out.print(f"[yellow]Note:[/] {note}", highlight=False)


def list_scenarios(rt: Runtime) -> None:
    out = _cli().out
    for s in rt.scenarios.values():
        out.print(f"{s.id:<46} {s.category:<19} {s.difficulty:<7} {s.title}", highlight=False)


def run_batch(rt: Runtime, path: Path) -> None:
    """One JSON line out per input line, in order; a bad line gives {"scenario", "error"}."""
    from assistant.errors import MentorError

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        scenario: Any = None
        try:
            item = json.loads(line)
            scenario = item.get("scenario") if isinstance(item, dict) else None
            if not isinstance(scenario, str) or not isinstance(item.get("reply"), str):
                raise ValueError('expected {"scenario": "...", "reply": "..."}')
            print(json.dumps(rt.practice_scorecard(scenario, item["reply"]).to_json()))
        except MentorError as exc:
            print(json.dumps({"scenario": scenario, "error": str(exc)}))
        except json.JSONDecodeError:
            print(
                json.dumps({"scenario": None, "error": 'not JSON: expected {"scenario", "reply"}'})
            )
        except ValueError as exc:
            print(json.dumps({"scenario": scenario, "error": str(exc)}))


def one_exchange(rt: Runtime, scenario_id: str, reply: str, attempt: str | None) -> Any:
    """Run one exchange, printing status lines to stderr; returns the TurnResult."""
    from assistant.generation import Done, Status

    result = None
    for event in rt.practise(scenario_id, reply, attempt):
        if isinstance(event, Status):
            _cli().err.print(f"[dim]{event.text}[/]", highlight=False)
        elif isinstance(event, Done):
            result = event.result
    assert result is not None
    return result


def show_result(scenario: Scenario, result: Any) -> str | None:
    """Print a turn's scorecard and the giver's next line; returns that line."""
    from assistant.practice import Scorecard

    cli = _cli()
    data = result.data or {}
    if result.kind == "crisis":
        cli.out.print(result.answer, highlight=False)
        return None
    print_card(Scorecard.from_data(data["scorecard"]))
    line: str | None = data.get("giver_line")
    if line:
        cli.out.print(f"\n[bold]{scenario.giver.name}:[/] {line}", highlight=False)
    return line


def interactive(rt: Runtime, scenario_id: str | None) -> None:
    from assistant.errors import InputError
    from assistant.practice import MAX_EXCHANGES

    cli = _cli()
    scenarios = list(rt.scenarios.values())
    if scenario_id is None:
        for i, s in enumerate(scenarios, 1):
            cli.out.print(
                f"{i:>2}. {s.title} [dim]({s.category}, {s.difficulty})[/]", highlight=False
            )
        choice = input("\nScenario number or id (Enter: surprise me): ").strip()
        if not choice:
            scenario_id = random.choice(scenarios).id
        elif choice.isdigit() and 1 <= int(choice) <= len(scenarios):
            scenario_id = scenarios[int(choice) - 1].id
        else:
            scenario_id = choice
    scenario = rt.scenario(scenario_id)
    cli.out.print(f"\n[bold]{scenario.title}[/]\n{scenario.setting.strip()}\n", highlight=False)
    cli.out.print(
        f"[bold]{scenario.giver.name}[/] ({scenario.giver.role}): {scenario.opening.strip()}",
        highlight=False,
    )
    attempt = None
    for _ in range(MAX_EXCHANGES):
        try:
            reply = input("\nYou: ")
        except EOFError:
            break
        if not reply.strip():
            break
        try:
            result = one_exchange(rt, scenario.id, reply, attempt)
        except InputError as exc:
            cli.err.print(f"[red]{exc.message}[/] {exc.hint}", highlight=False)
            continue
        attempt = result.conversation_id
        if show_result(scenario, result) is None:
            break
    if attempt:
        cli.out.print(f"\nSaved as practice attempt {attempt}.", highlight=False)


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add `mentor practice` and `mentor eval practice`."""
    from assistant.cli_common import friendly, runtime

    cli = _cli()

    @app.command("practice")
    @friendly
    def practice(
        scenario: Annotated[str | None, typer.Option(help="Scenario id (see --list).")] = None,
        reply: Annotated[str | None, typer.Option(help="Your reply; scored and saved.")] = None,
        attempt: Annotated[str | None, typer.Option(help="Continue this attempt id.")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        list_: Annotated[bool, typer.Option("--list", help="List the scenarios.")] = False,
        batch: Annotated[
            Path | None,
            typer.Option(
                help='JSON Lines of {"scenario", "reply"}; one JSON line out each (not saved).'
            ),
        ] = None,
        attempts: Annotated[bool, typer.Option("--attempts", help="List saved attempts.")] = False,
        export: Annotated[str | None, typer.Option(help="Export this attempt (Markdown).")] = None,
        output: Annotated[Path | None, typer.Option("-o", help="Write the export here.")] = None,
        delete: Annotated[str | None, typer.Option(help="Delete this attempt.")] = None,
    ) -> None:
        """Practise replying to feedback: interactive, or one reply, or a batch."""
        rt = runtime()
        if list_:
            return list_scenarios(rt)
        if batch is not None:
            return run_batch(rt, batch)
        if attempts or export or delete:
            return manage(rt, attempts, export, output, delete)
        if reply is None:
            return interactive(rt, scenario)
        if scenario is None:
            from assistant.errors import InputError

            raise InputError("Give --scenario ID with --reply.", "See `mentor practice --list`.")
        result = one_exchange(rt, scenario, reply, attempt)
        if as_json:
            data = result.data or {}
            card = data.get("scorecard")
            from assistant.practice import Scorecard

            shaped = (
                Scorecard.from_data(card).to_json()
                if card
                else {"scenario": scenario, "error": result.answer}
            )
            print(json.dumps(shaped, indent=2, ensure_ascii=False))
        else:
            show_result(rt.scenario(scenario), result)
            cli.out.print(f"\nAttempt {result.conversation_id}", highlight=False)

    @eval_app.command("practice")
    @friendly
    def eval_practice(
        data: Annotated[
            Path | None,
            typer.Option(
                help="Another folder of replies and labels (no report is written for it)."
            ),
        ] = None,
    ) -> None:
        """Agreement of the practice scorer with settled human labels (dev and test)."""
        from assistant.evaluation import EVALS, REPORTS
        from assistant.practice_eval import practice_eval

        rt = runtime()
        practice_eval(
            data or EVALS / "practice",
            rt.scenarios,
            echo=lambda s: cli.out.print(s, highlight=False),
            report_dir=None if data else REPORTS,
        )


def manage(
    rt: Runtime, attempts: bool, export: str | None, output: Path | None, delete: str | None
) -> None:
    from assistant.errors import InputError

    cli = _cli()
    if attempts:
        convs = rt.practice_attempts()
        if not convs:
            cli.out.print("No practice attempts yet.")
        for c in convs:
            n = len(rt.practice_exchanges(c.id))
            cli.out.print(
                f"{c.id}  {c.updated_at:%Y-%m-%d %H:%M}  {n} replies  {c.subject}", highlight=False
            )
        return
    target = find_attempt(rt, export or delete or "")
    if export:
        text = rt.export_practice(target)
        if output:
            output.write_text(text, encoding="utf-8")
            cli.out.print(f"Wrote {output}", highlight=False)
        else:
            sys.stdout.write(text)
        return
    if not rt.delete_practice(target):
        raise InputError(f"No practice attempt {target!r}.")
    cli.out.print("Deleted.")


def find_attempt(rt: Runtime, prefix: str) -> str:
    from assistant.errors import InputError

    matches = [c.id for c in rt.practice_attempts() if c.id.startswith(prefix)] if prefix else []
    if len(matches) != 1:
        raise InputError(
            f"No single practice attempt matches {prefix!r}.",
            "See `mentor practice --attempts` for ids.",
        )
    return matches[0]
