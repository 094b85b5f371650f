"""Grounded conversation: rewrite the follow-up, retrieve, answer with numbered citations,
verify them, stream to the caller, and save every step.

``run_turn`` is a generator of events (``Status``, ``Token``, ``Done``) so the CLI and the
UI can stream. The pure parts — citation checks, budgets, library-mode composition — are
plain functions below it.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from assistant.config import Settings
from assistant.errors import InputError, ModelError
from assistant.knowledge import STAGE_LABELS, count_tokens
from assistant.llm import ChatModel, Usage
from assistant.prompts import ANSWER_SYSTEM, SourceText, answer_messages, rewrite_messages
from assistant.retrieval import Result, Retrieval, Retriever
from assistant.safety import (
    BLOCKED_REPLY,
    CRISIS_MESSAGE,
    SanitiseReport,
    clean_question,
    is_crisis,
    obviously_out_of_scope,
    sanitise_output,
)
from assistant.store import Store

Kind = Literal["answer", "no_guidance", "out_of_scope", "crisis", "error"]
LIBRARY_MODE = "library"
LIBRARY_LABEL = "**Library mode** — composed from our guidance; no AI model is configured."


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

    @property
    def prompt_text(self) -> str:
        return f"{self.summary}\n\n{self.text}" if self.summary else self.text

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
    answer: str
    kind: Kind
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
    retrieval: Retrieval | None = None

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
    """A streamed piece. ``text`` is the new raw piece; ``shown`` is the whole answer so far,
    already sanitised — render ``shown``, never the raw pieces."""

    text: str
    shown: str


@dataclass(frozen=True)
class Done:
    result: TurnResult


Event = Status | Token | Done


# --- pure helpers -------------------------------------------------------------------

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
            Citation(len(out) + 1, r.doc_id, r.title, r.path, heading, text, r.stage, summary)
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
    """Without a model: join a short or referring follow-up to the previous question."""
    previous = [c for r, c in history if r == "user"]
    if not previous:
        return question
    if len(question.split()) <= 6 or FOLLOW_UP_RE.search(question):
        return f"{previous[-1]} {question}"
    return question


SENT_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'“(])")
WORD_RE = re.compile(r"[a-z][a-z'-]+")
STOP = frozenset(
    (
        "a an and are as at be but by can do for from have how i if in into is it its me my "
        "not of on or so that the their them then there they this to was we what when where "
        "which who will with you your should would could about get"
    ).split()
)


def _words(text: str) -> set[str]:
    return {w[:6] for w in WORD_RE.findall(text.lower()) if w not in STOP}


# An article's sentences about itself ("This article covers …") say what it contains, not
# what to do; disclaimers ("This article is not legal advice") stay.
ROADMAP_RE = re.compile(r"^This (?:article|guide) (?:gives|covers|explains|helps|shows|is about)\b")


def _units(text: str) -> list[str]:
    """Sentences and list items of a passage, cleaned of Markdown markup. Sentences that
    only point to another article ("see …") are left out: they are not advice; nor are
    quoted sample messages (lines starting '>'), which read as noise out of context."""
    units: list[str] = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*]|\d+\.)\s)", text):
        block = "\n".join(ln for ln in block.splitlines() if not ln.lstrip().startswith(">"))
        block = re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", block.strip())
        block = re.sub(r"\s*\n\s*", " ", block)
        if not block or block.startswith(("#", "|", "Topics:", ">")):
            continue
        for sentence in SENT_SPLIT_RE.split(block):
            if "](" in sentence:
                continue
            sentence = sentence.strip()
            if sentence:
                units.append(sentence)
    return [
        u
        for u in units
        if 6 <= len(u.split()) <= 60 and not u.startswith("Topics:") and not ROADMAP_RE.match(u)
    ]


ACTION_RE = re.compile(
    r"^(Ask|Write|Start|Keep|Send|Pick|Choose|Name|Try|Make|Set|List|Book|Say|Thank|Offer|"
    r"Use|Tell|Note|Plan|Prepare|Follow|Be|Avoid|Don't|Do)\b"
)


def compose_library_answer(question: str, sources: Sequence[Citation], max_points: int = 7) -> str:
    """A deterministic answer made of the most relevant sentences and steps, each cited."""
    qwords = _words(question)
    scored: list[tuple[float, int, int, str]] = []
    for src in sources:
        for pos, unit in enumerate(_units(src.text)):
            overlap = len(qwords & _words(unit))
            if overlap < (0 if src.n == 1 else 1 if src.n == 2 else 2):
                continue  # lower-ranked sources contribute only what touches the question
            actionable = 0.5 if ACTION_RE.match(unit) else 0.0
            rank_prior = 1.5 / src.n
            scored.append((overlap + actionable + rank_prior - pos * 0.05, src.n, pos, unit))
    scored.sort(key=lambda t: -t[0])
    chosen: list[tuple[int, int, str]] = []
    seen: list[set[str]] = []
    per_source: dict[int, int] = {}
    for _, n, pos, unit in scored:
        w = _words(unit)
        if any(len(w & s) / max(1, len(w | s)) > 0.5 for s in seen):
            continue
        if per_source.get(n, 0) >= (4 if n == 1 else 2):
            continue
        chosen.append((n, pos, unit))
        seen.append(w)
        per_source[n] = per_source.get(n, 0) + 1
        if len(chosen) >= max_points:
            break
    # Keep the guidance in reading order: by source, then position in the passage.
    chosen.sort(key=lambda t: (t[0], t[1]))
    lines = [LIBRARY_LABEL, "", "Here is what our guidance says:", ""]
    lines += [f"- {unit} [{n}]" for n, _, unit in chosen]
    cited = sorted({n for n, _, _ in chosen})
    lines += [
        "",
        "Read more: "
        + "; ".join(f"[{n}] {next(s.title for s in sources if s.n == n)}" for n in cited),
    ]
    return "\n".join(lines)


def no_guidance_message(topics: Sequence[str]) -> str:
    listed = ", ".join(topics)
    return (
        "I couldn't find guidance on that in our library, so I won't guess. "
        "Mentor Assistant covers career and mentoring topics: "
        f"{listed}.\n\nTry asking, for example, *“How do I ask someone to be my mentor?”* or "
        "*“How should I respond to vague feedback from my manager?”*"
    )


def covered_topics() -> list[str]:
    return [label.lower() if i else label for i, label in enumerate(STAGE_LABELS.values())]


# --- the turn -----------------------------------------------------------------------


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
) -> Iterator[Event]:
    """One conversation turn. The user's message is saved before any model call; the
    answer is saved as complete, or as incomplete/error with whatever arrived."""
    t_start = time.perf_counter()
    timings: dict[str, float] = {}
    mode = model.name if model is not None else LIBRARY_MODE
    question = clean_question(question, settings.max_question_chars)  # raises InputError

    if store is not None:
        if conversation_id is None or store.get_conversation(conversation_id) is None:
            conversation_id = store.create_conversation(_title_for(question)).id
        if history is None:
            history = [
                (m.role, m.content)
                for m in store.messages(conversation_id)
                if m.status == "complete" and m.kind not in ("crisis",)
            ]
        store.add_message(conversation_id, "user", question)
    history = list(history or [])[-12:]

    def finish(result: TurnResult) -> Done:
        result.timings = {**timings, "total": time.perf_counter() - t_start}
        result.conversation_id = conversation_id
        if store is not None and conversation_id is not None:
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
                latency_ms=int(result.timings["total"] * 1000),
                error=result.error,
            )
            result.message_id = msg.id
        return Done(result)

    if is_crisis(question):
        yield finish(TurnResult(CRISIS_MESSAGE, "crisis", mode, grounded=False))
        return
    if obviously_out_of_scope(question):
        yield finish(
            TurnResult(
                no_guidance_message(covered_topics()),
                "out_of_scope",
                mode,
                grounded=False,
                standalone_question=question,
            )
        )
        return

    # 1. standalone question
    t0 = time.perf_counter()
    standalone = question
    if history:
        if model is not None:
            yield Status("Understanding your follow-up…")
            try:
                rewritten = model.complete(rewrite_messages(question, history)).strip()
                if 3 <= len(rewritten) <= 600:
                    standalone = rewritten
            except ModelError:
                standalone = library_rewrite(question, history)
        else:
            standalone = library_rewrite(question, history)
    timings["rewrite"] = time.perf_counter() - t0

    # 2. retrieve
    yield Status("Searching the guidance…")
    t0 = time.perf_counter()
    retrieval = retriever.retrieve(standalone, k=settings.top_k)
    timings["retrieve"] = time.perf_counter() - t0
    if retrieval.rejected or not retrieval.results:
        yield finish(
            TurnResult(
                no_guidance_message(covered_topics()),
                "no_guidance",
                mode,
                grounded=False,
                standalone_question=standalone,
                retrieval=retrieval,
            )
        )
        return
    sources = sources_from(retrieval.results)

    # 3. answer
    if model is None:
        t0 = time.perf_counter()
        text = compose_library_answer(standalone, sources)
        text, cited, invalid = verify_citations(text, len(sources))
        timings["compose"] = time.perf_counter() - t0
        so_far = ""
        for piece in _pieces(text):
            so_far += piece
            yield Token(piece, so_far)
        yield finish(
            TurnResult(
                text,
                "answer",
                mode,
                grounded=True,
                citations=[s for s in sources if s.n in cited],
                invalid_citations=invalid,
                standalone_question=standalone,
                retrieval=retrieval,
            )
        )
        return

    canary = canary or f"CANARY-{secrets.token_hex(8)}"
    t0 = time.perf_counter()
    sources, trimmed_history = fit_budget(sources, history, question, settings)
    messages = answer_messages(
        question if standalone == question else f"{question}\n(Standalone: {standalone})",
        [SourceText(s.n, s.title, s.heading, s.prompt_text) for s in sources],
        trimmed_history,
        canary,
    )
    timings["prompt"] = time.perf_counter() - t0
    yield Status("Writing the answer…")
    usage = Usage()
    raw = ""
    t0 = time.perf_counter()
    try:
        for piece in model.stream(messages, usage):
            raw += piece
            if leaks_prompt(raw, canary):
                break  # check_output below replaces the whole answer
            # Hold back the tail: a leak or a link may still be half-written there.
            shown, _ = check_output(raw[: max(0, len(raw) - HOLDBACK)], allowed_urls, canary)
            yield Token(piece, shown)
    except ModelError as exc:
        timings["model"] = time.perf_counter() - t0
        safe, _ = check_output(raw, allowed_urls, canary)
        yield finish(
            TurnResult(
                safe,
                "error",
                mode,
                grounded=False,
                citations=[],
                standalone_question=standalone,
                status="incomplete" if raw else "error",
                error=str(exc),
                retrieval=retrieval,
            )
        )
        return
    timings["model"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    safe, report = check_output(raw, allowed_urls, canary)
    text, cited, invalid = verify_citations(safe, len(sources))
    timings["verify"] = time.perf_counter() - t0
    grounded = bool(cited) and not report.canary_leak
    yield finish(
        TurnResult(
            text,
            "answer",
            mode,
            grounded=grounded,
            citations=[s for s in sources if s.n in cited],
            invalid_citations=invalid,
            standalone_question=standalone,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            retrieval=retrieval,
        )
    )


_PROMPT_LINES = [line.strip() for line in ANSWER_SYSTEM.splitlines() if len(line.strip()) > 40]


HOLDBACK = 64  # characters of a stream kept back until the next piece (≥ the 60 checked)


def leaks_prompt(text: str, canary: str) -> bool:
    """The canary (or its prefix), or a long verbatim line of the system prompt."""
    if canary in text or "CANARY-" in text or "Confidential marker" in text:
        return True
    flat = " ".join(text.split())
    return any(" ".join(line.split())[:60] in flat for line in _PROMPT_LINES)


def check_output(
    raw: str, allowed_urls: frozenset[str], canary: str
) -> tuple[str, SanitiseReport]:
    """The one output check for model text — streamed, partial or final: a prompt leak
    replaces the whole answer, everything else goes through sanitise_output."""
    if leaks_prompt(raw, canary):
        return BLOCKED_REPLY, SanitiseReport(canary_leak=True)
    return sanitise_output(raw, allowed_urls, canary)


def _pieces(text: str, size: int = 24) -> Iterator[str]:
    for i in range(0, len(text), size):
        yield text[i : i + size]


def _title_for(question: str) -> str:
    q = " ".join(question.split())
    return q if len(q) <= 60 else q[:57].rstrip() + "…"


def ask(question: str, **kwargs: Any) -> TurnResult:
    """Run a turn to the end and return its result (no streaming)."""
    result: TurnResult | None = None
    for event in run_turn(question, **kwargs):
        if isinstance(event, Done):
            result = event.result
    if result is None:  # pragma: no cover - run_turn always finishes
        raise InputError("No answer was produced.")
    return result
