"""Shared fixtures. Everything here is real: Chroma on disk, SQLite files, the ONNX
embedder, and (in fake_openai.py) an OpenAI-compatible HTTP server on loopback.

The network is off in tests: nothing here talks to the internet.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import REPO_ROOT, Settings
from assistant.embeddings import LocalOnnxEmbedder

KNOWLEDGE = REPO_ROOT / "knowledge"
SMALL_SET = [
    "goals/smart-goals",
    "outreach/cold-email",
    "outreach/linkedin-note",
    "feedback/receiving-feedback",
    "feedback/sbi-model",
    "industry/industry-healthcare",
]

# Keep library mode unless a test configures a model, whatever the developer's shell has.
for var in ("OPENAI_API_KEY", "MENTOR_LLM_BASE_URL", "MENTOR_LLM_MODEL", "MENTOR_OPENAI_API_KEY"):
    os.environ.pop(var, None)


def make_settings(tmp: Path, knowledge: Path | None = None, **kw: object) -> Settings:
    return Settings(
        data_dir=tmp / "data",
        knowledge_dir=knowledge or KNOWLEDGE,
        _env_file=None,  # type: ignore[call-arg]
        **kw,  # type: ignore[arg-type]
    )


def copy_articles(dest: Path, ids: list[str]) -> Path:
    for rel in ids:
        src = KNOWLEDGE / "articles" / f"{rel}.md"
        target = dest / "articles" / f"{rel}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    return dest


@pytest.fixture(scope="session")
def embedder() -> LocalOnnxEmbedder:
    return LocalOnnxEmbedder()


@pytest.fixture
def small_kb(tmp_path: Path) -> Path:
    return copy_articles(tmp_path / "knowledge", SMALL_SET)


@pytest.fixture(scope="session")
def full_runtime(tmp_path_factory: pytest.TempPathFactory, embedder: LocalOnnxEmbedder):
    """A Runtime over the real knowledge base, indexed once for the whole session."""
    from assistant.runtime import Runtime

    tmp = tmp_path_factory.mktemp("full")
    rt = Runtime(make_settings(tmp))
    rt.__dict__["embedder"] = embedder  # share the loaded model (a cached_property)
    rt.index()
    return rt


@pytest.fixture
def fake_openai() -> Iterator[object]:
    from assistant.testing.fake_openai import FakeOpenAI

    server = FakeOpenAI()
    server.start()
    try:
        yield server
    finally:
        server.stop()
