"""Incremental, crash-safe indexing of the knowledge base into Chroma.

Every run that changes anything writes a *new* collection: chunks of unchanged articles are
copied over with their stored vectors (nothing is re-embedded), changed and new articles are
embedded, deleted ones are simply not copied. Only when the new collection is complete does
one small write to the ``mentor_manifest`` collection's metadata switch readers over; that
write is the commit point. A run killed at any moment leaves the previous collection active
and whole, and the next run sweeps away the orphan. One writer at a time (a file lock).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from assistant.chunking import Chunk, ScenarioDoc, chunk_article, chunk_scenario, scenario_documents
from assistant.embeddings import Embedder
from assistant.errors import IndexError_, IndexLockedError, KnowledgeError
from assistant.knowledge import Article, load_articles
from assistant.vectorstore import (
    ADD_BATCH,
    HNSW,
    PIPELINE_VERSION,
    PREFIX,
    Manifest,
    _add_batches,
    _drop,
    _slug,
    _write_manifest,
    data_dir_error,
    get_pages,
    read_manifest,
    sweep_orphans,
    writable_problem,
)

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from assistant.config import Settings


Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    collection: str = ""
    rebuilt: bool = False  # a new collection was written
    chunks_resumed: int = 0  # kept from an interrupted run of the same build

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged documents; {self.chunks_embedded} chunks embedded, "
            f"{self.chunks_total} in the index"
            + (
                f" ({self.chunks_resumed} kept from an interrupted run)"
                if self.chunks_resumed
                else ""
            )
            + f"; {self.seconds:.2f}s"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": len(self.unchanged),
            "chunks_embedded": self.chunks_embedded,
            "chunks_total": self.chunks_total,
            "seconds": round(self.seconds, 3),
            "embed_seconds": round(self.embed_seconds, 3),
            "collection": self.collection,
            "chunks_resumed": self.chunks_resumed,
        }


def _index_lock(settings: Settings) -> FileLock:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(str(settings.data_dir / "index.lock"), timeout=0)


def plan_changes(
    old: dict[str, str], new: dict[str, str]
) -> tuple[list[str], list[str], list[str], list[str]]:
    """(added, updated, removed, unchanged) document ids. Pure."""
    added = sorted(k for k in new if k not in old)
    updated = sorted(k for k in new if k in old and old[k] != new[k])
    removed = sorted(k for k in old if k not in new)
    unchanged = sorted(k for k in new if k in old and old[k] == new[k])
    return added, updated, removed, unchanged


def build_index(
    settings: Settings,
    client: ClientAPI,
    embedder: Embedder,
    progress: Progress | None = None,
    *,
    force: bool = False,
) -> IndexReport:
    """Bring the index in line with the knowledge directory. See the module docstring."""
    started = time.perf_counter()
    try:
        lock = _index_lock(settings)
        lock.acquire()
    except Timeout as exc:  # before OSError: filelock's Timeout is a TimeoutError
        raise IndexLockedError(
            "Another `mentor index` is already writing the index.",
            "Wait for it to finish and try again (the lock frees itself if that process dies).",
        ) from exc
    except OSError as exc:
        raise data_dir_error(settings.data_dir, exc) from exc
    try:
        articles = load_articles(settings.knowledge_dir, settings.max_document_bytes)
        if not articles:
            raise KnowledgeError(
                f"No articles found under {settings.knowledge_dir / 'articles'}.",
                "Add Markdown articles (see knowledge/README.md) or set MENTOR_KNOWLEDGE_DIR. "
                "The existing index was left as it was.",
            )
        scenarios = scenario_documents(settings.knowledge_dir, [a.id for a in articles])
        shared = _shared_progress(settings, progress)
        report = _build_locked(settings, client, embedder, articles, scenarios, shared, force)
    except (KnowledgeError, IndexError_, KeyboardInterrupt):
        raise
    except Exception as exc:  # a full disk or a folder turned read-only mid-build
        if writable_problem(exc):
            raise data_dir_error(settings.data_dir, exc) from exc
        raise
    finally:
        progress_path(settings).unlink(missing_ok=True)
        lock.release()
    report.seconds = time.perf_counter() - started
    return report


def progress_path(settings: Settings) -> Path:
    return settings.data_dir / "index-progress.json"


def _shared_progress(settings: Settings, progress: Progress | None) -> Progress:
    """Pass progress on, and write it (at most twice a second) where another process —
    the app opened while `mentor index` runs — can show it instead of starting a build."""
    path = progress_path(settings)
    last = 0.0

    def shared(phase: str, done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= 0.5 or done >= total:
            last = now
            data = {"phase": phase, "done": done, "total": total, "pid": os.getpid()}
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps({**data, "at": time.time()}), encoding="utf-8")
            os.replace(tmp, path)
        if progress is not None:
            progress(phase, done, total)

    return shared


def build_progress(settings: Settings) -> dict[str, Any] | None:
    """The progress another process's build last wrote, while that build holds the lock."""
    lock = _index_lock(settings)
    try:
        lock.acquire()
    except Timeout:
        try:
            return dict(json.loads(progress_path(settings).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {"phase": "starting", "done": 0, "total": 0}
    lock.release()
    return None


def pipeline_tag(settings: Settings) -> str:
    return f"{PIPELINE_VERSION}/{settings.chunk_tokens}/{settings.chunk_overlap_tokens}"


def _plan(
    manifest: Manifest | None, reusable: bool, new_docs: dict[str, str]
) -> tuple[list[str], list[str], list[str], list[str]]:
    """(added, updated, removed, unchanged) against the active index; with a different
    model or chunking every document is re-embedded."""
    if manifest is not None and not reusable:
        return sorted(new_docs), [], sorted(set(manifest.docs) - set(new_docs)), []
    return plan_changes(manifest.docs if manifest is not None else {}, new_docs)


def _build_locked(
    settings: Settings,
    client: ClientAPI,
    embedder: Embedder,
    articles: list[Article],
    scenarios: list[ScenarioDoc],
    progress: Progress | None,
    force: bool,
) -> IndexReport:
    manifest = read_manifest(client)
    pipeline = pipeline_tag(settings)
    reusable = (
        manifest is not None
        and manifest.embedder == embedder.name
        and manifest.pipeline == pipeline
        and not force
    )
    new_docs = {a.id: a.content_hash for a in articles} | {d.id: d.content_hash for d in scenarios}
    added, updated, removed, unchanged = _plan(manifest, reusable, new_docs)
    report = IndexReport(added=added, updated=updated, removed=removed, unchanged=unchanged)
    if reusable and manifest is not None and not (added or updated or removed):
        report.collection = manifest.collection
        report.chunks_total = manifest.chunks
        sweep_orphans(client, keep=manifest.collection)
        write_stamp(settings, manifest)
        return report
    clear_stamp(settings)  # a run killed from here on leaves no stamp: the next run checks

    old_col = None
    if reusable and manifest is not None:
        try:
            old_col = client.get_collection(manifest.collection, embedding_function=None)
        except Exception:
            old_col = None
    if old_col is None and unchanged:
        # The active collection vanished: embed everything again (each article once).
        report.added, report.updated, report.unchanged = sorted(new_docs), [], []
        unchanged = []

    active = manifest.collection if manifest is not None else None
    name, new_col, have = _resume_or_create(client, embedder.name, pipeline, active, new_docs)
    report.chunks_resumed = len(have)
    total = len(have)
    if old_col is not None:
        total += _copy_unchanged(old_col, new_col, set(unchanged), skip=set(have))

    by_id = {a.id: a for a in articles}
    scenario_by_id = {d.id: d for d in scenarios}
    to_embed: list[Chunk] = []
    for doc_id in [*report.added, *report.updated]:
        if doc_id in scenario_by_id:
            to_embed.extend(
                c for c in chunk_scenario(scenario_by_id[doc_id]) if c.chunk_id not in have
            )
            continue
        to_embed.extend(
            c
            for c in chunk_article(
                by_id[doc_id], settings.chunk_tokens, settings.chunk_overlap_tokens
            )
            if c.chunk_id not in have
        )
    report.embed_seconds = _embed_into(new_col, to_embed, embedder, progress)
    report.chunks_embedded = len(to_embed)
    total += len(to_embed)

    if new_col.count() != total:
        _drop(client, name)  # never resume a collection that does not add up
        raise IndexError_(
            f"The new index holds {new_col.count()} chunks, expected {total}.",
            "The previous index is still active; run `mentor index` again.",
        )
    new_manifest = Manifest(
        collection=name,
        embedder=embedder.name,
        pipeline=pipeline,
        docs=new_docs,
        chunks=total,
        built_at=time.time(),
    )
    _write_manifest(client, new_manifest)  # the commit point
    write_stamp(settings, new_manifest)
    report.collection = name
    report.chunks_total = total
    report.rebuilt = True
    sweep_orphans(client, keep=name)
    return report


def _resume_or_create(
    client: ClientAPI,
    embedder_name: str,
    pipeline: str,
    active: str | None,
    docs: dict[str, str],
) -> tuple[str, Collection, set[str]]:
    """The collection this build writes: an interrupted build's (same model and chunking),
    so the chunks it already holds for unchanged articles are kept, or a new one. Returns
    its name, the collection and the ids of the chunks kept. Only one build runs at a time
    (the lock), so any collection other than the active one was left by a killed run."""
    for entry in client.list_collections():
        name = entry if isinstance(entry, str) else entry.name
        if not name.startswith(PREFIX) or name == active:
            continue
        try:
            col = client.get_collection(name, embedding_function=None)
            meta = col.metadata or {}
            if meta.get("embedder") != embedder_name or meta.get("pipeline") != pipeline:
                continue
            have: set[str] = set()
            stale: list[str] = []
            for page in get_pages(col, ["metadatas"]):
                for cid, m in zip(page["ids"], page["metadatas"] or [], strict=True):
                    current = docs.get(str(m["doc_id"])) == m.get("doc_hash")
                    if current:
                        have.add(cid)
                    else:
                        stale.append(cid)
            for start in range(0, len(stale), ADD_BATCH):
                col.delete(ids=stale[start : start + ADD_BATCH])
            return name, col, have
        except Exception:  # unreadable leftovers are swept, never resumed
            _drop(client, name)
    name = f"{PREFIX}{_slug(embedder_name)}-{uuid.uuid4().hex[:12]}"
    col = client.create_collection(
        name,
        embedding_function=None,
        configuration={"hnsw": HNSW},
        metadata={"embedder": embedder_name, "pipeline": pipeline},
    )
    return name, col, set()


def _copy_unchanged(
    old_col: Collection,
    new_col: Collection,
    keep: set[str],
    skip: set[str] | frozenset[str] = frozenset(),
) -> int:
    """Copy the unchanged articles' chunks (vectors included) into the new collection,
    except those it already holds; returns how many were copied."""
    total = 0
    # Copy page by page: one get() of a large collection exceeds SQLite's variable limit.
    for page in get_pages(old_col, ["embeddings", "documents", "metadatas"]) if keep else []:
        rows = [
            i
            for i, m in enumerate(page["metadatas"] or [])
            if str(m["doc_id"]) in keep and page["ids"][i] not in skip
        ]
        if not rows:
            continue
        embeddings = page["embeddings"]
        _add_batches(
            new_col,
            [page["ids"][i] for i in rows],
            [embeddings[i] for i in rows] if embeddings is not None else [],
            [(page["documents"] or [])[i] for i in rows],
            [dict((page["metadatas"] or [])[i]) for i in rows],
        )
        total += len(rows)
    return total


def _embed_into(
    new_col: Collection, chunks: list[Chunk], embedder: Embedder, progress: Progress | None
) -> float:
    """Embed chunks in batches into the new collection; returns the seconds spent."""
    # Batches of similar length pad little: short questions and long passages apart.
    chunks.sort(key=lambda c: len(c.embed_text))
    t0 = time.perf_counter()
    step = 64
    for start in range(0, len(chunks), step):
        batch = chunks[start : start + step]
        vectors = embedder.embed_documents([c.embed_text for c in batch])
        new_col.add(
            ids=[c.chunk_id for c in batch],
            embeddings=vectors,
            documents=[c.text for c in batch],
            metadatas=[dict(c.metadata) for c in batch],
        )
        if progress:
            progress("embed", min(start + step, len(chunks)), len(chunks))
    return time.perf_counter() - t0


# --- the no-change fast path ---------------------------------------------------------
#
# After each successful run the indexer leaves a stamp (the manifest as committed) next to
# the embedded Chroma store; it deletes the stamp before it starts writing. When the stamp
# matches the knowledge files, nothing has changed since the last complete run, and
# `mentor index` can say so without starting Chroma. Not used with a Chroma server, where
# another machine may have written the index.


def _stamp_path(settings: Settings) -> Path:
    return settings.index_dir / "stamp.json"


def write_stamp(settings: Settings, manifest: Manifest) -> None:
    if settings.chroma_host:
        return
    path = _stamp_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest.to_metadata()), encoding="utf-8")
    os.replace(tmp, path)


def clear_stamp(settings: Settings) -> None:
    _stamp_path(settings).unlink(missing_ok=True)


def quick_no_change(settings: Settings, embedder_name: str) -> IndexReport | None:
    """An IndexReport when the last complete run indexed exactly these files with this
    model and chunking; None when a full check is needed."""
    from assistant.knowledge import article_fingerprints

    started = time.perf_counter()
    if settings.chroma_host or not (settings.chroma_path / "chroma.sqlite3").is_file():
        return None
    try:
        stamp = Manifest.from_metadata(
            json.loads(_stamp_path(settings).read_text(encoding="utf-8"))
        )
    except (OSError, ValueError, KeyError):
        return None
    if stamp is None or stamp.embedder != embedder_name or stamp.pipeline != pipeline_tag(settings):
        return None
    current = article_fingerprints(settings.knowledge_dir, settings.max_document_bytes)
    if current is None or current != stamp.docs:
        return None
    return IndexReport(
        unchanged=sorted(current),
        chunks_total=stamp.chunks,
        collection=stamp.collection,
        seconds=time.perf_counter() - started,
    )


def index_status(settings: Settings, client: ClientAPI, embedder_name: str) -> dict[str, Any]:
    """Whether the index exists and matches the knowledge files (for `mentor doctor`)."""
    manifest = read_manifest(client)
    if manifest is None:
        return {"present": False, "fresh": False, "detail": "no index yet"}
    try:
        articles = load_articles(settings.knowledge_dir, settings.max_document_bytes)
        scenarios = scenario_documents(settings.knowledge_dir, [a.id for a in articles])
    except KnowledgeError as exc:
        return {"present": True, "fresh": False, "detail": str(exc)}
    current = {a.id: a.content_hash for a in articles} | {d.id: d.content_hash for d in scenarios}
    added, updated, removed, _ = plan_changes(manifest.docs, current)
    fresh = (
        not (added or updated or removed)
        and manifest.embedder == embedder_name
        and manifest.pipeline == pipeline_tag(settings)
    )
    detail = f"{len(manifest.docs)} documents, {manifest.chunks} chunks, model {manifest.embedder}"
    if not fresh:
        detail += (
            f"; out of date: {len(added)} new, {len(updated)} changed, {len(removed)} deleted "
            "document(s)"
        )
        if manifest.embedder != embedder_name:
            detail += f", built with {manifest.embedder} but {embedder_name} is configured"
    return {
        "present": True,
        "fresh": fresh,
        "detail": detail,
        "collection": manifest.collection,
        "built_at": manifest.built_at,
    }


def article_map(settings: Settings) -> dict[str, Article]:
    return {a.id: a for a in load_articles(settings.knowledge_dir, settings.max_document_bytes)}
