"""Shared fixtures. Everything here is real: Chroma on disk, SQLite files, the ONNX
embedder, and (in fake_openai.py) an OpenAI-compatible HTTP server on loopback.

The network is off in tests: nothing here talks to the internet.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.embeddings import LocalOnnxEmbedder
from tests.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SMALL_SET,
    AppEnv,
    clean_env,
    clear_caches,
    copy_articles,
    make_settings,
)

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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, full_runtime: Any) -> Iterator[AppEnv]:
    clean_env(monkeypatch, tmp_path)
    data_dir: Path = full_runtime.settings.data_dir
    monkeypatch.setenv("MENTOR_DATA_DIR", str(data_dir))
    monkeypatch.setenv("MENTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'mentor.db'}")
    (data_dir / "settings.json").unlink(missing_ok=True)
    clear_caches()
    try:
        yield AppEnv(tmp_path)
    finally:
        clear_caches()
        # The Settings page writes its choices next to the shared index: never leak them.
        (data_dir / "settings.json").unlink(missing_ok=True)
