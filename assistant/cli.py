"""The `mentor` command. Errors become a plain message and an exit code, never a traceback."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant import cli_ask, cli_outreach, cli_practice
from assistant.cli_common import err, friendly, out, runtime
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


@app.command()
@friendly
def index(
    force: Annotated[bool, typer.Option(help="Re-embed everything.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Build or update the knowledge index (only changed articles are re-embedded)."""
    from assistant.index import quick_no_change

    rt = runtime()
    quick = None if force else quick_no_change(rt.settings, rt.embedder.name)
    report = quick or _index_with_progress(rt, force=force, quiet=as_json)
    if as_json:
        print(json.dumps(report.to_dict()))
    else:
        out.print(f"Index up to date: {report.summary()}", highlight=False)


def _index_with_progress(rt: Runtime, *, force: bool = False, quiet: bool = False) -> Any:
    """Build or update the index with a progress bar and a time estimate on stderr (shown
    only in a terminal)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        "·",
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=quiet or not sys.stderr.isatty(),
    ) as bar:
        task = bar.add_task("Embedding the guidance", total=None)

        def progress(phase: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return rt.index(progress, force=force)


def _print_results(data: dict[str, Any]) -> None:
    if data["rejected"]:
        out.print(
            "No guidance found for that question in the knowledge base "
            f"(best match {data['confidence']:.2f}).",
            highlight=False,
        )
        return
    for i, r in enumerate(data["results"], 1):
        # Knowledge text is printed as text, never as console markup: "[Read more](…)"
        # keeps its brackets.
        out.print(f"{i}. {r['title']}", style="bold", end="", highlight=False, markup=False)
        out.print(
            f"  score {r['score']:.3f} · {r['stage']} · knowledge/{r['path']}",
            highlight=False,
            markup=False,
        )
        snippet = r["passages"][0]["text"].replace("\n", " ")
        more = "…" if len(snippet) > 300 else ""
        out.print(f"   {snippet[:300]}{more}", highlight=False, markup=False)


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
    from assistant.config import settings_report
    from assistant.embeddings import local_model_files
    from assistant.index import index_status

    rt = runtime()
    s = rt.settings
    problems = 0
    out.print("Settings (value · where it comes from):", highlight=False)
    for name, value, source in settings_report(s):
        out.print(f"  {name} = {value}  · {source}", highlight=False, markup=False)
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


# Shipped with the package, so `mentor app` never stops at Streamlit's first-run e-mail
# prompt, sends no usage statistics, listens on this machine only (MENTOR_APP_ADDRESS opens
# it up), and shows mentees no developer menu, "Deploy" button or tracebacks.
STREAMLIT_OPTIONS = {
    "server.showEmailPrompt": "false",
    "browser.gatherUsageStats": "false",
    "client.toolbarMode": "minimal",
    "client.showErrorDetails": "none",
    "server.fileWatcherType": "none",
    "runner.magicEnabled": "false",
}


def streamlit_command(port: int, address: str, headless: bool) -> list[str]:
    """The `streamlit run` command line for the app, with the shipped options."""
    from assistant.resources import bundled

    options = {
        **STREAMLIT_OPTIONS,
        "server.port": str(port),
        "server.address": address,
        "browser.serverAddress": "localhost" if address in ("127.0.0.1", "localhost") else address,
        "server.headless": "true" if headless else "false",
    }
    cmd = [sys.executable, "-m", "streamlit", "run", str(bundled("ui") / "app.py")]
    for key, value in options.items():
        cmd += [f"--{key}", value]
    return cmd


@app.command("app")
@friendly
def run_app(
    port: Annotated[int, typer.Option(help="Port for the web app.")] = 8501,
    headless: Annotated[bool, typer.Option(help="Do not open a browser.")] = False,
) -> None:
    """Start the web app: the index is built or updated here first, with progress, then
    the app serves on this machine only (set MENTOR_APP_ADDRESS=0.0.0.0 to share it)."""
    import os
    import subprocess

    from assistant.index import quick_no_change

    rt = runtime()
    if quick_no_change(rt.settings, rt.embedder.name) is None:
        err.print("Preparing the guidance library…", highlight=False)
        report = _index_with_progress(rt)
        err.print(f"Library ready: {report.summary()}", highlight=False, markup=False)
    address = rt.settings.app_address
    err.print(
        f"Mentor Assistant: http://localhost:{port} (listening on {address}; Ctrl-C stops it)",
        highlight=False,
        markup=False,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    headless = headless or (sys.platform.startswith("linux") and not os.environ.get("DISPLAY"))
    proc = subprocess.Popen(
        streamlit_command(port, address, headless), stdin=subprocess.DEVNULL, env=env
    )
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        code = proc.wait()
    raise typer.Exit(code)


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
    from assistant.eval_answers import answer_sample, answers_eval

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


# Each feature's commands live in its own module: Ask (ask, chat, history), Reach out
# (draft, contacts, eval outreach), Practise (practice, eval practice).
cli_ask.register(app, history_app)
cli_outreach.register(app, eval_app)
cli_practice.register(app, eval_app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
