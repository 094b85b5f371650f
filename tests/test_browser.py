"""End to end in headless Chromium: `streamlit run ui/app.py` in a subprocess, driven by
Playwright, once in library mode and once against the scripted OpenAI-compatible server.

The app reads the session's full index (``full_runtime``) and writes conversations to a
SQLite file of its own, which the tests read back through ``assistant.store.Store``.
Screenshots of each page go to ``$MENTOR_ARTIFACTS/screenshots/`` (default:
``<repo>/artifacts/screenshots/``).
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from assistant.config import REPO_ROOT
from assistant.store import Store
from tests.support import (
    TIMEOUT_MS,
    app_env,
    free_port,
    screenshots_dir,
    start_streamlit,
    stop,
    wait_until,
)

pytestmark = pytest.mark.browser

QUESTION = "How do I write a cold email to a possible mentor?"
MODEL_ANSWER = (
    "Keep the first message short and specific: say who you are, why you picked this person "
    "and one small question they can answer in a few minutes [1]. "
    "Make the subject line concrete, avoid attachments, and don't ask for a job or for "
    "mentorship in the first message [1]. "
    "If you hear nothing, follow up once, politely, after about a week, then let it go [2]."
)


# --- the app server -------------------------------------------------------------------


@dataclass
class AppServer:
    mode: str  # "library" or "model"
    url: str
    db_url: str
    proc: subprocess.Popen[bytes]
    log: Path
    fake: Any = None
    notes: dict[str, Any] = field(default_factory=dict)

    def store(self) -> Store:
        return Store.open(self.db_url)


@pytest.fixture(scope="module", params=["library", "model"])
def server(
    request: pytest.FixtureRequest, full_runtime: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    mode: str = request.param
    tmp = tmp_path_factory.mktemp(f"browser-{mode}")
    db_url = f"sqlite:///{tmp / 'mentor.db'}"
    env = app_env(full_runtime.settings.data_dir, db_url)
    fake = None
    if mode == "model":
        from assistant.testing.fake_openai import FakeOpenAI

        fake = FakeOpenAI(chunk_size=4, chunk_delay=0.02)
        fake.responder = lambda _req: MODEL_ANSWER
        fake.start()
        env.update(MENTOR_LLM_BASE_URL=fake.base_url, MENTOR_LLM_MODEL="fake-model")
    port = free_port()
    try:
        # cwd is an empty folder: no .env or .streamlit/config.toml of the developer's
        proc = start_streamlit(port, env, tmp, tmp / "streamlit.log")
    except BaseException:
        if fake is not None:
            fake.stop()
        raise
    app = AppServer(mode, f"http://127.0.0.1:{port}", db_url, proc, tmp / "streamlit.log", fake)
    try:
        yield app
    finally:
        stop(proc)
        if fake is not None:
            fake.stop()


@pytest.fixture
def page(browser: Any, server: AppServer) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def chat_input(pg: Any) -> Any:
    return pg.get_by_test_id("stChatInputTextArea")


def open_app(pg: Any, url: str) -> None:
    pg.goto(url)
    chat_input(pg).wait_for()


@dataclass
class Asked:
    url: str
    conversation_id: str
    answer: str  # the assistant message's text once the page settled
    snapshots: list[str]  # the assistant message's text while it was being written


@pytest.fixture(scope="module")
def asked(browser: Any, server: AppServer) -> Asked:
    """Ask QUESTION in a fresh page, recording the answer as it is written."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    try:
        open_app(pg, server.url + "/")
        box = chat_input(pg)
        box.fill(QUESTION)
        box.press("Enter")
        messages = pg.get_by_test_id("stChatMessage")
        snapshots: list[str] = []
        deadline = time.monotonic() + 60
        # Poll while the answer streams; done when the saved answer (with its sources and
        # the rating widget) has been rendered and the URL names the conversation.
        while True:
            if messages.count() >= 2:
                text = messages.nth(1).inner_text()
                if not snapshots or snapshots[-1] != text:
                    snapshots.append(text)
            if "c=" in pg.url and pg.get_by_test_id("stFeedback").count():
                break
            assert time.monotonic() < deadline, f"no answer; last seen: {snapshots[-1:]}"
            time.sleep(0.03)
        messages.nth(1).get_by_test_id("stExpander").first.wait_for()
        answer = messages.nth(1).inner_text()
        pg.screenshot(path=str(screenshots_dir() / f"ask-{server.mode}.png"), full_page=True)
        cid = re.search(r"[?&]c=([0-9a-f-]+)", pg.url)
        assert cid, pg.url
        return Asked(pg.url, cid.group(1), answer, snapshots)
    finally:
        context.close()


# --- the flows --------------------------------------------------------------------------


def test_question_gets_a_streamed_cited_answer(asked: Asked, server: AppServer) -> None:
    assert "[1]" in asked.answer
    assert "▌" not in asked.answer, "the cursor is gone once the answer is saved"
    msgs = server.store().messages(asked.conversation_id)
    assert [m.role for m in msgs] == ["user", "assistant"]
    assert msgs[0].content == QUESTION
    assert msgs[1].kind == "answer" and msgs[1].citations
    if server.mode == "library":
        assert "Library mode" in asked.answer
        assert msgs[1].mode == "library"
        return
    assert "follow up once, politely" in asked.answer
    assert msgs[1].mode == "fake-model"
    assert server.fake.chat_requests()
    # the answer was shown while it was being written: partial text with a cursor
    partial = [s for s in asked.snapshots if "▌" in s and "Keep the first message" in s]
    assert partial, asked.snapshots
    assert any(len(s) < len(asked.answer) for s in partial)


def test_citation_shows_its_passage_and_links_to_the_library(
    page: Any, asked: Asked, server: AppServer
) -> None:
    open_app(page, asked.url)
    answer = page.get_by_test_id("stChatMessage").nth(1)
    source = answer.get_by_test_id("stExpander").first
    label = source.locator("summary").inner_text()
    assert re.search(r"\[1\] ", label), label
    details = source.get_by_test_id("stExpanderDetails")
    assert not details.is_visible()
    source.locator("summary").click()
    details.get_by_test_id("stMarkdownContainer").first.wait_for(state="visible")
    passage = details.get_by_test_id("stMarkdownContainer").first.inner_text()
    assert len(passage.split()) > 10, passage
    assert ".md" not in details.inner_html(), "links between articles point to the Library"

    link = details.get_by_role("link", name=re.compile(r"^Read “.+” in the Library$"))
    title = re.search(r"Read “(.+)” in the Library", link.inner_text())
    assert title
    link.click()
    page.wait_for_url(re.compile(r"/library\?(.*&)?doc=[a-z0-9-]+"), timeout=2 * TIMEOUT_MS)
    page.get_by_text("Sources and frameworks").wait_for()
    page.get_by_role("heading", name=title.group(1)).first.wait_for()
    assert page.get_by_text("Library mode" if server.mode == "library" else "fake-model").count()


def test_thumbs_up_is_saved(page: Any, asked: Asked, server: AppServer) -> None:
    open_app(page, asked.url)
    store = server.store()
    thumbs = page.get_by_role("radio", name="Thumbs up")
    thumbs.click()
    wait_until(
        lambda: store.messages(asked.conversation_id)[-1].rating == 1,
        what="rating == 1 in the store",
    )
    assert thumbs.get_attribute("aria-checked") == "true"
    # a new session shows the saved rating
    page.reload()
    page.get_by_role("radio", name="Thumbs up").wait_for()
    assert page.get_by_role("radio", name="Thumbs up").get_attribute("aria-checked") == "true"
    assert store.messages(asked.conversation_id)[-1].rating == 1


def test_reload_keeps_the_conversation(page: Any, asked: Asked) -> None:
    open_app(page, asked.url)
    page.reload()
    chat_input(page).wait_for()
    messages = page.get_by_test_id("stChatMessage")
    messages.nth(1).get_by_test_id("stExpander").first.wait_for()
    assert f"c={asked.conversation_id}" in page.url
    assert QUESTION in messages.nth(0).inner_text()
    assert "[1]" in messages.nth(1).inner_text()
    sidebar = page.get_by_test_id("stSidebar")
    assert sidebar.get_by_role("button", name=f"▸ {QUESTION}").count() == 1


def test_export_the_conversation(page: Any, asked: Asked, server: AppServer) -> None:
    open_app(page, asked.url)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("This conversation").click()
    button = sidebar.get_by_role("button", name=re.compile("Export as Markdown"))
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == f"mentor-conversation-{asked.conversation_id[:8]}.md"
    content = Path(download.path()).read_text(encoding="utf-8")
    assert content.startswith(f"# {QUESTION}")
    assert f"**You**\n\n{QUESTION}" in content
    assert "**Mentor Assistant**" in content and "Sources:\n1. " in content
    (screenshots_dir().parent / f"conversation-{server.mode}.md").write_text(content)


def test_library_and_settings_pages(page: Any, server: AppServer) -> None:
    shots = screenshots_dir()
    page.goto(server.url + "/library?doc=smart-goals")
    page.get_by_text("Sources and frameworks").wait_for()
    page.get_by_role("heading", name="Writing SMART career goals").wait_for()
    # links between articles lead to other articles
    link = page.get_by_role("link", name="a practical self-assessment")
    assert link.get_attribute("href") == "/library?doc=self-assessment"
    page.screenshot(path=str(shots / f"library-article-{server.mode}.png"), full_page=True)

    page.goto(server.url + "/settings")
    page.get_by_role("heading", name="Settings").wait_for()
    expected = (
        "Library mode (no model configured)" if server.mode == "library" else
        f"fake-model @ {server.fake.base_url}"
    )  # fmt: skip
    page.get_by_test_id("stMainBlockContainer").get_by_text(expected).wait_for()
    page.screenshot(path=str(shots / f"settings-{server.mode}.png"), full_page=True)
    assert page.get_by_test_id("stSidebarNav").get_by_text("Ask").count()


def test_a_library_question_opens_a_new_conversation_on_ask(page: Any, server: AppServer) -> None:
    from assistant.knowledge import load_articles

    article = next(a for a in load_articles(REPO_ROOT / "knowledge") if a.id == "cold-email")
    asked = article.meta.questions[0]
    page.goto(server.url + "/library?doc=cold-email")
    page.get_by_text("Questions this article answers").click()
    page.get_by_role("button", name=asked).click()

    def href() -> str:  # the app sets it with history.replaceState
        return str(page.evaluate("window.location.href"))

    messages = page.get_by_test_id("stChatMessage")
    wait_until(lambda: "c=" in href() and page.get_by_test_id("stFeedback").count(), 60,
               "the answer")  # fmt: skip
    assert asked in messages.nth(0).inner_text()
    assert "[1]" in messages.nth(1).inner_text()
    page.screenshot(
        path=str(screenshots_dir() / f"library-question-{server.mode}.png"), full_page=True
    )
    cid = re.search(r"[?&]c=([0-9a-f-]+)", href())
    assert cid
    assert [m.content for m in server.store().messages(cid.group(1))][:1] == [asked]
