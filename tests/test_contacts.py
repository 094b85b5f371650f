"""The contacts tracker on a real SQLite file: migration 0003 (up and down), adding,
listing, editing and deleting contacts, statuses with the guidance's follow-up dates,
saved drafts, and follow-up / thank-you requests started from a contact's history."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from assistant.contacts import (
    add_contact,
    delete_contact,
    find_contact,
    get_contact,
    history,
    list_contacts,
    request_for,
    save_draft,
    set_status,
    update_contact,
)
from assistant.errors import InputError
from assistant.outreach import draft_turn
from assistant.outreach_compose import library_drafts
from assistant.outreach_request import parse_request
from assistant.outreach_rubric import check_draft, passes
from assistant.runtime import Runtime
from assistant.store import MIGRATIONS, Store
from tests.support import EMAIL, KNOWLEDGE, make_settings


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'm.db'}")


def tables(db: Path) -> set[str]:
    con = sqlite3.connect(db)
    try:
        return {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    finally:
        con.close()


def test_migration_0003_adds_contacts_and_goes_back_down(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    store = Store.open(f"sqlite:///{tmp_path / 'm.db'}")
    assert store.schema_revision() == "0003" and "contacts" in tables(tmp_path / "m.db")
    keep = add_contact(store, "Amira Haddad")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    assert "contacts" not in tables(tmp_path / "m.db")
    assert store.schema_revision() == "0002"
    again = Store.open(f"sqlite:///{tmp_path / 'm.db'}")  # a 0002 database upgrades in place
    assert again.schema_revision() == "0003" and get_contact(again, keep.id) is None


def test_contact_lifecycle(store: Store) -> None:
    a = add_contact(store, "  Amira Haddad ", "UX Researcher", "Civic Design Lab")
    b = add_contact(store, "Zoë Ó Súilleabháin", owner="me")
    assert (a.name, a.status, a.sent_on, a.follow_up_on) == ("Amira Haddad", "drafted", None, None)
    assert [c.id for c in list_contacts(store)] == [b.id, a.id]
    assert [c.id for c in list_contacts(store, owner="me")] == [b.id]
    assert find_contact(store, a.id[:8]).id == a.id
    with pytest.raises(InputError):
        find_contact(store, "")
    with pytest.raises(InputError):
        add_contact(store, "   ")
    edited = update_contact(store, a.id, notes="Met at the March meetup", role="Lead")
    assert (edited.notes, edited.role) == ("Met at the March meetup", "Lead")
    assert list_contacts(store)[0].id == a.id  # edited: most recent first
    assert edited.to_dict()["created_at"].startswith(str(a.created_at.year))
    assert delete_contact(store, b.id) and get_contact(store, b.id) is None
    assert not delete_contact(store, b.id)


def test_statuses_and_suggested_dates(store: Store) -> None:
    c = add_contact(store, "Amira Haddad")
    friday = dt.date(2026, 12, 4)
    sent = set_status(store, c.id, "sent", on=friday)
    assert (sent.status, sent.sent_on, sent.follow_up_on) == ("sent", friday, dt.date(2026, 12, 15))
    met = set_status(store, c.id, "met", on=dt.date(2026, 12, 20))
    assert met.follow_up_on == dt.date(2026, 12, 21) and met.sent_on == friday
    assert set_status(store, c.id, "replied").follow_up_on is None
    assert set_status(store, c.id, "no_reply").follow_up_on is None
    today = set_status(store, c.id, "sent")
    assert today.sent_on == dt.datetime.now(dt.UTC).date()
    with pytest.raises(InputError, match="Unknown status"):
        set_status(store, c.id, "ghosted")


def test_saved_drafts_start_the_follow_up_and_the_thank_you(store: Store) -> None:
    r = parse_request(EMAIL)
    result = draft_turn(r, model=None, knowledge_dir=KNOWLEDGE, store=store)
    assert result.data is not None
    contact = add_contact(store, "Amira Haddad", "Senior UX Researcher", "Civic Design Lab")
    chosen = {**result.data["drafts"][1], "body": result.data["drafts"][1]["body"] + "\nP.S."}
    save_draft(store, contact.id, chosen, r.model_dump(), result.conversation_id)
    conv = store.get_conversation(result.conversation_id or "")
    assert conv is not None and conv.subject == contact.id  # the drafts now belong to it
    [saved] = history(store, contact.id)
    assert saved["body"].endswith("P.S.") and saved["channel"] == "email"

    set_status(store, contact.id, "sent", on=dt.date(2026, 12, 1))
    follow = request_for(store, contact.id, "follow_up", today=dt.date(2026, 12, 13))
    assert follow["previous"].startswith(f"Subject: {chosen['subject']}\n")
    assert follow["previous"].endswith("P.S.") and follow["sent_days_ago"] == 12
    fr = parse_request(follow)
    assert fr.mentee.name == "Jonah Price" and fr.ask == "short_call"
    drafts = library_drafts(fr)
    assert drafts and all(passes(check_draft(d, fr)) for d in drafts)
    assert all(d.subject == f"Re: {chosen['subject']}" for d in drafts)

    update_contact(
        store, contact.id, notes="She said a research portfolio matters more than a certificate."
    )
    thanks = parse_request({**request_for(store, contact.id, "thank_you"), "ask": None})
    assert "portfolio" in thanks.conversation_notes
    assert all(passes(check_draft(d, thanks)) for d in library_drafts(thanks))
    assert delete_contact(store, contact.id)
    assert store.list_conversations(feature="outreach", subject=contact.id) == []


def test_runtime_draft_is_the_faces_entry(tmp_path: Path) -> None:
    rt = Runtime(make_settings(tmp_path))
    result = rt.draft(parse_request(EMAIL))
    assert result.mode == "library" and result.conversation_id
    [conv] = rt.store.list_conversations(feature="outreach")
    assert conv.subject == "Amira Haddad"
    contact = add_contact(rt.store, "Amira Haddad")
    again = rt.draft(parse_request(EMAIL), contact_id=contact.id)
    assert rt.store.get_conversation(again.conversation_id or "").subject == contact.id  # type: ignore[union-attr]
