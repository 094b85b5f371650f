"""The Reach out page through ``streamlit.testing.v1.AppTest``: the real app script and
page, the Runtime built from the environment, a SQLite store per test and, for the model
case, the real openai client over HTTP to the scripted server."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from assistant.contacts import add_business_days, history, list_contacts
from tests.support import AppEnv, open_app

PAGE = "views/reach_out.py"
FORM = {
    "f_mentee_name": "Jonah Price",
    "f_mentee_current": "final-year psychology student",
    "f_mentee_goal": "move into UX research",
    "f_mentor_name": "Amira Haddad",
    "f_mentor_role": "Senior UX Researcher",
    "f_mentor_organisation": "Civic Design Lab",
    "f_mentor_how_found": "her meetup talk in March",
    "f_mentor_admired_work": "Her talk on testing booking forms with screen-reader users",
}


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    return at


def fill(at: AppTest, **values: str) -> AppTest:
    for key, value in {**FORM, **values}.items():
        at.text_input(key=key).set_value(value)
    return at


def submit(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Write drafts").click().run()
    return ok(at)


def drafted() -> AppTest:
    return submit(fill(ok(open_app(PAGE))))


def draft_titles(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**Draft ")]


def marks(at: AppTest) -> tuple[int, int]:
    """(rules passed, rules failed) over the drafts shown."""
    values = [m.value for m in at.markdown]
    green = [v for v in values if v.startswith(":green[:material/check:] ")]
    return (
        sum(v.count(" · ") + 1 for v in green),
        sum(v.startswith(":red[:material/close:]") for v in values),
    )


def test_the_page_renders_with_its_form(app_env: AppEnv) -> None:
    at = ok(open_app(PAGE))
    assert [t.value for t in at.title] == ["Reach out"]
    assert {"f_mentor_name", "f_mentee_goal", "f_mentor_admired_work"} <= {
        t.key for t in at.text_input
    }
    assert not draft_titles(at) and not at.error
    assert "Save a draft and the person appears here" in " ".join(c.value for c in at.caption)


def test_drafts_side_by_side_with_their_rubric(app_env: AppEnv) -> None:
    at = drafted()
    titles = draft_titles(at)
    assert len(titles) == 3 and titles[0] == "**Draft 1 · Lead with their work**"
    green, red = marks(at)
    assert red == 0 and green == 3 * 11
    cid = at.query_params["d"]
    store = app_env.store()
    conv = store.get_conversation(cid)
    assert conv is not None and conv.feature == "outreach" and conv.subject == "Amira Haddad"
    bodies = [t.value for t in at.text_area if t.key and t.key.startswith("body_")]
    assert len(bodies) == 3 and all(b.startswith("Hi Amira,") for b in bodies)
    assert store.messages(cid)[-1].data["drafts"][0]["body"] == bodies[0]  # type: ignore[index]
    assert any(c.value.endswith("words") and "characters" in c.value for c in at.caption)
    # a reload (the same URL) shows the same drafts, from the store
    again = ok(open_app(PAGE, d=cid))
    assert [t.value for t in again.text_area if t.key and t.key.startswith("body_")] == bodies


def test_an_incomplete_request_names_the_field(app_env: AppEnv) -> None:
    at = submit(fill(ok(open_app(PAGE)), f_mentor_name=""))
    assert [e.value for e in at.error] and "mentor.name" in at.error[0].value
    assert not draft_titles(at) and app_env.store().list_conversations() == []


def test_edit_recheck_save_and_track(app_env: AppEnv) -> None:
    at = drafted()
    cid = at.query_params["d"]
    body = at.text_area(key=f"body_{cid}_0")
    edited = body.value.replace("Hi Amira,", "Hi [Name],")
    body.set_value(edited).run()
    ok(at)
    failed = [m.value for m in at.markdown if m.value.startswith(":red[")]
    assert len(failed) == 2  # the placeholder, and the name is gone
    assert any(
        "**no placeholder**" in f and "[Name]" in f and "first-message-anatomy" in f for f in failed
    )
    assert any("**names mentor**" in f for f in failed)
    words = len(edited.split())
    assert any(c.value == f"{len(edited.strip())} characters · {words} words" for c in at.caption)
    at.text_area(key=f"body_{cid}_0").set_value(edited.replace("[Name]", "Amira")).run()
    assert marks(ok(at))[1] == 0

    at.button(key=f"save_{cid}_0").click().run()
    store = app_env.store()
    [contact] = list_contacts(store)
    assert (contact.name, contact.status, contact.organisation) == (
        "Amira Haddad",
        "drafted",
        "Civic Design Lab",
    )
    [saved] = history(store, contact.id)
    assert saved["body"] == edited.replace("[Name]", "Amira").strip()

    at.selectbox(key=f"status_{contact.id}").set_value("sent").run()
    ok(at)
    assert at.date_input(key=f"sent_{contact.id}").value == dt.datetime.now(dt.UTC).date()
    today = dt.datetime.now(dt.UTC).date()
    due = add_business_days(today, 7).isoformat()
    assert any(f"Follow up by **{due}**" in m.value for m in at.markdown)
    [contact] = list_contacts(store)
    assert (contact.status, contact.sent_on) == ("sent", today)

    # a follow-up starts from the contact's history
    at.button(key=f"follow_up_{contact.id}").click().run()
    ok(at)
    assert at.selectbox(key="f_channel").value == "follow_up"
    assert "Amira" in at.text_area(key="f_previous").value
    submit(at)
    subjects = [t.value for t in at.text_input if t.key and t.key.startswith("subj_")]
    assert subjects and all(s.startswith("Re: ") for s in subjects)
    assert marks(at)[1] == 0
    follow_cid = at.query_params["d"]
    assert store.get_conversation(follow_cid).subject == contact.id  # type: ignore[union-attr]

    at.checkbox(key=f"del_ok_{contact.id}").check().run()
    at.button(key=f"del_{contact.id}").click().run()
    ok(at)
    assert list_contacts(store) == []


@pytest.mark.parametrize("mode", ["good", "fault"])
def test_with_a_model(app_env: AppEnv, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    from assistant.testing.fake_openai import FakeOpenAI, Status
    from assistant.testing.outreach_model import bad_then_good

    with FakeOpenAI() as fake:
        fake.responder = bad_then_good
        if mode == "fault":
            fake.always(Status(500))
        monkeypatch.setenv("MENTOR_LLM_BASE_URL", fake.base_url)
        monkeypatch.setenv("MENTOR_LLM_MODEL", "fake-model")
        monkeypatch.setenv("MENTOR_LLM_MAX_RETRIES", "0")
        at = drafted()
        data: Any = app_env.store().messages(at.query_params["d"])[-1]
    assert marks(at)[1] == 0 and len(draft_titles(at)) >= 2
    if mode == "good":
        assert data.mode == "fake-model" and not at.warning
        assert any("Revised once automatically" in c.value for c in at.caption)
    else:
        assert data.mode == "library" and at.warning
        assert "composed from the guidance" in at.warning[0].value
