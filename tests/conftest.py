"""Shared fixtures. Everything here is real: Chroma on disk, SQLite files, the ONNX
embedder, and (in fake_openai.py) an OpenAI-compatible HTTP server on loopback.

The network is off in tests: nothing here talks to the internet.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.embeddings import LocalOnnxEmbedder
from tests.support import SMALL_SET, copy_articles, make_settings

# Keep library mode unless a test configures a model, whatever the developer's shell has.
for var in ("OPENAI_API_KEY", "MENTOR_LLM_BASE_URL", "MENTOR_LLM_MODEL", "MENTOR_OPENAI_API_KEY"):
    os.environ.pop(var, None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The fast tier (`pytest -m "not slow and not browser"`) leaves out every test that
    needs the whole knowledge base indexed (the session's full_runtime, ~30 s to build)."""
    for item in items:
        if "full_runtime" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


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
