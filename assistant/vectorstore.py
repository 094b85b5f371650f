"""The Chroma side of the index: the client (embedded on disk, a server, or a private copy
of a read-only index), the manifest whose one metadata write is the commit point, the
active collection, reading collections in pages, and sweeping away what killed runs left.
Building the index is in index.py."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import IndexError_

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.collection_configuration import CreateHNSWConfiguration
    from chromadb.api.models.Collection import Collection

    from assistant.config import Settings

MANIFEST = "mentor_manifest"
PREFIX = "kb-"
# 5: practice scenarios are indexed as documents; an article's answer card rides on its
# overview chunk's metadata.
PIPELINE_VERSION = "5"
# Chroma's HNSW graph, wider than its defaults (100/100): at the default width the 40
# nearest chunks Chroma returned missed 0.3% of the exact ones for about 20 of 234 eval
# questions, and which ones differed from build to build; at 200/200 they match an exact
# search on every eval question, for ~0.05 ms more a query (benchmarks/retrieval_bench.py).
HNSW: CreateHNSWConfiguration = {"space": "cosine", "ef_construction": 200, "ef_search": 200}
ADD_BATCH = 1000


@dataclass(frozen=True)
class Manifest:
    collection: str
    embedder: str
    pipeline: str
    docs: dict[str, str]  # doc_id -> content hash
    chunks: int
    built_at: float

    def to_metadata(self) -> dict[str, str | int | float]:
        return {
            "collection": self.collection,
            "embedder": self.embedder,
            "pipeline": self.pipeline,
            "docs": json.dumps(self.docs, sort_keys=True),
            "chunks": self.chunks,
            "built_at": self.built_at,
        }

    @classmethod
    def from_metadata(cls, meta: dict[str, Any] | None) -> Manifest | None:
        if not meta or "collection" not in meta:
            return None
        return cls(
            collection=str(meta["collection"]),
            embedder=str(meta["embedder"]),
            pipeline=str(meta["pipeline"]),
            docs=json.loads(str(meta["docs"])),
            chunks=int(meta["chunks"]),
            built_at=float(meta["built_at"]),
        )


def open_chroma(settings: Settings) -> ClientAPI:
    """The Chroma client: embedded on disk by default, a Chroma server when a host is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    path = settings.chroma_path
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        if not writable_problem(exc):
            raise IndexError_(
                f"Could not open the knowledge index in {path} ({exc.__class__.__name__}).",
                "Run `mentor index --force` to rebuild it.",
            ) from exc
        if not (path / "chroma.sqlite3").is_file():
            raise data_dir_error(settings.data_dir, exc) from exc
    # A read-only data folder with an index in it: answer from a private copy of the index
    # (Chroma writes even to read), and say so; nothing is changed in the folder.
    import shutil
    import tempfile

    copy = Path(tempfile.mkdtemp(prefix="mentor-index-ro-")) / "chroma"
    shutil.copytree(path, copy)
    READ_ONLY_COPIES.add(str(copy))
    return chromadb.PersistentClient(path=str(copy), settings=chroma_settings)


READ_ONLY_COPIES: set[str] = set()  # private copies of read-only indexes opened so far


def writable_problem(exc: BaseException) -> bool:
    """Whether an error means the folder cannot be written: read-only, no permission, full."""
    import errno

    if isinstance(exc, OSError) and exc.errno in (
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.ENOSPC,
    ):
        return True
    text = str(exc).lower()
    return any(w in text for w in ("readonly", "read-only", "disk is full", "no space left"))


def data_dir_error(data_dir: Path, exc: BaseException) -> IndexError_:
    full = (
        "full" in str(exc).lower()
        or "no space" in str(exc).lower()
        or (isinstance(exc, OSError) and exc.errno == 28)
    )
    what = "is full" if full else "cannot be written (read-only or no permission)"
    return IndexError_(
        f"The data folder {data_dir} {what}, so the knowledge index cannot be kept there.",
        "Free some space, or set MENTOR_DATA_DIR to a writable folder.",
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]


def read_manifest(client: ClientAPI) -> Manifest | None:
    try:
        col = client.get_collection(MANIFEST, embedding_function=None)
    except Exception:  # chromadb raises NotFoundError/ValueError depending on version
        return None
    return Manifest.from_metadata(dict(col.metadata or {}))


def _write_manifest(client: ClientAPI, manifest: Manifest) -> None:
    col = client.get_or_create_collection(MANIFEST, embedding_function=None)
    col.modify(metadata=manifest.to_metadata())


def active_collection(client: ClientAPI, embedder_name: str | None = None) -> Collection:
    """The collection readers use. Raises IndexError_ with the next step when unusable."""
    manifest = read_manifest(client)
    if manifest is None:
        raise IndexError_("The knowledge index has not been built yet.", "Run `mentor index`.")
    if embedder_name is not None and manifest.embedder != embedder_name:
        raise IndexError_(
            f"The index was built with the embedding model {manifest.embedder!r}, but "
            f"{embedder_name!r} is configured.",
            "Run `mentor index` to rebuild it for the new model.",
        )
    try:
        return client.get_collection(manifest.collection, embedding_function=None)
    except Exception as exc:
        raise IndexError_(
            f"The index collection {manifest.collection!r} is missing.", "Run `mentor index`."
        ) from exc


def sweep_orphans(client: ClientAPI, keep: str | None) -> list[str]:
    """Delete index collections that are not the active one (left by killed runs)."""
    removed = []
    for col in client.list_collections():
        name = col if isinstance(col, str) else col.name
        if name.startswith(PREFIX) and name != keep:
            try:
                client.delete_collection(name)
                removed.append(name)
            except Exception:  # already gone: another sweep got there first
                continue
    return removed


def _add_batches(
    col: Collection,
    ids: Sequence[str],
    embeddings: Any,
    documents: Sequence[str],
    metadatas: Sequence[dict[str, Any]],
) -> None:
    for start in range(0, len(ids), ADD_BATCH):
        end = start + ADD_BATCH
        col.add(
            ids=list(ids[start:end]),
            embeddings=embeddings[start:end],
            documents=list(documents[start:end]),
            metadatas=list(metadatas[start:end]),
        )


GET_PAGE = 5000


def get_pages(
    collection: Collection, include: list[str], page: int = GET_PAGE
) -> Iterator[dict[str, Any]]:
    """Read a whole collection in pages (a single get() of more than ~32k rows fails on
    SQLite's limit of variables per statement)."""
    offset = 0
    while True:
        got = collection.get(include=include, limit=page, offset=offset)  # type: ignore[arg-type]
        n = len(got["ids"])
        if n == 0:
            return
        yield dict(got)
        if n < page:
            return
        offset += n


def _drop(client: ClientAPI, name: str) -> None:
    try:
        client.delete_collection(name)
    except Exception:  # already gone
        return
