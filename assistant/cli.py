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

from assistant.config import load_settings
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
    return Runtime(load_settings())


@app.command()
@friendly
def index(
    force: Annotated[bool, typer.Option(help="Re-embed everything.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Build or update the knowledge index (only changed articles are re-embedded)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from assistant.index import quick_no_change

    rt = runtime()
    quick = None if force else quick_no_change(rt.settings, rt.embedder.name)
    if quick is not None:
        if as_json:
            print(json.dumps(quick.to_dict()))
        else:
            out.print(f"Index up to date: {quick.summary()}", highlight=False)
        return
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
        Path | None, typer.Option(help='JSON Lines file of {"query": ...}; one JSON line out each.')
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
                print(json.dumps({"line": lineno, "error": 'expected {"query": "..."}'}))
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
        label = (
            "[green]ok[/]  " if ok else "[yellow]stale[/]" if status["present"] else "[red]none[/]"
        )
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


def _run_and_print(
    rt: Runtime, question: str, conversation_id: str | None, as_json: bool
) -> str | None:
    from assistant.generation import Done, Status, Token

    printed = ""
    result = None
    for event in rt.ask(question, conversation_id):
        if isinstance(event, Status) and not as_json:
            err.print(f"[dim]{event.text}[/]", highlight=False)
        elif isinstance(event, Token) and not as_json:
            if event.shown.startswith(printed):
                sys.stdout.write(event.shown[len(printed) :])
                sys.stdout.flush()
                printed = event.shown
        elif isinstance(event, Done):
            result = event.result
    assert result is not None
    if as_json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        if result.answer.startswith(printed) and printed:
            sys.stdout.write(result.answer[len(printed) :])
        else:
            sys.stdout.write(("\n" if printed else "") + result.answer)
        sys.stdout.write("\n")
        if result.citations:
            out.print("\n[bold]Sources[/]", highlight=False)
            for c in result.citations:
                head = f" — {c.heading}" if c.heading else ""
                out.print(f"  [{c.n}] {c.title}{head} (knowledge/{c.path})", highlight=False)
        if result.error:
            err.print(f"[bold red]Error:[/] {result.error}", highlight=False)
    if result.error and result.kind == "error":
        raise typer.Exit(8)
    return result.conversation_id


@app.command()
@friendly
def ask(
    question: Annotated[str, typer.Argument(help="Your question.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    conversation: Annotated[str | None, typer.Option(help="Continue this conversation id.")] = None,
) -> None:
    """Ask one question; the answer streams with numbered sources."""
    _run_and_print(runtime(), question, conversation, as_json)


@app.command()
@friendly
def chat() -> None:
    """A multi-turn conversation in the terminal (empty line or Ctrl-D to quit)."""
    from assistant.errors import InputError

    rt = runtime()
    out.print(f"[bold]Mentor Assistant[/] · {rt.settings.mode_label()}", highlight=False)
    out.print("Ask about goals, mentors, outreach, feedback or growth. Empty line to quit.")
    conversation_id: str | None = None
    while True:
        try:
            question = input("\nYou: ")
        except EOFError:
            break
        if not question.strip():
            break
        try:
            conversation_id = _run_and_print(rt, question, conversation_id, False)
        except InputError as exc:
            err.print(f"[red]{exc.message}[/] {exc.hint}", highlight=False)
        except typer.Exit:
            continue
    if conversation_id:
        out.print(f"Saved as conversation {conversation_id}.", highlight=False)


@history_app.command("list")
@friendly
def history_list(
    feature: Annotated[
        str | None, typer.Option(help="Only this feature: ask, outreach or practice.")
    ] = None,
) -> None:
    """List saved conversations, newest first, with the feature each belongs to."""
    from assistant.errors import InputError
    from assistant.store import FEATURES

    if feature is not None and feature not in FEATURES:
        raise InputError(f"Unknown feature {feature!r}.", f"Use one of: {', '.join(FEATURES)}.")
    rt = runtime()
    convs = rt.store.list_conversations(feature=feature)
    if not convs:
        out.print("No conversations yet.")
    for c in convs:
        n = len(rt.store.messages(c.id))
        out.print(
            f"{c.id}  {c.updated_at:%Y-%m-%d %H:%M}  {c.feature:<8}  {n:3d} messages  {c.title}",
            highlight=False,
        )


def _find(rt: Runtime, conversation_id: str) -> Any:
    from assistant.errors import InputError

    matches = [c for c in rt.store.list_conversations(10_000) if c.id.startswith(conversation_id)]
    if len(matches) != 1:
        raise InputError(
            f"No single conversation matches {conversation_id!r}.",
            "See `mentor history list` for ids.",
        )
    return matches[0]


@history_app.command("show")
@friendly
def history_show(conversation_id: str) -> None:
    """Show one conversation (an id or a unique prefix)."""
    from assistant.store import export_markdown

    rt = runtime()
    conv = _find(rt, conversation_id)
    print(export_markdown(conv, rt.store.messages(conv.id)))


@history_app.command("export")
@friendly
def history_export(
    conversation_id: str,
    output: Annotated[Path | None, typer.Option("-o", help="Write to this file.")] = None,
) -> None:
    """Export one conversation as Markdown."""
    from assistant.store import export_markdown

    rt = runtime()
    conv = _find(rt, conversation_id)
    text = export_markdown(conv, rt.store.messages(conv.id))
    if output:
        output.write_text(text, encoding="utf-8")
        out.print(f"Wrote {output}", highlight=False)
    else:
        print(text)


@history_app.command("delete")
@friendly
def history_delete(
    conversation_id: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask to confirm.")] = False,
) -> None:
    """Delete one conversation."""
    rt = runtime()
    conv = _find(rt, conversation_id)
    if not yes and not typer.confirm(f"Delete {conv.title!r}?"):
        raise typer.Exit(1)
    rt.store.delete_conversation(conv.id)
    out.print("Deleted.")


@app.command("app")
@friendly
def run_app(
    port: Annotated[int, typer.Option(help="Port for the web app.")] = 8501,
    headless: Annotated[bool, typer.Option(help="Do not open a browser.")] = False,
) -> None:
    """Start the web app (Streamlit)."""
    import subprocess

    from assistant.resources import bundled

    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(bundled("ui") / "app.py"),
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.headless",
        "true" if headless else "false",
    ]
    raise typer.Exit(subprocess.call(cmd))


@eval_app.command("retrieval")
@friendly
def eval_retrieval(
    tune: Annotated[bool, typer.Option(help="Choose fusion and floor on the dev split.")] = False,
    out_path: Annotated[
        Path | None,
        typer.Option("--out", help="With --tune: write the chosen configuration here."),
    ] = None,
) -> None:
    """Recall@1/5, MRR@10, nDCG@10 and rejection rates for dense, BM25 and hybrid."""
    from assistant.errors import InputError
    from assistant.evaluation import retrieval_eval

    if out_path is not None and not tune:
        raise InputError("--out goes with --tune.")
    rt = runtime()
    if rt.index_needed():
        rt.index()
    retrieval_eval(
        rt.retriever(), tune=tune, out=out_path, echo=lambda s: out.print(s, highlight=False)
    )


@eval_app.command("answers")
@friendly
def eval_answers(
    limit: Annotated[int | None, typer.Option(help="Only the first N questions.")] = None,
    sample: Annotated[
        Path | None,
        typer.Option(help="Instead of the figures: answer these questions (JSONL with id and "
                     "question) for reviewers to rate."),
    ] = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="With --sample: where to write the answers.")
    ] = None,
) -> None:
    """Citation, grounding, key-point, answer-card, distress/crisis and latency figures for
    answers (library mode unless a model is configured); or, with --sample and --out, the
    answers to a set of questions for a blind rating."""
    from assistant.errors import InputError
    from assistant.evaluation import answer_sample, answers_eval

    if (sample is None) != (out_path is None):
        raise InputError("--sample and --out go together.",
                         "For example: --sample evals/answers/long_questions.jsonl "
                         "--out evals/answers/judged/answers.jsonl")
    if sample is not None and not sample.is_file():
        raise InputError(f"{sample} does not exist.", "Give a JSONL file of questions.")
    rt = runtime()
    if rt.index_needed():
        rt.index()
    echo = lambda s: out.print(s, highlight=False)  # noqa: E731
    if sample is not None and out_path is not None:
        answer_sample(rt.settings, rt.retriever(), rt.chat_model(), sample, out_path, echo=echo)
        return
    answers_eval(rt.settings, rt.retriever(), rt.chat_model(), limit=limit, echo=echo)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
