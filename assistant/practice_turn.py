"""Practise, one turn and one attempt: score a reply (library or model), save the reply
before any model call and the scorecard after, and read attempts back (exchanges, the
combined scores for the progress chart, Markdown export). The scorecard, the giver's next
line and the input checks are in practice.py."""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.errors import InputError
from assistant.generation import Done, Event, Status, TurnResult, record_turn, start_turn
from assistant.knowledge import Scenario
from assistant.practice import (
    LABELS,
    MAX_EXCHANGES,
    MAX_SCORE,
    Scorecard,
    check_reply,
    closing_line,
    library_scorecard,
    pick_follow_up,
    reply_tags,
)
from assistant.practice_score import DIMENSIONS
from assistant.safety import CRISIS_MESSAGE, is_crisis
from assistant.store import Message, Store

# --- turns and attempts ---------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One reply in an attempt and what came of it."""

    replied_to: str  # the giver's line the mentee answered
    reply: str
    card: Scorecard | None
    giver_line: str | None  # what the giver says next (None: the attempt is over)
    crisis: bool = False
    error: str | None = None


def exchanges(store: Store, conversation_id: str) -> list[Exchange]:
    """An attempt's replies, each with its scorecard and the giver's next line."""
    msgs = store.messages(conversation_id)
    out: list[Exchange] = []
    for user, answer in _pairs(msgs):
        data = (answer.data if answer else None) or {}
        card = Scorecard.from_data(data["scorecard"]) if data.get("scorecard") else None
        replied_to = (user.data or {}).get("replied_to", "")
        out.append(
            Exchange(
                replied_to,
                user.content,
                card,
                data.get("giver_line"),
                bool(data.get("crisis")),
                answer.error if answer else None,
            )
        )
    return out


def _pairs(msgs: Sequence[Message]) -> Iterator[tuple[Message, Message | None]]:
    for i, m in enumerate(msgs):
        if m.role == "user":
            nxt = msgs[i + 1] if i + 1 < len(msgs) and msgs[i + 1].role == "assistant" else None
            yield m, nxt


def combined(cards: Sequence[Scorecard]) -> dict[str, int]:
    """An attempt's score per dimension over its exchanges: a habit shown once counts (best
    of acknowledge, clarify, next step, follow-up), and so does losing composure or
    dodging ownership once (worst of those two)."""
    out: dict[str, int] = {}
    for d in DIMENSIONS:
        values = [c.scores[d] for c in cards]
        out[d] = min(values) if d in ("composure", "ownership") else max(values)
    return out


def card_markdown(card: Scorecard) -> str:
    """A scorecard as Markdown (the stored answer text and the export)."""
    lines = [f"**Score {card.total}/{MAX_SCORE}**", ""]
    for p in card.points:
        quote = f" — “{p.evidence}”" if p.evidence else ""
        lines.append(f"- **{LABELS[p.dimension]} {p.score}/2**{quote} {p.reason}")
        if p.score < 2:
            lines.append(f"  - Try: {p.suggestion} (see *{p.source_title}*)")
    lines += [f"> {n}" for n in card.notes]
    return "\n".join(lines)


def attempt_markdown(scenario: Scenario, conv_title: str, items: Sequence[Exchange]) -> str:
    giver = f"{scenario.giver.name} ({scenario.giver.role})"
    lines = [f"# Practice: {conv_title}", "", f"_{scenario.setting.strip()}_", ""]
    lines += [f"**{giver}:** {scenario.opening.strip()}", ""]
    for n, ex in enumerate(items, 1):
        lines += [f"**You (reply {n}):** {ex.reply}", ""]
        if ex.card is not None:
            lines += [card_markdown(ex.card), ""]
        if ex.giver_line:
            lines += [f"**{scenario.giver.name}:** {ex.giver_line}", ""]
    if items and items[-1].card is not None:
        lines += ["## A stronger example", "", items[-1].card.example, ""]
    return "\n".join(lines).rstrip() + "\n"


def run_practice(
    scenario: Scenario,
    reply: str,
    *,
    store: Store,
    conversation_id: str | None = None,
    coach: Any = None,
) -> Iterator[Event]:
    """One exchange: check and save the reply, score it, find the giver's next line, save
    the scorecard. ``coach`` is a ``practice_model.ModelCoach`` (None: library mode)."""
    t0 = time.perf_counter()
    reply = check_reply(reply, scenario.giver.name.split()[0])
    conv = store.get_conversation(conversation_id) if conversation_id else None
    if conv is not None and (conv.feature != "practice" or conv.subject != scenario.id):
        raise InputError("That attempt belongs to another scenario.", "Start a new attempt.")
    past = exchanges(store, conv.id) if conv else []
    if len(past) >= MAX_EXCHANGES or (past and past[-1].giver_line is None):
        raise InputError(
            "This attempt is finished.", "Start a new attempt to practise the scenario again."
        )
    replied_to = (past[-1].giver_line or "") if past else scenario.opening.strip()
    cid = start_turn(
        store,
        reply,
        feature="practice",
        conversation_id=conv.id if conv else None,
        title=scenario.title,
        subject=scenario.id,
        data={"replied_to": replied_to, "exchange": len(past) + 1},
    )
    yield Status("Reading your reply…")
    if is_crisis(reply):
        result = TurnResult(
            CRISIS_MESSAGE,
            "crisis",
            "library",
            grounded=False,
            data={"crisis": True, "giver_line": None},
        )
    else:
        result = yield from _score_and_answer(scenario, reply, past, replied_to, coach)
    result.conversation_id = cid
    result.timings = {"total": time.perf_counter() - t0}
    result.message_id = record_turn(store, cid, result)
    yield Done(result)


def _score_and_answer(
    scenario: Scenario, reply: str, past: Sequence[Exchange], replied_to: str, coach: Any
) -> Generator[Event, None, TurnResult]:
    card = library_scorecard(scenario, reply, replied_to)
    error = None
    if coach is not None:
        card, error = coach.score(scenario, reply, replied_to, card)
    used = [ex.giver_line for ex in past if ex.giver_line]
    last = len(past) + 1 >= MAX_EXCHANGES
    line = None if last else pick_follow_up(scenario, reply_tags(card.scores), used)
    if line is not None and coach is not None:
        yield Status(f"{scenario.giver.name.split()[0]} is replying…")
        history = [(ex.replied_to, ex.reply) for ex in past] + [(replied_to, reply)]
        line, giver_error = coach.giver_line(scenario, history, line)
        error = error or giver_error
    if line is None:
        card.notes.append(
            f"{scenario.giver.name.split()[0]}: “{closing_line(scenario, card.total)}” "
            "That's the end of this attempt — try again to practise it once more."
        )
    data = {"scorecard": card.to_data(), "giver_line": line, "mode": card.mode}
    return TurnResult(
        card_markdown(card), "practice", card.mode, grounded=True, error=error, data=data
    )
