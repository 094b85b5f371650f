"""Ask: grounded conversation — rewrite the follow-up, retrieve, answer with numbered
citations — over the shared generation layer (events, the output guard, the checked
stream, saving). Only what is specific to answering questions lives here.

``run_turn`` is a generator of events (``Status``, ``Token``, ``Done``) so every face can
stream; ``assistant.runtime.Runtime.ask`` is the entry the faces call.
"""

from __future__ import annotations

import re
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import replace
from typing import Any

from assistant.chunking import count_tokens
from assistant.compose import (
    LIBRARY_LABEL,
    QUESTION_BACK_LABEL,
    compose_library_answer,
    pick_sources,
)
from assistant.config import Settings
from assistant.errors import InputError, ModelError
from assistant.generation import (
    HOLDBACK,
    LIBRARY_MODE,
    CheckedStream,
    Citation,
    Done,
    Event,
    Kind,
    OutputGuard,
    Status,
    Token,
    TurnResult,
    history_of,
    new_canary,
    opened_with,
    record_turn,
    renumber_citations,
    start_turn,
    stream_text,
    verify_citations,
)
from assistant.knowledge import STAGE_LABELS
from assistant.llm import ChatModel
from assistant.prompts import ANSWER_SYSTEM, SourceText, answer_messages, rewrite_messages
from assistant.results import Result, Retrieval, Retriever
from assistant.safety import (
    CRISIS_MESSAGE,
    clean_question,
    distress_opening,
    is_crisis,
    is_distress,
    obviously_out_of_scope,
)
from assistant.store import Store

__all__ = [
    "HOLDBACK",
    "LIBRARY_LABEL",
    "LIBRARY_MODE",
    "Citation",
    "Done",
    "Event",
    "Kind",
    "Status",
    "Token",
    "TurnResult",
    "ask",
    "compose_library_answer",
    "fit_budget",
    "library_rewrite",
    "run_turn",
    "sources_from",
    "verify_citations",
]


# --- pure helpers -------------------------------------------------------------------


def sources_from(results: Sequence[Result], max_sources: int = 5) -> list[Citation]:
    """Number the retrieved articles as sources [1]..[n]; each carries its best passages.

    The overview passage (summary and topics) is kept apart when a body passage was found
    too: the model still sees it, but people and library mode get the advice itself."""
    out: list[Citation] = []
    for r in results[:max_sources]:
        body = [p for p in r.passages if p.heading != "Overview"]
        overview = [p for p in r.passages if p.heading == "Overview"]
        shown = body or overview
        summary = overview[0].text.split("\nTopics:")[0] if (body and overview) else ""
        heading = shown[0].heading if shown else ""
        text = "\n\n".join(p.text for p in shown)
        out.append(
            Citation(
                len(out) + 1, r.doc_id, r.title, r.path, heading, text, r.stage, summary, r.card
            )
        )
    return out


def fit_budget(
    sources: list[Citation],
    history: list[tuple[str, str]],
    question: str,
    settings: Settings,
    system_tokens: int = 450,
) -> tuple[list[Citation], list[tuple[str, str]]]:
    """Trim history (oldest first), then sources (lowest-ranked first, keeping at least
    one), so the prompt fits the model's context with room for the answer. Grounding
    matters more than old turns, so history goes first."""
    budget = settings.llm_context_tokens - settings.llm_max_tokens - system_tokens
    budget -= count_tokens(question) + 60
    src = list(sources)
    hist = list(history)

    def cost() -> int:
        return sum(count_tokens(s.prompt_text) + 25 for s in src) + sum(
            count_tokens(c) + 6 for _, c in hist
        )

    while hist and cost() > budget:
        hist.pop(0)
    while len(src) > 1 and cost() > budget:
        src.pop()
    if src and cost() > budget:
        # One source longer than the whole budget: cut its text.
        first = src[0]
        room = max(50, budget - sum(count_tokens(c) + 6 for _, c in hist))
        words = first.prompt_text.split()
        while words and count_tokens(" ".join(words)) > room:
            words = words[: int(len(words) * 0.8)]
        src[0] = replace(first, text=" ".join(words), summary="")
    return src, hist


FOLLOW_UP_RE = re.compile(
    r"^(and|but|also|what about|how about|so|then|ok|okay|why|how)\b|"
    r"\b(it|that|this|they|them|those|these|he|she|him|her|there)\b",
    re.IGNORECASE,
)


def library_rewrite(question: str, history: Sequence[tuple[str, str]]) -> str:
    """Without a model: join a short or referring follow-up, or a reply (not a new
    question) to the question the last answer asked back, to the previous question."""
    previous = [c for r, c in history if r == "user"]
    if not previous:
        return question
    replied = QUESTION_BACK_LABEL in history[-1][1] and "?" not in question
    if replied or len(question.split()) <= 6 or FOLLOW_UP_RE.search(question):
        return f"{previous[-1]} {question}"
    return question


def no_guidance_message(topics: Sequence[str]) -> str:
    listed = ", ".join(topics)
    return (
        "I couldn't find guidance on that in our library, so I won't guess. "
        "Mentor Assistant covers career and mentoring topics: "
        f"{listed}.\n\nTry asking, for example, *“How do I ask someone to be my mentor?”* or "
        "*“How should I respond to vague feedback from my manager?”*"
    )


def closest_label(title: str) -> str:
    """The line before an answer the library gives only partly (retrieval's "closest")."""
    return (
        f"**Closest guidance we have:** *{title}*. Our library does not cover your question "
        "exactly, so take this as the nearest help it has.\n\n"
    )


def _labelled(steps: Steps, label: list[str]) -> Steps:
    """Pass the turn's events through; once `label` holds a line (set when retrieval
    found only partial coverage), it leads the streamed text and the answer, and an
    answer's kind becomes "closest"."""
    shown = False
    while True:
        try:
            event = next(steps)
        except StopIteration as done:
            result: TurnResult = done.value
            break
        if label and isinstance(event, Token):
            if not shown:
                shown = True
                yield Token(label[0], label[0])
            event = Token(event.text, label[0] + event.shown)
        yield event
    if label and result.kind == "answer":
        result.kind = "closest"
        result.answer = label[0] + result.answer
    return result


def covered_topics() -> list[str]:
    return [label.lower() if i else label for i, label in enumerate(STAGE_LABELS.values())]


# --- the turn -----------------------------------------------------------------------

Steps = Generator[Event, None, TurnResult]
SUPPORT_TITLE = "A conversation about support"
FALLBACK = "fallback"  # status of a library-mode answer given because the model failed


def run_turn(
    question: str,
    *,
    settings: Settings,
    retriever: Retriever,
    model: ChatModel | None,
    store: Store | None = None,
    conversation_id: str | None = None,
    history: Sequence[tuple[str, str]] | None = None,
    allowed_urls: frozenset[str] = frozenset(),
    canary: str | None = None,
    retry: bool = False,
) -> Iterator[Event]:
    """One conversation turn. The user's message is saved before any model call; the
    answer is saved as complete, or as incomplete/error with whatever arrived. With
    ``retry``, the conversation's last failed answer is replaced by a new try at the same
    question (``question`` is ignored)."""
    t_start = time.perf_counter()
    timings: dict[str, float] = {}
    mode = model.name if model is not None else LIBRARY_MODE
    if retry:
        if store is None or conversation_id is None:
            raise InputError("Nothing to retry.")
        question, history = reopen_failed_turn(store, conversation_id)
    question = clean_question(question, settings.max_question_chars)  # raises InputError
    if store is not None and retry:
        pass  # the question is already saved
    elif store is not None:
        if history is None and conversation_id and store.get_conversation(conversation_id):
            history = history_of(store, conversation_id)
        conversation_id = start_turn(
            store,
            question,
            feature="ask",
            conversation_id=conversation_id,
            # A conversation that opens in distress is not titled with the person's words.
            title=SUPPORT_TITLE if is_crisis(question) or is_distress(question) else None,
        )
    past = list(history or [])[-12:]
    closest: list[str] = []

    def steps() -> Steps:
        early = _early_reply(question, mode)
        if early is not None:
            return early
        standalone = yield from _standalone(question, past, model, timings)
        yield Status("Searching the guidance…")
        t0 = time.perf_counter()
        retrieval = retriever.retrieve(standalone, k=settings.top_k)
        timings["retrieve"] = time.perf_counter() - t0
        if retrieval.rejected or not retrieval.results:
            return _no_guidance(mode, standalone, retrieval)
        sources = sources_from(retrieval.results)
        if retrieval.closest:
            closest.append(closest_label(sources[0].title))
        if model is None:
            follow_up = question if standalone != question else None
            result = yield from _library_answer(standalone, sources, timings, follow_up)
        else:
            guard = OutputGuard.for_prompt(ANSWER_SYSTEM, canary or new_canary(), allowed_urls)
            result = yield from _model_answer(
                question, standalone, sources, past, model, guard, settings, timings
            )
        result.standalone_question = standalone
        result.retrieval = retrieval
        return result

    care = distress_opening(question)
    labelled = _labelled(steps(), closest)
    result = yield from (opened_with(care, labelled) if care else labelled)
    result.timings = {**timings, "total": time.perf_counter() - t_start}
    result.conversation_id = conversation_id
    if store is not None and conversation_id is not None:
        result.message_id = record_turn(store, conversation_id, result)
    yield Done(result)


def reopen_failed_turn(store: Store, conversation_id: str) -> tuple[str, list[tuple[str, str]]]:
    """For a retry: drop the conversation's last answer if it failed (a library fallback,
    an incomplete or an error answer) and return its question and the history before it."""
    messages = store.messages(conversation_id)
    if len(messages) < 2 or messages[-1].role != "assistant" or messages[-2].role != "user":
        raise InputError("Nothing to retry in this conversation.")
    last = messages[-1]
    if last.status == "complete":
        raise InputError("The last answer did not fail; ask again to get another.")
    store.delete_message(last.id)
    earlier = [
        (m.role, m.content) for m in messages[:-2] if m.status == "complete" and m.kind != "crisis"
    ]
    return messages[-2].content, earlier[-12:]


def _early_reply(question: str, mode: str) -> TurnResult | None:
    """Crisis and obviously-out-of-scope messages are answered before any search."""
    if is_crisis(question):
        return TurnResult(CRISIS_MESSAGE, "crisis", mode, grounded=False)
    if obviously_out_of_scope(question):
        return TurnResult(
            no_guidance_message(covered_topics()),
            "out_of_scope",
            mode,
            grounded=False,
            standalone_question=question,
        )
    return None


def _no_guidance(mode: str, standalone: str, retrieval: Retrieval) -> TurnResult:
    return TurnResult(
        no_guidance_message(covered_topics()),
        "no_guidance",
        mode,
        grounded=False,
        standalone_question=standalone,
        retrieval=retrieval,
    )


def _standalone(
    question: str,
    history: list[tuple[str, str]],
    model: ChatModel | None,
    timings: dict[str, float],
) -> Generator[Event, None, str]:
    """The follow-up as a question that stands alone (the model rewrites it; without one,
    a short or referring follow-up is joined to the previous question)."""
    t0 = time.perf_counter()
    standalone = question
    if history and model is not None:
        yield Status("Understanding your follow-up…")
        try:
            rewritten = model.complete(rewrite_messages(question, history)).strip()
            if 3 <= len(rewritten) <= 600:
                standalone = rewritten
        except ModelError:
            standalone = library_rewrite(question, history)
    elif history:
        standalone = library_rewrite(question, history)
    timings["rewrite"] = time.perf_counter() - t0
    return standalone


def _library_answer(
    standalone: str,
    sources: list[Citation],
    timings: dict[str, float],
    follow_up: str | None = None,
) -> Steps:
    t0 = time.perf_counter()
    sources = pick_sources(standalone, sources)  # the card's one or two, numbered 1, 2
    text = compose_library_answer(standalone, sources, follow_up)
    text, cited, invalid = verify_citations(text, len(sources))
    text, citations = renumber_citations(text, sources, cited)
    timings["compose"] = time.perf_counter() - t0
    yield from stream_text(text)
    return TurnResult(
        text,
        "answer",
        LIBRARY_MODE,
        grounded=True,
        citations=citations,
        invalid_citations=invalid,
    )


def _model_answer(
    question: str,
    standalone: str,
    sources: list[Citation],
    history: list[tuple[str, str]],
    model: ChatModel,
    guard: OutputGuard,
    settings: Settings,
    timings: dict[str, float],
) -> Steps:
    t0 = time.perf_counter()
    sources, trimmed_history = fit_budget(sources, history, question, settings)
    messages = answer_messages(
        question if standalone == question else f"{question}\n(Standalone: {standalone})",
        [SourceText(s.n, s.title, s.heading, s.prompt_text) for s in sources],
        trimmed_history,
        guard.canary,
    )
    timings["prompt"] = time.perf_counter() - t0
    yield Status("Writing the answer…")
    t0 = time.perf_counter()
    stream = CheckedStream(model, messages, guard)
    yield from stream
    timings["model"] = time.perf_counter() - t0
    safe, report = stream.final()
    if stream.error is not None and not stream.raw:
        # Nothing arrived (unreachable, rate-limited, timed out): the mentee still gets
        # the library-mode answer, with the model's error as a note; it can be retried.
        fallback = yield from _library_answer(standalone, sources, timings)
        fallback.status, fallback.error = FALLBACK, str(stream.error)
        return fallback
    if stream.error is not None:
        return TurnResult(
            safe,
            "error",
            model.name,
            grounded=False,
            status="incomplete",
            error=str(stream.error),
        )
    t0 = time.perf_counter()
    text, cited, invalid = verify_citations(safe, len(sources))
    text, citations = renumber_citations(text, sources, cited)
    timings["verify"] = time.perf_counter() - t0
    return TurnResult(
        text,
        "answer",
        model.name,
        grounded=bool(cited) and not report.canary_leak,
        citations=citations,
        invalid_citations=invalid,
        prompt_tokens=stream.usage.prompt_tokens,
        completion_tokens=stream.usage.completion_tokens,
    )


def ask(question: str, **kwargs: Any) -> TurnResult:
    """Run a turn to the end and return its result (no streaming)."""
    result: TurnResult | None = None
    for event in run_turn(question, **kwargs):
        if isinstance(event, Done):
            result = event.result
    if result is None:  # pragma: no cover - run_turn always finishes
        raise InputError("No answer was produced.")
    return result
