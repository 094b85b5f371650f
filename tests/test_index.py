"""Incremental, crash-safe indexing into a real Chroma on disk."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.embeddings import LocalOnnxEmbedder, OpenAIEmbedder
from assistant.errors import IndexError_, IndexLockedError, KnowledgeError
from assistant.index import build_index, build_progress, index_status, plan_changes, progress_path
from assistant.knowledge import load_articles
from assistant.retrieval import HybridRetriever
from assistant.vectorstore import PREFIX, active_collection, open_chroma, read_manifest
from tests.support import copy_articles, make_settings


def chunk_docs(settings, client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    col = active_collection(client)
    got = col.get(include=["metadatas"])
    return {str(m["doc_id"]): str(m["doc_hash"]) for m in got["metadatas"] or []}


def test_plan_changes_is_pure() -> None:
    old = {"a": "1", "b": "2", "c": "3"}
    new = {"a": "1", "b": "9", "d": "4"}
    assert plan_changes(old, new) == (["d"], ["b"], ["c"], ["a"])


@pytest.mark.slow  # > 4 s: kept out of the fast tier
def test_incremental_add_update_delete(
    tmp_path: Path, small_kb: Path, embedder: LocalOnnxEmbedder
) -> None:
    settings = make_settings(tmp_path, small_kb)
    client = open_chroma(settings)
    first = build_index(settings, client, embedder)
    assert len(first.added) == 6 and first.chunks_embedded == first.chunks_total > 0

    again = build_index(settings, client, embedder)
    assert again.chunks_embedded == 0 and not again.rebuilt
    assert len(again.unchanged) == 6

    # edit one article: only its chunks are re-embedded
    path = small_kb / "articles/goals/smart-goals.md"
    path.write_text(path.read_text() + "\n\nA new closing line about checking goals monthly.\n")
    edited = build_index(settings, client, embedder)
    assert edited.updated == ["smart-goals"] and len(edited.unchanged) == 5
    smart_chunks = sum(1 for c in chunk_docs(settings, client) if c == "smart-goals")
    assert smart_chunks == 1  # (dict keys) the document is present
    col = active_collection(client)
    n_smart = len(col.get(where={"doc_id": "smart-goals"})["ids"])
    assert edited.chunks_embedded == n_smart
    assert edited.chunks_total == col.count()

    # add one, delete one
    copy_articles(small_kb, ["growth/imposter-feelings"])
    (small_kb / "articles/outreach/cold-email.md").unlink()
    changed = build_index(settings, client, embedder)
    assert changed.added == ["imposter-feelings"] and changed.removed == ["cold-email"]
    docs = chunk_docs(settings, client)
    assert "cold-email" not in docs and "imposter-feelings" in docs
    # no orphan collections are left behind
    names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    assert len([n for n in names if n.startswith(PREFIX)]) == 1
    assert index_status(settings, client, embedder.name)["fresh"]


def test_invalid_article_stops_indexing_and_keeps_old_index(
    tmp_path: Path, small_kb: Path, embedder: LocalOnnxEmbedder
) -> None:
    settings = make_settings(tmp_path, small_kb)
    client = open_chroma(settings)
    build_index(settings, client, embedder)
    before = read_manifest(client)
    bad = small_kb / "articles/goals/smart-goals.md"
    bad.write_text(bad.read_text().replace("stage: goals", "stage: dreams"))
    with pytest.raises(KnowledgeError, match=r"smart-goals\.md.*stage"):
        build_index(settings, client, embedder)
    assert read_manifest(client) == before


def test_empty_knowledge_directory_is_a_clear_error(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "kb" / "articles").mkdir(parents=True)
    settings = make_settings(tmp_path, tmp_path / "kb")
    with pytest.raises(KnowledgeError, match="No articles found"):
        build_index(settings, open_chroma(settings), embedder)


def test_changing_the_embedding_model_rebuilds_then_switches(
    tmp_path: Path, small_kb: Path, embedder: LocalOnnxEmbedder, fake_openai
) -> None:  # type: ignore[no-untyped-def]
    from openai import OpenAI

    settings = make_settings(tmp_path, small_kb)
    client = open_chroma(settings)
    build_index(settings, client, embedder)
    old = read_manifest(client)
    assert old is not None

    remote = OpenAIEmbedder(
        OpenAI(base_url=fake_openai.base_url, api_key="test", max_retries=0), "fake-embed"
    )
    # The configured model differs from the index: readers are told to rebuild.
    with pytest.raises(IndexError_, match="mentor index"):
        active_collection(client, remote.name)
    # A failing embedding server leaves the old index active.
    from assistant.testing.fake_openai import Status

    fake_openai.always(Status(500))
    with pytest.raises(Exception, match="embedding server failed"):
        build_index(settings, client, remote)
    assert read_manifest(client) == old
    fake_openai.clear()

    report = build_index(settings, client, remote)
    assert report.rebuilt and len(report.added) == 6
    new = read_manifest(client)
    assert new is not None and new.embedder == remote.name and new.collection != old.collection
    assert active_collection(client, remote.name).count() == report.chunks_total


def test_second_writer_gets_a_clear_lock_message(
    tmp_path: Path, small_kb: Path, embedder: LocalOnnxEmbedder
) -> None:
    from filelock import FileLock

    settings = make_settings(tmp_path, small_kb)
    settings.data_dir.mkdir(parents=True)
    with (
        FileLock(str(settings.data_dir / "index.lock")),
        pytest.raises(IndexLockedError, match="already writing"),
    ):
        build_index(settings, open_chroma(settings), embedder)


# --- kill -9 at random points ---------------------------------------------------------

TRIALS = 20


def _version_b(kb: Path) -> None:
    """Edit two articles, delete one, add one."""
    for rel in ("goals/smart-goals", "feedback/sbi-model"):
        p = kb / "articles" / f"{rel}.md"
        p.write_text(p.read_text() + "\n\nVersion B adds this closing paragraph for the test.\n")
    (kb / "articles/outreach/linkedin-note.md").unlink()
    copy_articles(kb, ["growth/tracking-wins"])


def _snapshot(kb: Path) -> dict[str, str]:
    return {a.id: a.content_hash for a in load_articles(kb)}


@pytest.mark.slow
def test_kill_minus_9_never_leaves_a_mixed_or_broken_index(
    tmp_path: Path, embedder: LocalOnnxEmbedder
) -> None:
    kb_a = copy_articles(
        tmp_path / "a",
        [
            "goals/smart-goals",
            "outreach/linkedin-note",
            "feedback/sbi-model",
            "industry/industry-law",
        ],
    )
    kb_b = copy_articles(
        tmp_path / "b",
        [
            "goals/smart-goals",
            "outreach/linkedin-note",
            "feedback/sbi-model",
            "industry/industry-law",
        ],
    )
    _version_b(kb_b)
    versions = {"a": _snapshot(kb_a), "b": _snapshot(kb_b)}
    assert versions["a"] != versions["b"]
    live = tmp_path / "live"

    def use(version: str) -> None:
        import shutil

        if live.exists():
            shutil.rmtree(live)
        shutil.copytree(kb_a if version == "a" else kb_b, live)

    use("a")
    settings = make_settings(tmp_path, live)
    build_index(settings, open_chroma(settings), embedder)

    env = {
        **os.environ,
        "MENTOR_DATA_DIR": str(settings.data_dir),
        "MENTOR_KNOWLEDGE_DIR": str(live),
    }
    rng = random.Random(1234)
    # How long does an uninterrupted run take? Kill points are drawn across it.
    use("b")
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "assistant.cli", "index"], env=env, check=True, capture_output=True
    )
    full = time.perf_counter() - t0
    outcomes = []
    for trial in range(TRIALS):
        use("a" if trial % 2 == 0 else "b")
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "index"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, full * 1.05))
        proc.send_signal(signal.SIGKILL)
        code = proc.wait()
        outcomes.append("killed" if code == -signal.SIGKILL else "finished")

        client = open_chroma(settings)  # a fresh reader, as after a crash
        manifest = read_manifest(client)
        assert manifest is not None, f"trial {trial}: no manifest"
        stored = chunk_docs(settings, client)
        assert stored == manifest.docs, f"trial {trial}: chunks disagree with the manifest"
        assert stored in (versions["a"], versions["b"]), f"trial {trial}: a mixed index"
        found = HybridRetriever(active_collection(client, embedder.name), embedder).retrieve(
            "how do I write a short LinkedIn note", k=3
        )
        assert found.results or found.rejected
    assert outcomes.count("killed") >= TRIALS // 2, outcomes
    # and the next run repairs everything: fresh, one collection
    use("b")
    subprocess.run(
        [sys.executable, "-m", "assistant.cli", "index"], env=env, check=True, capture_output=True
    )
    client = open_chroma(settings)
    assert chunk_docs(settings, client) == versions["b"]
    names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    assert len([n for n in names if n.startswith(PREFIX)]) == 1


def test_collections_are_read_in_pages(
    tmp_path: Path, small_kb: Path, embedder: LocalOnnxEmbedder
) -> None:
    """A single get() of a large collection exceeds SQLite's variable limit; every reader
    goes through get_pages, which must return each row exactly once."""
    from assistant.vectorstore import get_pages

    settings = make_settings(tmp_path, small_kb)
    client = open_chroma(settings)
    build_index(settings, client, embedder)
    col = active_collection(client)
    ids = [i for page in get_pages(col, ["metadatas"], page=7) for i in page["ids"]]
    assert len(ids) == len(set(ids)) == col.count()


def test_no_change_fast_path_trusts_only_a_complete_run(
    tmp_path: Path, small_kb: Path, embedder: LocalOnnxEmbedder
) -> None:
    from assistant.index import clear_stamp, quick_no_change

    settings = make_settings(tmp_path, small_kb)
    assert quick_no_change(settings, embedder.name) is None  # nothing indexed yet
    client = open_chroma(settings)
    build_index(settings, client, embedder)
    quick = quick_no_change(settings, embedder.name)
    assert quick is not None and len(quick.unchanged) == 6 and quick.chunks_embedded == 0
    assert quick_no_change(settings, "another-model") is None
    path = small_kb / "articles/goals/smart-goals.md"
    original = path.read_text()
    path.write_text(original + "\nOne more line.\n")
    assert quick_no_change(settings, embedder.name) is None
    path.write_text(original)
    assert quick_no_change(settings, embedder.name) is not None
    clear_stamp(settings)  # as a run does before it writes anything
    assert quick_no_change(settings, embedder.name) is None


@pytest.mark.slow  # > 4 s: kept out of the fast tier
def test_an_interrupted_build_is_resumed_not_restarted(
    tmp_path: Path, small_kb: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-C (or closing the app) halfway through the first build keeps what was already
    embedded: the next run embeds only the rest, and the index equals a fresh build."""
    settings = make_settings(tmp_path, small_kb)
    client = open_chroma(settings)
    seen: list[int] = []

    def interrupt(phase: str, done: int, total: int) -> None:
        seen.append(done)
        if done >= 128:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_index(settings, client, embedder, interrupt)
    assert read_manifest(client) is None  # nothing was switched to
    report = build_index(settings, client, embedder)
    assert report.chunks_resumed >= 128
    assert report.chunks_embedded + report.chunks_resumed == report.chunks_total
    fresh = build_index(
        make_settings(tmp_path / "fresh", small_kb),
        open_chroma(make_settings(tmp_path / "fresh", small_kb)),
        embedder,
    )
    assert fresh.chunks_total == report.chunks_total and fresh.chunks_resumed == 0
    col = active_collection(client)
    ids = set(col.get(include=[])["ids"])
    assert len(ids) == report.chunks_total
    assert not progress_path(settings).exists()


def test_another_process_building_is_seen_with_its_progress(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    settings.data_dir.mkdir(parents=True)
    assert build_progress(settings) is None
    progress_path(settings).write_text('{"phase": "embed", "done": 40, "total": 100}')
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from filelock import FileLock; "
            f"l = FileLock({str(settings.data_dir / 'index.lock')!r}); l.acquire(); "
            "print('locked', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        running = build_progress(settings)
        assert running is not None and running["done"] == 40 and running["total"] == 100
    finally:
        holder.kill()
        holder.wait()
