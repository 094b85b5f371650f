"""The Practise page through ``AppTest``: real app script, the session's index, a SQLite
store per test (fixtures from tests/conftest.py)."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from assistant.knowledge import load_scenarios
from tests.support import KNOWLEDGE, AppEnv, open_app, sidebar_text

PAGE = "views/practise.py"
SCENARIOS = {s.id: s for s in load_scenarios(KNOWLEDGE)}
STRATEGIC = SCENARIOS["vague-be-more-strategic"]
WEAK = "Okay, thanks. What do you mean?"


def reply(at: AppTest, text: str) -> AppTest:
    at.chat_input(key="pr_reply").set_value(text).run()
    assert not at.exception, at.exception
    return at


def charts(at: AppTest) -> list[Any]:
    return list(at.get("vega_lite_chart"))


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [s.value for s in at.success]
    return "\n".join(parts)


def test_page_renders_with_filters_and_no_scenario_yet(app_env: AppEnv) -> None:
    at = open_app(PAGE)
    assert [t.value for t in at.title] == ["Practise"]
    assert not at.error and "Library mode" in sidebar_text(at)
    labels = [s.label for s in at.selectbox]
    assert labels == ["Category", "Difficulty", "Scenario"]
    assert len(at.selectbox[2].options) == len(SCENARIOS)
    assert not at.chat_input  # nothing to reply to until a scenario is chosen


def test_filters_narrow_the_scenarios_and_surprise_me_picks_one(app_env: AppEnv) -> None:
    at = open_app(PAGE)
    at.selectbox(key="pr_difficulty").set_value("easy").run()
    easy = [s for s in SCENARIOS.values() if s.difficulty == "easy"]
    assert len(at.selectbox[2].options) == len(easy)
    at.button(key="pr_surprise").click().run()
    assert not at.exception, at.exception
    assert at.query_params["s"] in {s.id for s in easy}
    assert at.chat_input(key="pr_reply")


def test_reply_twice_scorecard_example_chart_and_store(app_env: AppEnv) -> None:
    at = open_app(PAGE, s=STRATEGIC.id)
    assert STRATEGIC.opening.strip()[:40] in texts(at)
    assert f"**{STRATEGIC.giver.name}** · {STRATEGIC.giver.role}" in texts(at)
    reply(at, WEAK)
    attempt = at.query_params["a"]
    page = texts(at)
    assert "Score " in page and "Acknowledge 1/2" in page and "Clarify 1/2" in page
    assert f"> {WEAK.split('.')[0]}" in page or "> Okay, thanks." in page  # quoted evidence
    vague = next(f.line for f in STRATEGIC.follow_ups if f.when == "vague")
    assert vague in page  # the giver reacts to a vague reply
    assert any(e.label == "A stronger example" for e in at.expander)
    assert len(charts(at)) == 1

    reply(at, STRATEGIC.sample_reply)
    assert at.query_params["a"] == attempt
    page = texts(at)
    assert page.count("#### Score ") == 2
    store = app_env.store()
    msgs = store.messages(attempt)
    assert [m.role for m in msgs] == ["user", "assistant", "user", "assistant"]
    assert msgs[2].content == STRATEGIC.sample_reply
    assert msgs[3].data and msgs[3].data["scorecard"]["total"] >= 9

    # "Try again" starts a new attempt on the same scenario; the chart shows both.
    at.button(key="pr_again").click().run()
    assert "a" not in at.query_params and at.query_params["s"] == STRATEGIC.id
    reply(at, "Whatever.")
    assert len(store.list_conversations(feature="practice")) == 2
    spec = charts(at)[0].proto.spec
    assert '"field": "attempt"' in spec and '"field": "dimension"' in spec
    from assistant.runtime import Runtime

    rows = Runtime(app_env.settings).practice_progress()
    assert {r["attempt"] for r in rows} == {1, 2}


def test_an_empty_or_emoji_reply_shows_a_clear_error(app_env: AppEnv) -> None:
    at = reply(open_app(PAGE, s=STRATEGIC.id), "🙂👍")
    assert [e.value for e in at.error] and "only symbols or emoji" in at.error[0].value
    assert app_env.store().list_conversations(feature="practice") == []


def test_an_abusive_reply_gets_composure_zero_and_a_kind_note(app_env: AppEnv) -> None:
    at = reply(open_app(PAGE, s=STRATEGIC.id), "Shut up, you idiot.")
    page = texts(at)
    assert "Composure 0/2" in page and "Take a breath" in page


def test_attempt_reopens_from_the_url_and_can_be_deleted(app_env: AppEnv) -> None:
    at = reply(open_app(PAGE, s=STRATEGIC.id), WEAK)
    attempt = at.query_params["a"]
    again = open_app(PAGE, s=STRATEGIC.id, a=attempt)
    assert "#### Score " in texts(again)
    again.sidebar.checkbox(key=f"pr_confirm_{attempt}").check().run()
    again.sidebar.button(key="pr_delete").click().run()
    assert not again.exception, again.exception
    assert app_env.store().get_conversation(attempt) is None
    assert "a" not in again.query_params
