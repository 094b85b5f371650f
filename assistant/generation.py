"""The shared generation layer: the plumbing every feature (Ask, Reach out, Practise) uses.

Features own their prompts and their decisions; this module owns what is the same for all
of them:

- the events a feature streams to a face (``Status``, ``Token``, ``Done``);
- ``Citation`` and ``TurnResult``, and ``verify_citations``;
- ``OutputGuard``: the one output check, built from the system prompt it protects, so a
  drafting or coaching prompt is guarded exactly as the answer prompt is;
- ``CheckedStream`` / ``complete_checked``: the safe model call (stream, check as it goes,
  keep what arrived when the stream breaks);
- ``start_turn`` / ``record_turn``: saving the user's text *before* the model call and the
  result *after* it (generation and saving are separate steps, as simonw/llm logs a
  response after it is produced).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from assistant.errors import ModelError
from assistant.knowledge import Card
from assistant.llm import ChatModel, Messages, Usage
from assistant.safety import BLOCKED_REPLY, SanitiseReport, sanitise_output
from assistant.store import Store

Kind = Literal["answer", "closest", "no_guidance", "out_of_scope", "crisis", "error"]
Feature = Literal["ask", "outreach", "practice"]
LIBRARY_MODE = "library"


def card_text(card: Card) -> str:
    """A card as plain labelled text for a prompt."""
    lines = [f"In short: {card.in_short}", "Steps:"]
    lines += [f"{i}. {step}" for i, step in enumerate(card.steps, 1)]
    if card.script:
        lines.append("Sample message: " + " ".join(card.script.split()))
    lines.append(f"Watch out: {card.watch_out}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    title: str
    path: str
    heading: str
    text: str
    stage: str = ""
    summary: str = ""  # the article's overview, when a body passage was also found
    card: Card | None = None  # its answer card (library mode composes from it)

    @property
    def prompt_text(self) -> str:
        """What the model reads: the overview, the card's parts (labelled, so the model can
        use the steps and the script whole) and the passages."""
        parts = [self.summary] if self.summary else []
        if self.card is not None:
            parts.append(card_text(self.card))
        parts.append(self.text)
        return "\n\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "doc_id": self.doc_id,
            "title": self.title,
            "path": self.path,
            "heading": self.heading,
            "text": self.text,
            "stage": self.stage,
        }


@dataclass
class TurnResult:
    """What one turn of any feature produced; ``data`` carries a feature's structured
    output (drafts and their rubric, a scorecard) and is stored with the message."""

    answer: str
    kind: str
    mode: str
    grounded: bool
    citations: list[Citation] = field(default_factory=list)
    invalid_citations: int = 0
    standalone_question: str = ""
    status: str = "complete"
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    conversation_id: str | None = None
    message_id: int | None = None
    retrieval: Any = None
    data: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "mode": self.mode,
            "kind": self.kind,
            "grounded": self.grounded,
            "citations": [c.to_dict() for c in self.citations],
            "invalid_citations": self.invalid_citations,
            "standalone_question": self.standalone_question,
            "status": self.status,
            "error": self.error,
            "conversation_id": self.conversation_id,
            "timings_ms": {k: round(v * 1000, 1) for k, v in self.timings.items()},
        }


@dataclass(frozen=True)
class Status:
    text: str


@dataclass(frozen=True)
class Token:
    """A streamed piece. ``text`` is the new raw piece; ``shown`` is the whole output so
    far, already checked and sanitised — render ``shown``, never the raw pieces."""

    text: str
    shown: str


@dataclass(frozen=True)
class Done:
    result: TurnResult


Event = Status | Token | Done


# --- citations ----------------------------------------------------------------------

SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)]*(?=\s|$)")
LIST_ITEM_RE = re.compile(r"^\s*(?:[-*]|\d+[.)])\s")


def excerpt(text: str) -> str:
    """A passage as a source card shows it: whole sentences only (a chunk can start or
    end mid-sentence, where it overlaps its neighbour), lists and headings kept as they
    are."""
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    if not blocks:
        return ""
    first = blocks[0]
    if not LIST_ITEM_RE.match(first) and not first.lstrip().startswith("#") and (
        first.lstrip()[:1].islower()
    ):
        m = SENTENCE_END_RE.search(first)
        blocks[0] = first[m.end() :].strip() if m else ""
    last = blocks[-1]
    if last.strip() and not LIST_ITEM_RE.match(last.splitlines()[-1]) and not (
        SENTENCE_END_RE.search(last.rstrip()[-3:] + " ")
    ):
        ends = list(SENTENCE_END_RE.finditer(last))
        blocks[-1] = last[: ends[-1].end()] if ends else ""
    return "\n\n".join(b for b in blocks if b.strip())


CITE_RE = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def verify_citations(answer: str, valid: int) -> tuple[str, list[int], int]:
    """Keep citations to sources 1..valid; drop the rest. (text, cited numbers, invalid count)."""
    cited: list[int] = []
    invalid = 0

    def fix(m: re.Match[str]) -> str:
        nonlocal invalid
        keep = []
        for part in re.split(r"\s*[,;]\s*", m.group(1)):
            n = int(part)
            if 1 <= n <= valid:
                keep.append(n)
                if n not in cited:
                    cited.append(n)
            else:
                invalid += 1
        return "".join(f"[{n}]" for n in keep)

    text = CITE_RE.sub(fix, answer)
    text = re.sub(r"[ \t]+([.,;:])", r"\1", text)
    return text, cited, invalid


def renumber_citations(
    text: str, sources: Sequence[Citation], cited: Sequence[int]
) -> tuple[str, list[Citation]]:
    """Number the cited sources 1, 2, 3 in order of first use, with no gaps, and rewrite
    the markers to match; returns the text and the cited sources under their new
    numbers. (An answer citing [3] then [1] reads as [1] then [2].)"""
    new_number = {old: i for i, old in enumerate(cited, 1)}
    by_old = {s.n: s for s in sources}
    renumbered = [replace(by_old[old], n=new) for old, new in new_number.items() if old in by_old]

    def fix(m: re.Match[str]) -> str:
        numbers = [int(p) for p in re.split(r"\s*[,;]\s*", m.group(1))]
        return "".join(f"[{new_number[n]}]" for n in numbers if n in new_number)

    return CITE_RE.sub(fix, text), renumbered


# --- the output check ----------------------------------------------------------------

HOLDBACK = 64  # characters of a stream kept back until the next piece (≥ the 60 checked)
CANARY_PREFIX = "CANARY-"
PLACEHOLDER_RE = re.compile(r"\{[a-z_]+\}")


def new_canary() -> str:
    return f"{CANARY_PREFIX}{secrets.token_hex(8)}"


def prompt_lines(system_prompt: str) -> tuple[str, ...]:
    """The long lines of a system prompt (template placeholders dropped), flattened: a
    60-character run of any of them in the output means the prompt is leaking."""
    lines = []
    for line in system_prompt.splitlines():
        flat = " ".join(PLACEHOLDER_RE.sub("", line).split())
        if len(flat) > 40:
            lines.append(flat[:60])
    return tuple(lines)


@dataclass(frozen=True)
class OutputGuard:
    """The one output check for model text — streamed, partial or final — for the system
    prompt it guards: a prompt leak replaces the whole output, everything else goes
    through ``sanitise_output`` (images dropped, links only from the allow-list, HTML
    escaped)."""

    system_prompt: str
    canary: str
    allowed_urls: frozenset[str] = frozenset()
    _lines: tuple[str, ...] = field(default=(), repr=False)

    @classmethod
    def for_prompt(
        cls, system_prompt: str, canary: str, allowed_urls: frozenset[str] = frozenset()
    ) -> OutputGuard:
        return cls(system_prompt, canary, allowed_urls, prompt_lines(system_prompt))

    def leaks(self, text: str) -> bool:
        """The canary (or its prefix), or a long verbatim line of the system prompt."""
        if self.canary in text or CANARY_PREFIX in text or "Confidential marker" in text:
            return True
        flat = " ".join(text.split())
        return any(line in flat for line in self._lines)

    def check(self, raw: str) -> tuple[str, SanitiseReport]:
        if self.leaks(raw):
            return BLOCKED_REPLY, SanitiseReport(canary_leak=True)
        return sanitise_output(raw, self.allowed_urls, self.canary)


@dataclass
class CheckedStream:
    """Stream a model's reply through a guard. Iterate it for ``Token`` events; a broken
    stream ends the iteration and leaves ``error`` set and ``raw`` holding what arrived,
    so the caller can save the partial output as incomplete. ``final()`` is the checked
    whole."""

    model: ChatModel
    messages: Messages
    guard: OutputGuard
    usage: Usage = field(default_factory=Usage)
    raw: str = ""
    error: ModelError | None = None
    leaked: bool = False

    def __iter__(self) -> Iterator[Token]:
        try:
            for piece in self.model.stream(self.messages, self.usage):
                self.raw += piece
                if self.guard.leaks(self.raw):
                    self.leaked = True
                    break  # final() replaces the whole output
                # Hold back the tail: a leak or a link may still be half-written there.
                shown, _ = self.guard.check(self.raw[: max(0, len(self.raw) - HOLDBACK)])
                yield Token(piece, shown)
        except ModelError as exc:
            self.error = exc

    def final(self) -> tuple[str, SanitiseReport]:
        return self.guard.check(self.raw)


def complete_checked(
    model: ChatModel, messages: Messages, guard: OutputGuard
) -> tuple[str, SanitiseReport]:
    """A non-streamed model call through the guard (raises ModelError)."""
    return guard.check(model.complete(messages))


def pieces(text: str, size: int = 24) -> Iterator[str]:
    """Library-mode output streamed in small pieces, so every face renders one way."""
    for i in range(0, len(text), size):
        yield text[i : i + size]


def stream_text(text: str) -> Iterator[Token]:
    so_far = ""
    for piece in pieces(text):
        so_far += piece
        yield Token(piece, so_far)


def opened_with(
    opening: str, steps: Generator[Event, None, TurnResult]
) -> Generator[Event, None, TurnResult]:
    """A turn with our own fixed text before whatever it streams and returns (the care
    opening for a mentee in distress): every ``Token.shown`` and the answer start with it."""
    head = opening + "\n\n"
    first = True
    try:
        event = next(steps)
        while True:
            if isinstance(event, Token):
                event = Token(head + event.text if first else event.text, head + event.shown)
                first = False
            yield event
            event = next(steps)
    except StopIteration as stop:
        result: TurnResult = stop.value
    result.answer = head + result.answer if result.answer else opening
    result.data = {**(result.data or {}), "care": "distress"}
    return result


# --- saving -------------------------------------------------------------------------


def title_for(text: str) -> str:
    q = " ".join(text.split())
    return q if len(q) <= 60 else q[:57].rstrip() + "…"


def start_turn(
    store: Store,
    user_text: str,
    *,
    feature: Feature,
    conversation_id: str | None = None,
    title: str | None = None,
    subject: str | None = None,
    data: dict[str, Any] | None = None,
) -> str:
    """Save the user's text (before any model call); returns the conversation id,
    creating the conversation when ``conversation_id`` is unknown."""
    if conversation_id is None or store.get_conversation(conversation_id) is None:
        conversation_id = store.create_conversation(
            title or title_for(user_text), feature=feature, subject=subject
        ).id
    store.add_message(conversation_id, "user", user_text, data=data)
    return conversation_id


def record_turn(store: Store, conversation_id: str, result: TurnResult) -> int:
    """Save a finished (or failed) turn's output; returns the message id."""
    msg = store.add_message(
        conversation_id,
        "assistant",
        result.answer,
        status=result.status,
        kind=result.kind,
        mode=result.mode,
        citations=[c.to_dict() for c in result.citations],
        prompt_tokens=result.prompt_tokens or None,
        completion_tokens=result.completion_tokens or None,
        latency_ms=int(result.timings.get("total", 0) * 1000),
        error=result.error,
        data=result.data,
    )
    return msg.id


def history_of(store: Store, conversation_id: str, limit: int = 12) -> list[tuple[str, str]]:
    """The conversation so far as (role, text), complete turns only, crisis turns left out."""
    return [
        (m.role, m.content)
        for m in store.messages(conversation_id)
        if m.status == "complete" and m.kind != "crisis"
    ][-limit:]


def cited_only(sources: Sequence[Citation], cited: Sequence[int]) -> list[Citation]:
    return [s for s in sources if s.n in cited]
