"""The Streamlit app, page by page, through ``streamlit.testing.v1.AppTest``.

Everything is real: the app script, the pages, the Runtime built from the environment, the
session's full index (``full_runtime``), a SQLite store per test and, where a model is
configured, the real ``openai`` client talking HTTP to the scripted server.

The app reads its settings from the environment, so each test sets ``MENTOR_DATA_DIR`` to
the indexed data directory and points ``MENTOR_DATABASE_URL`` at its own SQLite file (the
index is shared, conversations are not). ``ui/common.py`` keeps the Runtime in
``st.cache_resource``: the caches are cleared before and after every test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from assistant.config import REPO_ROOT
from assistant.knowledge import load_articles
from tests.support import (
    KNOWLEDGE,
    SMALL_SET,
    AppEnv,
    ask,
    button_keys,
    chat,
    clean_env,
    clear_caches,
    click,
    copy_articles,
    markdown_values,
    open_app,
    sidebar_text,
)

APP = str(REPO_ROOT / "ui" / "app.py")
STARTER = "How do I ask someone to be my mentor?"
QUESTION = "How do I write a cold email to a possible mentor?"


# --- fixtures and helpers ---------------------------------------------------------------


# --- every page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "title"),
    [("views/ask.py", "Ask"), ("views/library.py", "Library"), ("views/settings.py", "Settings")],
)
def test_every_page_renders(app_env: AppEnv, page: str, title: str) -> None:
    at = open_app(page)
    assert [t.value for t in at.title] == [title]
    assert not at.error and not at.warning
    assert not at.status, "the index exists: nothing should be built"
    sidebar = sidebar_text(at)
    assert "Mentor Assistant" in sidebar and "Library mode" in sidebar


# --- Ask --------------------------------------------------------------------------------


def test_starter_question_gives_a_cited_answer_saved_in_the_store(app_env: AppEnv) -> None:
    at = open_app()
    starters = button_keys(at, "starter_")
    assert len(starters) == 4
    at.button(key="starter_0").click().run()
    assert not at.exception, at.exception

    (role_q, text_q), (role_a, text_a) = chat(at)
    assert (role_q, text_q) == ("user", STARTER)
    assert role_a == "assistant"
    assert "Library mode" in text_a and "[1]" in text_a
    sources = [e.label for e in at.expander if e.label.startswith("[")]
    assert sources and sources[0].startswith("[1] ")
    passages = [m.value for e in at.expander if e.label.startswith("[") for m in e.markdown]
    assert passages and not [p for p in passages if ".md)" in p or ".md#" in p]
    links = [p.value for p in at.page_link]
    assert links and all(x.startswith("Read “") and x.endswith("” in the Library") for x in links)
    assert len(at.feedback) == 1
    assert not button_keys(at, "starter_"), "starters are only offered on an empty conversation"

    cid = at.query_params["c"]
    store = app_env.store()
    user, answer = store.messages(cid)
    assert (user.role, user.content) == ("user", STARTER)
    assert answer.role == "assistant" and answer.kind == "answer" and answer.status == "complete"
    assert answer.mode == "library"
    # the sources shown are the ones the answer cites, under the numbers it uses
    numbers = [c["n"] for c in answer.citations]
    assert numbers[0] == 1 and numbers == sorted(set(numbers))
    assert [s.split(" ", 1)[0] for s in sources] == [f"[{n}]" for n in numbers]
    assert all(f"[{n}]" in text_a for n in numbers)

    # the conversation is listed (and marked as open) in the sidebar
    assert at.sidebar.button(key=f"conv_{cid}").label == f"▸ {STARTER}"


def test_typed_question_and_a_follow_up_stay_in_one_conversation(app_env: AppEnv) -> None:
    at = ask(open_app(), QUESTION)
    cid = at.query_params["c"]
    assert chat(at)[0] == ("user", QUESTION)
    assert "[1]" in chat(at)[1][1]

    ask(at, "And what if they don't reply?")
    assert at.query_params["c"] == cid
    assert [role for role, _ in chat(at)] == ["user", "assistant", "user", "assistant"]
    store = app_env.store()
    assert [c.id for c in store.list_conversations()] == [cid]
    assert [m.role for m in store.messages(cid)] == ["user", "assistant", "user", "assistant"]

    # "New conversation" empties the page; the old one stays in the sidebar
    at.sidebar.button[0].click().run()
    assert "c" not in at.query_params
    assert not at.chat_message and button_keys(at, "starter_")
    assert at.sidebar.button(key=f"conv_{cid}").label == QUESTION
    at.sidebar.button(key=f"conv_{cid}").click().run()
    assert at.query_params["c"] == cid and len(at.chat_message) == 4


def test_out_of_scope_question_says_there_is_no_guidance(app_env: AppEnv) -> None:
    at = ask(open_app(), "Give me a recipe for banana bread")
    assert any("couldn't find guidance" in i.value for i in at.info)
    assert not [e for e in at.expander if e.label.startswith("[")]
    assert not at.feedback, "only grounded answers are rated"
    msgs = app_env.store().messages(at.query_params["c"])
    assert msgs[-1].kind == "out_of_scope"


def test_crisis_message_points_to_help(app_env: AppEnv) -> None:
    at = ask(open_app(), "I feel like I want to die, nothing at work matters")
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and "988" in warnings[0]
    assert not at.feedback
    assert app_env.store().messages(at.query_params["c"])[-1].kind == "crisis"


def test_query_param_reopens_a_conversation(app_env: AppEnv) -> None:
    cid = ask(open_app(), QUESTION).query_params["c"]
    clear_caches()  # a new process, as far as the app can tell

    at = open_app(c=cid)
    assert chat(at)[0] == ("user", QUESTION)
    assert chat(at)[1][0] == "assistant" and "[1]" in chat(at)[1][1]
    assert [e.label for e in at.expander if e.label.startswith("[1]")]
    assert not button_keys(at, "starter_")

    # an unknown id is dropped from the URL and the page starts empty
    at = open_app(c="no-such-conversation")
    assert "c" not in at.query_params
    assert not at.chat_message and button_keys(at, "starter_")


def test_thumbs_feedback_is_saved(app_env: AppEnv) -> None:
    at = ask(open_app(), QUESTION)
    cid = at.query_params["c"]
    store = app_env.store()

    def rating() -> int | None:
        return store.messages(cid)[-1].rating

    assert at.feedback[0].value is None and rating() is None
    at.feedback[0].set_value(1).run()  # thumbs up
    assert rating() == 1
    at.feedback[0].set_value(0).run()  # thumbs down
    assert rating() == -1
    at.feedback[0].set_value(1).run()
    assert rating() == 1

    # a new session shows the saved rating and does not overwrite it
    again = open_app(c=cid)
    assert again.feedback[0].value == 1
    assert rating() == 1
    again.feedback[0].set_value(None).run()  # cleared
    assert rating() is None


def title_box(at: AppTest) -> Any:
    return next(t for t in at.text_input if t.label == "Title")


def test_rename_and_delete_a_conversation(app_env: AppEnv) -> None:
    store = app_env.store()
    first = store.create_conversation("First conversation")
    store.add_message(first.id, "user", "first question")
    second = store.create_conversation("Second conversation")
    store.add_message(second.id, "user", "second question")

    at = open_app(c=first.id)
    assert title_box(at).label == "Title"
    assert title_box(at).value == "First conversation"
    # switching conversations shows (and renames) the one that is open
    at.sidebar.button(key=f"conv_{second.id}").click().run()
    assert at.query_params["c"] == second.id
    assert chat(at) == [("user", "second question")]
    assert title_box(at).value == "Second conversation"

    title_box(at).input("Cold email drafts").run()
    at.button(key="rename").click().run()
    assert store.get_conversation(second.id).title == "Cold email drafts"  # type: ignore[union-attr]
    assert store.get_conversation(first.id).title == "First conversation"  # type: ignore[union-attr]
    assert at.sidebar.button(key=f"conv_{second.id}").label == "▸ Cold email drafts"

    # deleting needs the confirmation first, and it does not carry over to another one
    assert not [b for b in at.button if b.key == "delete"]
    at.checkbox[0].check().run()
    assert [b for b in at.button if b.key == "delete"]
    at.sidebar.button(key=f"conv_{first.id}").click().run()
    assert not at.checkbox[0].value
    assert not [b for b in at.button if b.key == "delete"]

    at.sidebar.button(key=f"conv_{second.id}").click().run()
    at.checkbox[0].check().run()
    at.button(key="delete").click().run()
    assert not at.exception
    assert store.get_conversation(second.id) is None and store.messages(second.id) == []
    assert store.get_conversation(first.id) is not None
    assert "c" not in at.query_params
    assert not [b for b in at.sidebar.button if b.key == f"conv_{second.id}"]


def test_model_output_with_html_and_outside_images_is_not_rendered_raw(
    app_env: AppEnv, monkeypatch: pytest.MonkeyPatch, fake_openai: Any
) -> None:
    fake_openai.responder = lambda _req: (
        "<script>alert(1)</script> ![x](https://evil.example/a.png) See [1]."
    )
    monkeypatch.setenv("MENTOR_LLM_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("MENTOR_LLM_MODEL", "fake-model")
    at = open_app()
    assert "fake-model" in sidebar_text(at)
    ask(at, QUESTION)
    assert fake_openai.chat_requests(), "the answer came from the model"

    values = markdown_values(at)
    assert not [v for v in values if "<script" in v.lower() or "evil.example" in v]
    answer = chat(at)[1][1]
    assert "See [1]." in answer
    # escaped once: shown as text, not as "&lt;script&gt;" on screen
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer
    assert "&amp;lt;" not in answer
    stored = app_env.store().messages(at.query_params["c"])[-1]
    assert stored.mode == "fake-model" and "evil.example" not in stored.content
    assert "<script" not in stored.content


# --- Library ----------------------------------------------------------------------------


def test_library_lists_filters_and_searches(app_env: AppEnv) -> None:
    articles = load_articles(KNOWLEDGE)
    at = open_app("views/library.py")
    assert f"{len(articles)} articles" in at.main.caption[0].value
    assert len(button_keys(at, "read_")) == len(articles)

    at.selectbox(key="lib_stage").select("goals").run()
    goals = {a.id for a in articles if a.meta.stage == "goals"}
    assert goals and {k.removeprefix("read_") for k in button_keys(at, "read_")} == goals

    at.selectbox(key="lib_stage").select("All").run()
    at.text_input(key="lib_q").input("following up after no reply to a cold email").run()
    assert not at.exception and not at.info
    found = [k.removeprefix("read_") for k in button_keys(at, "read_")]
    assert 0 < len(found) <= 10
    by_id = {a.id: a for a in articles}
    assert by_id[found[0]].meta.stage == "outreach"

    at.text_input(key="lib_q").input("a good recipe for sourdough bread").run()
    assert any("No guidance found" in i.value for i in at.info)
    assert not button_keys(at, "read_")


def test_library_article_page_shows_the_article_and_its_sources(app_env: AppEnv) -> None:
    at = open_app("views/library.py", doc="smart-goals")
    values = [m.value for m in at.markdown]
    body = next(v for v in values if v.startswith("# Writing SMART career goals"))
    # links to other articles survive sanitising and lead to the Library page
    assert "](/library?doc=learning-vs-performance-goals)" in body
    assert ".md)" not in body
    assert "**Sources and frameworks**" in values
    sources = [v for v in values if v.startswith("- ")]
    assert any("Doran" in v for v in sources)
    assert at.main.caption[-1].value.endswith("knowledge/articles/goals/smart-goals.md")
    related = button_keys(at, "rel_")
    assert related

    # a related article opens in place; "All articles" goes back to the list
    at.button(key=related[0]).click().run()
    assert at.query_params["doc"] == related[0].removeprefix("rel_")
    at.button(key="back").click().run()
    assert "doc" not in at.query_params
    assert [t.value for t in at.title] == ["Library"]

    # "Read" opens an article
    at.button(key="read_smart-goals").click().run()
    assert at.query_params["doc"] == "smart-goals"

    unknown = open_app("views/library.py", doc="no-such-article")
    assert any("not in the library" in w.value for w in unknown.warning)
    assert [t.value for t in unknown.title] == ["Library"]


# --- Settings ---------------------------------------------------------------------------


def test_a_library_question_is_asked_in_a_new_conversation(app_env: AppEnv) -> None:
    article = load_articles(KNOWLEDGE)[0]
    at = ask(open_app(), QUESTION)  # an earlier conversation is open
    earlier = at.query_params["c"]
    at.query_params["doc"] = article.id
    at.switch_page("views/library.py").run()
    asked = article.meta.questions[0]
    assert at.expander[0].label == "Questions this article answers"
    at.button(key="askq_0").click().run()
    assert not at.exception, at.exception
    [(role_q, text_q), (role_a, text_a)] = chat(at)
    assert (role_q, text_q) == ("user", asked)
    assert role_a == "assistant" and "[1]" in text_a
    assert at.query_params["c"] != earlier
    assert app_env.store().messages(at.query_params["c"])[0].content == asked


def test_settings_shows_library_mode(app_env: AppEnv) -> None:
    at = open_app("views/settings.py")
    assert "Library mode" in at.main.caption[0].value
    assert at.radio(key="provider").value == "Library mode (no model)"
    assert ":blue-badge[:material/menu_book: Library mode]" in sidebar_text(at)
    data = [m.value for m in at.markdown if m.value.startswith("- Conversations:")]
    assert data and str(app_env.tmp_path / "mentor.db") in data[0]


def test_settings_save_a_compatible_server_then_test_it_then_reset(
    app_env: AppEnv, fake_openai: Any
) -> None:
    fake_openai.script("ready")
    at = open_app("views/settings.py")
    at.radio(key="provider").set_value("OpenAI-compatible server")
    at.main.text_input[0].input(fake_openai.base_url)
    at.main.text_input[1].input("fake-model")
    click(at, "Save")
    assert not at.exception and not at.error

    assert ":green-badge[:material/smart_toy: fake-model]" in sidebar_text(at)
    assert "Library mode" not in sidebar_text(at)
    assert f"fake-model @ {fake_openai.base_url}" in at.main.caption[0].value
    saved = json.loads((app_env.settings.data_dir / "settings.json").read_text())
    assert saved["llm_base_url"] == fake_openai.base_url and saved["llm_model"] == "fake-model"
    assert app_env.settings.model_mode == "compatible"

    click(at, "Test connection")
    assert not at.error, [e.value for e in at.error]
    assert any("fake-model answered" in s.value for s in at.success)
    assert fake_openai.chat_requests()

    # other pages follow the new settings
    at.switch_page("views/ask.py").run()
    assert "fake-model" in sidebar_text(at)

    # back to library mode
    at.switch_page("views/settings.py").run()
    at.radio(key="provider").set_value("Library mode (no model)")
    click(at, "Save")
    assert "Library mode" in sidebar_text(at) and "fake-model" not in sidebar_text(at)
    assert app_env.settings.model_mode == "library"


def test_settings_refuses_a_base_url_without_a_scheme(app_env: AppEnv) -> None:
    at = open_app("views/settings.py")
    at.radio(key="provider").set_value("OpenAI-compatible server")
    at.main.text_input[0].input("localhost:11434/v1")
    click(at, "Save")
    assert any("must start with http" in e.value for e in at.error)
    assert not (app_env.settings.data_dir / "settings.json").exists()


def test_settings_test_connection_with_a_model_from_the_environment(
    app_env: AppEnv, monkeypatch: pytest.MonkeyPatch, fake_openai: Any
) -> None:
    monkeypatch.setenv("MENTOR_LLM_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("MENTOR_LLM_MODEL", "fake-model")
    at = open_app("views/settings.py")
    assert at.radio(key="provider").value == "OpenAI-compatible server"
    click(at, "Test connection")
    assert any("fake-model answered" in s.value for s in at.success)


def test_settings_delete_everything_needs_confirmation(app_env: AppEnv) -> None:
    store = app_env.store()
    for i in range(3):
        c = store.create_conversation(f"conversation {i}")
        store.add_message(c.id, "user", f"question {i}")
    at = open_app("views/settings.py")
    assert any("all 3 conversations" in m.value for m in at.markdown)
    assert at.button(key="wipe").disabled  # (AppTest refuses clicks on disabled buttons)

    at.checkbox(key="confirm_wipe").check().run()
    assert not at.button(key="wipe").disabled
    at.button(key="wipe").click().run()
    assert any("All conversations deleted" in s.value for s in at.success)
    assert store.list_conversations() == []


# --- first run --------------------------------------------------------------------------


@pytest.mark.slow  # > 4 s: kept out of the fast tier
def test_first_run_builds_the_index_instead_of_failing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env(monkeypatch, tmp_path)
    knowledge = copy_articles(tmp_path / "knowledge", SMALL_SET)
    monkeypatch.setenv("MENTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MENTOR_KNOWLEDGE_DIR", str(knowledge))
    clear_caches()
    try:
        at = AppTest.from_file(APP, default_timeout=120).run()
        assert not at.exception and not at.error, (at.exception, at.error)
        assert len(at.status) == 1
        assert at.status[0].state == "complete"
        assert at.status[0].label.startswith("Library ready:")
        assert [t.value for t in at.title] == ["Ask"], "the page runs once the index is built"

        at.run()  # the next run finds the index
        assert not at.status

        ask(at, "How do I write SMART goals?")
        first = next(e.label for e in at.expander if e.label.startswith("[1]"))
        assert first.startswith("[1] Writing SMART career goals")
        at.switch_page("views/library.py").run()
        assert len(button_keys(at, "read_")) == len(SMALL_SET)
    finally:
        clear_caches()


# --- first run and everyday use -----------------------------------------------------------


def test_a_long_post_is_accepted_and_an_over_long_one_is_kept_to_trim(app_env: AppEnv) -> None:
    at = open_app()
    post = (
        "I'm in my final year studying biology and I have no idea what I want to do. " * 40
    ) + "How do I even start setting a career goal?"
    assert 2000 < len(post) < 8000
    ask(at, post)
    assert chat(at)[0][0] == "user" and "Library mode" in chat(at)[1][1]
    too_long = "word " * 2000  # 10,000 characters
    at.chat_input[0].set_value(too_long).run()
    assert not at.exception
    assert any("limit is 8,000" in w.value for w in at.warning)
    assert at.text_area(key="too_long_edit").value == too_long  # nothing lost
    stored = app_env.store().messages(at.query_params["c"])
    assert len(stored) == 2  # the over-long one was not sent


def test_a_failed_model_gives_the_library_answer_and_can_be_retried_in_place(
    app_env: AppEnv, monkeypatch: pytest.MonkeyPatch, fake_openai: Any
) -> None:
    from assistant.testing.fake_openai import Status

    monkeypatch.setenv("MENTOR_LLM_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("MENTOR_LLM_MODEL", "fake-model")
    monkeypatch.setenv("MENTOR_LLM_MAX_RETRIES", "0")
    fake_openai.script(Status(503))
    at = open_app()
    ask(at, QUESTION)
    answer = chat(at)[1][1]
    assert "Library mode" in answer and "The model could not answer" in answer
    assert "HTTP 503" in answer
    fake_openai.script("Keep it short and specific [1].")
    next(b for b in at.button if b.label == "Retry with the model").click().run()
    assert not at.exception, at.exception
    stored = app_env.store().messages(at.query_params["c"])
    assert [(m.role, m.status, m.mode) for m in stored][1:] == [
        ("assistant", "complete", "fake-model")
    ]
    assert stored[1].content == "Keep it short and specific [1]."


def test_settings_say_saved_and_where_each_value_comes_from(
    app_env: AppEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MENTOR_TOP_K", "6")
    at = open_app("views/settings.py")
    at.radio(key="provider").set_value("OpenAI-compatible server")
    at.main.text_input[0].input("http://127.0.0.1:9/v1")
    click(at, "Save")
    assert any(s.value == "Saved." for s in at.success)
    rows = at.table[0].value
    by_name = {r["setting"]: (r["value"], r["from"]) for r in rows.to_dict("records")}
    assert by_name["MENTOR_TOP_K"] == ("6", "environment")
    assert by_name["MENTOR_LLM_BASE_URL"] == ("http://127.0.0.1:9/v1", "saved")
    # The environment wins over what was saved, and the page says so.
    monkeypatch.setenv("MENTOR_LLM_BASE_URL", "http://127.0.0.1:8/v1")
    clear_caches()
    at = open_app("views/settings.py")
    assert any("environment variables" in i.value for i in at.info)
    assert "http://127.0.0.1:8/v1" in at.main.caption[0].value


def test_conversations_are_searchable_in_the_sidebar(app_env: AppEnv) -> None:
    at = open_app()
    ask(at, "How do I write SMART goals?")
    at.sidebar.button[0].click().run()  # New conversation
    ask(at, QUESTION)
    at.text_input(key="conv_search").input("SMART").run()
    titles = [b.label for b in at.sidebar.button if b.key and b.key.startswith("conv_")]
    assert len(titles) == 1 and "SMART" in titles[0]
