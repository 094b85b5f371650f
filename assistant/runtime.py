"""Wiring: build the real clients once at an entry point (CLI, UI, eval) and hand them down.

Nothing here runs at import time; each piece is created on first use and kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.embeddings import Embedder, make_embedder
from assistant.index import Progress, build_index
from assistant.vectorstore import active_collection, open_chroma, read_manifest

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from assistant.generation import Event, TurnResult
    from assistant.index import IndexReport
    from assistant.knowledge import Scenario
    from assistant.outreach_request import OutreachRequest
    from assistant.practice import Scorecard
    from assistant.practice_model import ModelCoach
    from assistant.practice_turn import Exchange
    from assistant.ranking import FusionConfig
    from assistant.retrieval import HybridRetriever
    from assistant.store import Conversation, Store


class Runtime:
    """The faces' one way in: build the clients once, then call a feature's entry
    (``ask``; ``draft`` and ``practise`` beside it) with plain inputs and render the events
    it streams. A page or a command never assembles a pipeline by hand."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._retriever: HybridRetriever | None = None
        self._retriever_collection: str | None = None
        self._notices: list[str] = []

    @cached_property
    def chroma(self) -> ClientAPI:
        return open_chroma(self.settings)

    @cached_property
    def embedder(self) -> Embedder:
        return make_embedder(self.settings)

    @cached_property
    def store(self) -> Store:
        """The database; when the data folder is read-only, a store in memory so answers
        still work, with ``notice`` saying that nothing is being saved."""
        from assistant.errors import StoreError
        from assistant.store import Store

        try:
            return Store.open(self.settings.db_url)
        except StoreError as exc:
            if "cannot be written" not in exc.message or self.settings.database_url:
                raise
            self._notices.append(
                f"{exc.message} Answers still work, but nothing you type here is saved."
            )
            return Store.open("sqlite://")

    def notices(self) -> list[str]:
        """Things a person should know about this session (a read-only data folder)."""
        from assistant.vectorstore import READ_ONLY_COPIES

        notes = list(self._notices)
        if READ_ONLY_COPIES and not self.settings.chroma_host:
            notes.append(
                f"The data folder {self.settings.data_dir} is read-only: answering from a "
                "copy of its index, which `mentor index` cannot update there."
            )
        return notes

    @cached_property
    def allowed_urls(self) -> frozenset[str]:
        """The http(s) URLs written in the knowledge base: the only outside links an
        answer may keep (see safety.sanitise_output)."""
        from assistant.index import article_map
        from assistant.safety import urls_in

        urls: set[str] = set()
        for article in article_map(self.settings).values():
            urls |= urls_in(article.body)
        return frozenset(urls)

    def index(self, progress: Progress | None = None, force: bool = False) -> IndexReport:
        report = build_index(self.settings, self.chroma, self.embedder, progress, force=force)
        return report

    def index_needed(self) -> bool:
        """No index, or one built with another model or chunking (an older pipeline's
        index has no answer cards, so library mode would fall back to summaries)."""
        from assistant.index import pipeline_tag

        manifest = read_manifest(self.chroma)
        return (
            manifest is None
            or manifest.embedder != self.embedder.name
            or manifest.pipeline != pipeline_tag(self.settings)
        )

    def retriever(self, config: FusionConfig | None = None) -> HybridRetriever:
        """The retriever over the active collection; reloaded when the index switches."""
        from assistant.ranking import default_fusion_config
        from assistant.retrieval import HybridRetriever

        manifest = read_manifest(self.chroma)
        current = manifest.collection if manifest else None
        if self._retriever is None or current != self._retriever_collection:
            collection = active_collection(self.chroma, self.embedder.name)
            cfg = config or default_fusion_config(self.settings)
            self._retriever = HybridRetriever(collection, self.embedder, cfg)
            self._retriever_collection = current
        return self._retriever

    def chat_model(self) -> Any:
        from assistant.llm import make_chat_model

        return make_chat_model(self.settings)

    # --- feature entries (plain inputs in, events out) ---------------------------------

    def ask(
        self, question: str, conversation_id: str | None = None, *, retry: bool = False
    ) -> Iterator[Event]:
        """One Ask turn, streamed; the clients are built before the first event, so a
        configuration error is raised here, not halfway through. ``retry`` tries the
        conversation's last failed answer again, in place."""
        from assistant.chat import run_turn

        retriever, model = self.retriever(), self.chat_model()
        return run_turn(
            question,
            settings=self.settings,
            retriever=retriever,
            model=model,
            store=self.store,
            conversation_id=conversation_id,
            allowed_urls=self.allowed_urls,
            retry=retry,
        )

    # --- Reach out (assistant.outreach) -------------------------------------------------

    def draft(self, request: OutreachRequest, contact_id: str | None = None) -> TurnResult:
        """2–3 checked drafts for one outreach request, saved to the store (feature
        ``outreach``, subject: the contact id, else the mentor's name). The model is
        built first, so a configuration error is raised before anything is saved."""
        from assistant.outreach import draft_turn

        model = self.chat_model()
        return draft_turn(
            request,
            model=model,
            knowledge_dir=self.settings.knowledge_dir,
            store=self.store,
            contact_id=contact_id,
        )

    # --- Practise (issue 13): role-play replies to feedback, coached and saved ----------
    # Attempts are conversations with feature "practice" and subject = the scenario id;
    # each reply is a user message, its scorecard the assistant message's ``data``.

    @cached_property
    def scenarios(self) -> dict[str, Scenario]:
        from assistant.knowledge import load_scenarios

        return {s.id: s for s in load_scenarios(self.settings.knowledge_dir)}

    def scenario(self, scenario_id: str) -> Scenario:
        from assistant.errors import InputError

        found = self.scenarios.get(scenario_id)
        if found is None:
            raise InputError(
                f"There is no practice scenario {scenario_id!r}.",
                "See `mentor practice --list` for the scenario ids.",
            )
        return found

    def practice_coach(self) -> ModelCoach | None:
        """The model coach and giver, or None in library mode."""
        from assistant.practice_model import ModelCoach

        model = self.chat_model()
        return ModelCoach(model, self.allowed_urls) if model is not None else None

    def practise(
        self, scenario_id: str, reply: str, attempt_id: str | None = None
    ) -> Iterator[Event]:
        """One exchange of a practice attempt, streamed as events (the reply is saved
        before any model call; a new attempt starts when ``attempt_id`` is None)."""
        from assistant.practice_turn import run_practice

        scenario, coach = self.scenario(scenario_id), self.practice_coach()
        return run_practice(
            scenario, reply, store=self.store, conversation_id=attempt_id, coach=coach
        )

    def practice_scorecard(self, scenario_id: str, reply: str) -> Scorecard:
        """Score one reply without saving it (`mentor practice --batch`, evaluations)."""
        from assistant.practice import check_reply, library_scorecard

        scenario = self.scenario(scenario_id)
        text = check_reply(reply, scenario.giver.name.split()[0])
        card = library_scorecard(scenario, text)
        coach = self.practice_coach()
        if coach is not None:
            card, _ = coach.score(scenario, text, scenario.opening.strip(), card)
        return card

    def practice_attempts(self, scenario_id: str | None = None) -> list[Conversation]:
        return self.store.list_conversations(10_000, feature="practice", subject=scenario_id)

    def practice_exchanges(self, attempt_id: str) -> list[Exchange]:
        from assistant.practice_turn import exchanges

        return exchanges(self.store, attempt_id)

    def export_practice(self, attempt_id: str) -> str:
        """One attempt as Markdown: the scene, each reply with its scorecard, the example."""
        from assistant.errors import InputError
        from assistant.practice_turn import attempt_markdown

        conv = self.store.get_conversation(attempt_id)
        if conv is None or conv.feature != "practice" or conv.subject is None:
            raise InputError(f"No practice attempt {attempt_id!r}.")
        return attempt_markdown(
            self.scenario(conv.subject), conv.title, self.practice_exchanges(conv.id)
        )

    def delete_practice(self, attempt_id: str) -> bool:
        conv = self.store.get_conversation(attempt_id)
        if conv is None or conv.feature != "practice":
            return False
        return self.store.delete_conversation(attempt_id)

    def practice_progress(self, scenario_id: str | None = None) -> list[dict[str, Any]]:
        """Per attempt (oldest first) and dimension, the attempt's score: one row each, for
        a chart (see practice.combined for how an attempt's exchanges add up)."""
        from assistant.practice import LABELS
        from assistant.practice_turn import combined

        rows: list[dict[str, Any]] = []
        attempts = sorted(self.practice_attempts(scenario_id), key=lambda c: c.created_at)
        n = 0
        for conv in attempts:
            cards = [ex.card for ex in self.practice_exchanges(conv.id) if ex.card is not None]
            if not cards:
                continue
            n += 1
            for dim, score in combined(cards).items():
                rows.append({"attempt": n, "attempt_id": conv.id, "scenario": conv.subject,
                             "when": conv.created_at.isoformat(timespec="minutes"),
                             "dimension": LABELS[dim], "score": score})  # fmt: skip
        return rows
