"""Wiring: build the real clients once at an entry point (CLI, UI, eval) and hand them down.

Nothing here runs at import time; each piece is created on first use and kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.embeddings import Embedder, make_embedder
from assistant.index import Progress, active_collection, build_index, open_chroma, read_manifest

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from assistant.generation import Event
    from assistant.index import IndexReport
    from assistant.ranking import FusionConfig
    from assistant.retrieval import HybridRetriever
    from assistant.store import Store


class Runtime:
    """The faces' one way in: build the clients once, then call a feature's entry
    (``ask``; ``draft`` and ``practise`` beside it) with plain inputs and render the events
    it streams. A page or a command never assembles a pipeline by hand."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._retriever: HybridRetriever | None = None
        self._retriever_collection: str | None = None

    @cached_property
    def chroma(self) -> ClientAPI:
        return open_chroma(self.settings)

    @cached_property
    def embedder(self) -> Embedder:
        return make_embedder(self.settings)

    @cached_property
    def store(self) -> Store:
        from assistant.store import Store

        return Store.open(self.settings.db_url)

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

    def ask(self, question: str, conversation_id: str | None = None) -> Iterator[Event]:
        """One Ask turn, streamed; the clients are built before the first event, so a
        configuration error is raised here, not halfway through."""
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
        )
