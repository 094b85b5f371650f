"""The `mentor` command. Errors become a plain message and an exit code, never a traceback."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from assistant.config import Settings
from assistant.errors import MentorError
from assistant.runtime import Runtime

app = typer.Typer(
    help="Mentor Assistant: grounded career and mentoring guidance, offline by default.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
history_app = typer.Typer(help="Saved conversations.", no_args_is_help=True)
eval_app = typer.Typer(help="Quality evaluations that print figures.", no_args_is_help=True)
app.add_typer(history_app, name="history")
app.add_typer(eval_app, name="eval")

out = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Turn MentorError into a message on stderr and its exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except MentorError as exc:
            err.print(f"[bold red]Error:[/] {exc.message}", highlight=False)
            if exc.hint:
                err.print(exc.hint, highlight=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("Interrupted.")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def runtime() -> Runtime:
    return Runtime(Settings())


@app.command()
@friendly
def index(
    force: Annotated[bool, typer.Option(help="Re-embed everything.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Build or update the knowledge index (only changed articles are re-embedded)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    rt = runtime()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=as_json or not sys.stderr.isatty(),
    ) as bar:
        task = bar.add_task("Embedding chunks", total=None)

        def progress(phase: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = rt.index(progress, force=force)
    if as_json:
        print(json.dumps(report.to_dict()))
    else:
        out.print(f"Index up to date: {report.summary()}", highlight=False)


def _print_results(data: dict[str, Any]) -> None:
    if data["rejected"]:
        out.print(
            "No guidance found for that question in the knowledge base "
            f"(best match {data['confidence']:.2f}).",
            highlight=False,
        )
        return
    for i, r in enumerate(data["results"], 1):
        out.print(
            f"[bold]{i}. {r['title']}[/]  score {r['score']:.3f} · {r['stage']} · "
            f"knowledge/{r['path']}",
            highlight=False,
        )
        snippet = r["passages"][0]["text"].replace("\n", " ")
        out.print(f"   {snippet[:300]}{'…' if len(snippet) > 300 else ''}", highlight=False)


@app.command()
@friendly
def search(
    query: Annotated[str | None, typer.Argument(help="The question to search for.")] = None,
    k: Annotated[int, typer.Option("-k", help="How many articles.")] = 5,
    stage: Annotated[str | None, typer.Option(help="Only this stage.")] = None,
    industry: Annotated[str | None, typer.Option(help="Only this industry (plus general).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    batch: Annotated[
        Path | None, typer.Option(help="JSON Lines file of {\"query\": ...}; one JSON line out each.")
    ] = None,
) -> None:
    """Search the knowledge base and print the best passages."""
    from assistant.errors import InputError
    from assistant.knowledge import INDUSTRIES, STAGES

    if stage and stage not in STAGES:
        raise InputError(f"Unknown stage {stage!r}.", f"Use one of: {', '.join(STAGES)}.")
    if industry and industry not in INDUSTRIES:
        raise InputError(f"Unknown industry {industry!r}.", f"Use one of: {', '.join(INDUSTRIES)}.")
    if not 1 <= k <= 50:
        raise InputError("-k must be between 1 and 50.")
    rt = runtime()
    retriever = rt.retriever()
    if batch is not None:
        for lineno, line in enumerate(batch.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)["query"]
                if not isinstance(q, str):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                print(json.dumps({"line": lineno, "error": "expected {\"query\": \"...\"}"}))
                continue
            print(json.dumps(retriever.retrieve(q, k, stage, industry).to_dict()))
        return
    if not query or not query.strip():
        raise InputError("Give a question to search for, or --batch FILE.")
    data = retriever.retrieve(query, k, stage, industry).to_dict()
    if as_json:
        print(json.dumps(data["results"] if not data["rejected"] else [], indent=2))
    else:
        _print_results(data)


@app.command()
@friendly
def doctor() -> None:
    """Check the embedding model files, the index and the chat model, in plain words."""
    from assistant.embeddings import local_model_files
    from assistant.index import index_status

    rt = runtime()
    s = rt.settings
    problems = 0
    out.print(f"Data directory: {s.data_dir}", highlight=False)
    out.print(f"Knowledge directory: {s.knowledge_dir}", highlight=False)
    if s.embedding_backend == "local":
        for f in local_model_files():
            ok, message = f.check()
            problems += not ok
            out.print(("[green]ok[/]   " if ok else "[red]FAIL[/] ") + message, highlight=False)
    else:
        out.print(f"Embeddings: OpenAI {s.openai_embedding_model}", highlight=False)
    try:
        status = index_status(s, rt.chroma, rt.embedder.name)
        ok = bool(status["fresh"])
        label = "[green]ok[/]  " if ok else "[yellow]stale[/]" if status["present"] else "[red]none[/]"
        out.print(f"{label} index: {status['detail']}", highlight=False)
        if not ok:
            problems += 1
            out.print("      run `mentor index` to bring it up to date", highlight=False)
    except MentorError as exc:
        problems += 1
        out.print(f"[red]FAIL[/] index: {exc}", highlight=False)
    out.print(f"Model: {s.mode_label()}", highlight=False)
    if s.model_mode != "library":
        from assistant.llm import check_connection

        ok, message = check_connection(s)
        problems += not ok
        out.print(("[green]ok[/]   " if ok else "[red]FAIL[/] ") + message, highlight=False)
    if problems:
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
