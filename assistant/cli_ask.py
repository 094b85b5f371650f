"""`mentor ask`, `mentor chat` and `mentor history`: Ask in the terminal. Answers stream as
plain text when piped and render as Markdown in a terminal; text from the knowledge base
is never read as console markup (square brackets stay)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from assistant.cli_common import err, friendly, out, runtime
from assistant.runtime import Runtime


def _run_and_print(
    rt: Runtime, question: str, conversation_id: str | None, as_json: bool
) -> str | None:
    from assistant.generation import Done, Status, TurnResult

    result: TurnResult | None = None
    events = rt.ask(question, conversation_id)
    if as_json:
        for event in events:
            if isinstance(event, Done):
                result = event.result
        assert result is not None
        print(json.dumps({**result.to_dict(), "notices": rt.notices()}, indent=2))
    else:
        for event in _stream(events, rich_terminal=out.is_terminal):
            if isinstance(event, Status):
                err.print(f"[dim]{escape(event.text)}[/]", highlight=False)
            elif isinstance(event, Done):
                result = event.result
        assert result is not None
        _print_sources(result)
        for note in rt.notices():
            err.print(f"Note: {note}", highlight=False, markup=False)
        if result.error:
            err.print(f"Note: {result.error}", highlight=False, markup=False)
    if result.error and result.kind == "error":
        raise typer.Exit(8)
    return result.conversation_id


def _stream(events: Iterator[Any], rich_terminal: bool) -> Iterator[Any]:
    """Show the answer as it streams: rendered Markdown in a terminal, plain text when
    piped. Yields every event on to the caller."""
    from rich.live import Live
    from rich.markdown import Markdown

    from assistant.generation import Done, Token

    printed = ""
    live = Live(Markdown(""), console=out, refresh_per_second=8) if rich_terminal else None
    with live if live is not None else nullcontext():
        for event in events:
            if isinstance(event, Token | Done):
                shown = event.shown if isinstance(event, Token) else event.result.answer
                if live is not None:
                    live.update(Markdown(shown))
                elif shown.startswith(printed):
                    sys.stdout.write(shown[len(printed) :])
                    sys.stdout.flush()
                else:
                    sys.stdout.write(("\n" if printed else "") + shown)
                printed = shown
            yield event
    if live is None:
        sys.stdout.write("\n")


def _print_sources(result: Any) -> None:
    if not result.citations:
        return
    out.print("\nSources", style="bold", highlight=False)
    for c in result.citations:
        head = f" — {c.heading}" if c.heading else ""
        out.print(f"  [{c.n}] {c.title}{head} (knowledge/{c.path})", highlight=False, markup=False)


def ask(
    question: Annotated[str, typer.Argument(help="Your question.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    conversation: Annotated[str | None, typer.Option(help="Continue this conversation id.")] = None,
) -> None:
    """Ask one question; the answer streams with numbered sources."""
    _run_and_print(runtime(), question, conversation, as_json)


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


def history_list(
    feature: Annotated[
        str | None, typer.Option(help="Only this feature: ask, outreach or practice.")
    ] = None,
    search: Annotated[
        str | None, typer.Option(help="Only conversations whose title or text has these words.")
    ] = None,
) -> None:
    """List saved conversations, newest first, with the feature each belongs to."""
    from assistant.errors import InputError
    from assistant.store import FEATURES

    if feature is not None and feature not in FEATURES:
        raise InputError(f"Unknown feature {feature!r}.", f"Use one of: {', '.join(FEATURES)}.")
    rt = runtime()
    convs = rt.store.list_conversations(feature=feature, search=search)
    for note in rt.notices():
        err.print(f"Note: {note}", highlight=False, markup=False)
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


def history_show(conversation_id: str) -> None:
    """Show one conversation (an id or a unique prefix)."""
    from assistant.store import export_markdown

    rt = runtime()
    conv = _find(rt, conversation_id)
    print(export_markdown(conv, rt.store.messages(conv.id)))


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


def register(app: typer.Typer, history_app: typer.Typer) -> None:
    """Add the Ask commands to the `mentor` app."""
    app.command()(friendly(ask))
    app.command()(friendly(chat))
    history_app.command("list")(friendly(history_list))
    history_app.command("show")(friendly(history_show))
    history_app.command("export")(friendly(history_export))
    history_app.command("delete")(friendly(history_delete))
