"""Reach out on the command line: `mentor draft`, `mentor contacts …`, `mentor eval outreach`.

Registered on the main app by ``assistant.cli`` (``register(app, eval_app)``); errors go
through the same ``friendly`` translation (an InputError is exit status 2, no traceback).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.cli_common import err, friendly, out, runtime
from assistant.errors import InputError

contacts_app = typer.Typer(help="People you are reaching out to.", no_args_is_help=True)


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    if not path.is_file():
        raise InputError(f"No request file at {source}.", "Give a YAML file: --from request.yaml")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(
            f"{source} is not UTF-8 text.", "Save it as UTF-8 and try again."
        ) from None


def _tick(passed: bool) -> str:
    return "[green]✓[/]" if passed else "[red]✗[/]"


def print_drafts(data: dict[str, Any], out: Any) -> None:
    for note in data.get("notes", []):
        out.print(f"[yellow]Note:[/] {note}", highlight=False)
    for i, d in enumerate(data["drafts"], 1):
        verdict = "passes every rule" if d["passed"] else "fails some rules"
        out.print(f"\n[bold]Draft {i} · {d['approach']}[/] ({verdict})", highlight=False)
        if d["subject"]:
            out.print(f"Subject: {d['subject']}", highlight=False, markup=False)
        out.print(f"\n{d['body']}\n", highlight=False, markup=False)
        for row in d["rubric"]:
            fix = f" — {row['fix']}" if row["fix"] else ""
            out.print(
                f"  {_tick(row['passed'])} {row['rule']}{fix} ({row['source']})", highlight=False
            )


def draft(
    source: Annotated[str, typer.Option("--from", help="Request YAML file (or - for stdin).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    contact: Annotated[str | None, typer.Option(help="Draft for this contact id.")] = None,
    save: Annotated[int | None, typer.Option(help="Save draft N to the contact.")] = None,
) -> None:
    """2–3 drafts of a message to a possible mentor, each checked by the rubric."""
    from assistant.contacts import add_contact, find_contact, save_draft
    from assistant.outreach_request import load_request_text

    request = load_request_text(_read(source))
    rt = runtime()
    who = find_contact(rt.store, contact) if contact else None
    result = rt.draft(request, contact_id=who.id if who else None)
    data = dict(result.data or {})
    data.update(mode=result.mode, conversation_id=result.conversation_id)
    if save is not None:
        if not 1 <= save <= len(data["drafts"]):
            raise InputError(f"There is no draft {save}.", f"Use 1–{len(data['drafts'])}.")
        m = request.mentor
        who = who or add_contact(rt.store, m.name, m.role, m.organisation)
        save_draft(
            rt.store,
            who.id,
            data["drafts"][save - 1],
            request.model_dump(),
            result.conversation_id,
        )
        data["contact_id"] = who.id
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    out.print(f"[dim]Mode: {result.mode}[/]", highlight=False)
    print_drafts(data, out)
    if save is not None:
        err.print(f"Saved draft {save} to contact {data['contact_id']}.", highlight=False)


def contacts_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Everyone you have drafted to, most recently changed first."""
    from assistant.contacts import list_contacts

    people = list_contacts(runtime().store)
    if as_json:
        print(json.dumps([c.to_dict() for c in people], indent=2, ensure_ascii=False))
        return
    if not people:
        out.print("No contacts yet. Save a draft with `mentor draft --from FILE --save 1`.")
    for c in people:
        due = f"follow up {c.follow_up_on}" if c.follow_up_on else ""
        sent = f"sent {c.sent_on}" if c.sent_on else ""
        where = ", ".join(x for x in (c.role, c.organisation) if x)
        out.print(
            f"{c.id[:8]}  {c.status:<9} {c.name}{f' ({where})' if where else ''}  "
            f"{sent}  {due}".rstrip(),
            highlight=False,
            markup=False,
        )


def contacts_show(
    contact_id: str,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One contact and the drafts saved for them."""
    from assistant.contacts import find_contact, history

    rt = runtime()
    c = find_contact(rt.store, contact_id)
    past = history(rt.store, c.id)
    if as_json:
        print(json.dumps({**c.to_dict(), "history": past}, indent=2, ensure_ascii=False))
        return
    out.print(f"[bold]{c.name}[/] · {c.status}", highlight=False)
    for label, value in (
        ("Role", c.role),
        ("Organisation", c.organisation),
        ("Sent", c.sent_on),
        ("Follow up", c.follow_up_on),
        ("Notes", c.notes),
    ):
        if value:
            out.print(f"{label}: {value}", highlight=False, markup=False)
    for h in past:
        out.print(f"\n[dim]{h['saved_at'][:16]} · {h['channel']}[/]", highlight=False)
        out.print(
            (f"Subject: {h['subject']}\n" if h["subject"] else "") + h["body"],
            highlight=False,
            markup=False,
        )


def contacts_set_status(
    contact_id: str,
    status: Annotated[str, typer.Argument(help="drafted, sent, replied, met or no_reply")],
    on: Annotated[str | None, typer.Option(help="The date (YYYY-MM-DD); default today.")] = None,
) -> None:
    """Record where things stand; prints the suggested date to act next."""
    from assistant.contacts import find_contact, set_status

    try:
        day = dt.date.fromisoformat(on) if on else None
    except ValueError:
        raise InputError(f"{on!r} is not a date.", "Use YYYY-MM-DD.") from None
    rt = runtime()
    c = set_status(rt.store, find_contact(rt.store, contact_id).id, status.strip(), on=day)
    nxt = f"; suggested next step on {c.follow_up_on}" if c.follow_up_on else ""
    out.print(f"{c.name}: {c.status}{nxt}.", highlight=False, markup=False)


def contacts_delete(
    contact_id: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask to confirm.")] = False,
) -> None:
    """Delete a contact and the drafts saved for them."""
    from assistant.contacts import delete_contact, find_contact

    rt = runtime()
    c = find_contact(rt.store, contact_id)
    if not yes and not typer.confirm(f"Delete {c.name} and their saved drafts?"):
        raise typer.Exit(1)
    delete_contact(rt.store, c.id)
    out.print("Deleted.")


def eval_outreach(
    requests: Annotated[Path | None, typer.Option(help="Folder of request YAML files.")] = None,
    model_url: Annotated[str | None, typer.Option(help="An OpenAI-compatible server.")] = None,
    model: Annotated[str | None, typer.Option(help="Model name at --model-url.")] = None,
    reports: Annotated[Path | None, typer.Option(help="Where to write the report.")] = None,
    scripted: Annotated[
        bool,
        typer.Option(
            help="Run against the built-in scripted model that writes bad drafts on purpose."
        ),
    ] = False,
) -> None:
    """Per-rule pass rates, complete requests passing, incomplete ones refused; with a
    model, before and after the automatic revision."""
    _run_eval(requests, reports, model_url, model, scripted, out)


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add `draft`, `contacts` and `eval outreach` to the `mentor` command."""
    app.command("draft")(friendly(draft))
    contacts_app.command("list")(friendly(contacts_list))
    contacts_app.command("show")(friendly(contacts_show))
    contacts_app.command("set-status")(friendly(contacts_set_status))
    contacts_app.command("delete")(friendly(contacts_delete))
    eval_app.command("outreach")(friendly(eval_outreach))
    app.add_typer(contacts_app, name="contacts")


def _run_eval(
    requests: Path | None,
    reports: Path | None,
    model_url: str | None,
    model: str | None,
    scripted: bool,
    out: Any,
) -> None:
    from assistant.config import load_settings
    from assistant.evaluation import REPORTS
    from assistant.llm import make_chat_model
    from assistant.outreach_eval import outreach_eval
    from assistant.resources import bundled

    folder = requests or bundled("evals") / "outreach" / "requests"
    # Reports go into a source checkout only, never into an installed package.
    reports = reports or REPORTS
    echo = print  # the report is Markdown: printed as is, never re-wrapped
    if scripted:
        from assistant.testing.fake_openai import FakeOpenAI
        from assistant.testing.outreach_model import bad_then_good

        with FakeOpenAI() as fake:
            fake.responder = bad_then_good
            settings = load_settings(llm_base_url=fake.base_url, llm_model="scripted-bad-then-good")
            outreach_eval(folder, settings.knowledge_dir, make_chat_model(settings), reports, echo)
        return
    extra: dict[str, object] = {}
    if model_url:
        extra = {"llm_base_url": model_url, "llm_model": model or "default"}
    settings = load_settings(**extra)
    outreach_eval(folder, settings.knowledge_dir, make_chat_model(settings), reports, echo)
