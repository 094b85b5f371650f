"""Scripted outreach "models" for the FakeOpenAI server: responders that read the request
back out of the drafting prompt and answer as a model would — well, or badly on purpose —
so tests, `mentor eval outreach --scripted` and benchmarks exercise the real model path
(the openai client over HTTP, the output guard, the rubric, the revision loop).

- ``good_drafts``: answers with drafts that pass every rule (the library composition).
- ``bad_then_good``: first drafts break rules on purpose (a placeholder, "will you be my
  mentor?", a link copied from ``about``); each revision request gets a passing draft.
"""

from __future__ import annotations

import json
import re
from typing import Any

from assistant.outreach_compose import library_drafts
from assistant.outreach_request import OutreachRequest, parse_request

BLOCK_RE = r"<{tag}>\n(.*?)\n</{tag}>"


def _block(text: str, tag: str) -> str:
    m = re.search(BLOCK_RE.format(tag=tag), text, re.S)
    value = m.group(1) if m else ""
    return "" if value == "(none)" else value


def request_from_prompt(messages: list[dict[str, Any]]) -> OutreachRequest:
    """The request as the drafting prompt's <request> block states it."""
    user = next(m["content"] for m in messages if m["role"] == "user")
    data: dict[str, Any] = {"mentee": {}, "mentor": {}}
    for row in _block(user, "request").splitlines():
        key, _, value = row.partition(": ")
        if "." in key:
            part, name = key.split(".", 1)
            data[part][name] = value
        elif key in ("ask", "channel", "tone"):
            data[key] = None if value.startswith("none") else value.split(" ")[0]
        elif key == "sent_days_ago":
            data[key] = int(value)
    data["mentor"]["about"] = _block(user, "about")
    data["previous"] = _block(user, "previous")
    data["conversation_notes"] = _block(user, "notes")
    data["linkedin_premium"] = "at most 300 characters" in messages[0]["content"]
    return parse_request(data)


def _drafts_json(request: OutreachRequest, spoil: bool) -> str:
    drafts = []
    for d in library_drafts(request):
        body = d.body
        if spoil:
            body = f"[Name], will you be my mentor? {body}"
        drafts.append({"approach": d.approach, "subject": d.subject, "body": body})
    return json.dumps({"drafts": drafts}, ensure_ascii=False)


def _revision(messages: list[dict[str, Any]], request: OutreachRequest) -> str | None:
    last = messages[-1]["content"] if messages[-1]["role"] == "user" else ""
    m = re.match(r'Your draft "([^"]+)" fails these checks', last)
    if not m:
        return None
    for d in library_drafts(request):
        if d.approach == m.group(1):
            return json.dumps({"subject": d.subject, "body": d.body}, ensure_ascii=False)
    first = library_drafts(request)[0]
    return json.dumps({"subject": first.subject, "body": first.body}, ensure_ascii=False)


def good_drafts(req: dict[str, Any]) -> str:
    messages = req["messages"]
    request = request_from_prompt(messages)
    return _revision(messages, request) or _drafts_json(request, spoil=False)


def bad_then_good(req: dict[str, Any]) -> str:
    messages = req["messages"]
    request = request_from_prompt(messages)
    return _revision(messages, request) or _drafts_json(request, spoil=True)
