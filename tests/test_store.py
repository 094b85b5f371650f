"""The store on a real SQLite file, with Alembic migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant.store import Store, export_markdown


def test_migrations_create_the_schema_and_are_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    store = Store.open(url)
    assert store.schema_revision() == "0003"
    conv = store.create_conversation("Keep me")
    store.add_message(conv.id, "user", "hello")
    again = Store.open(url)  # reopening migrates nothing and keeps data
    assert [m.content for m in again.messages(conv.id)] == ["hello"]
    tables = {
        r[0]
        for r in sqlite3.connect(tmp_path / "m.db").execute(
            "select name from sqlite_master where type='table'"
        )
    }
    assert {"conversations", "messages", "alembic_version"} <= tables


def test_conversation_lifecycle_and_export(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}")
    conv = store.create_conversation("First")
    store.add_message(conv.id, "user", "How do I find a mentor?")
    msg = store.add_message(
        conv.id,
        "assistant",
        "Start with your alumni network [1].",
        kind="answer",
        mode="library",
        citations=[
            {
                "n": 1,
                "doc_id": "alumni-networks",
                "title": "Finding mentors through alumni networks",
                "path": "articles/finding-mentors/alumni-networks.md",
            }
        ],
    )
    store.rate_message(msg.id, 1)
    with pytest.raises(ValueError):
        store.rate_message(msg.id, 5)
    store.rename_conversation(conv.id, "  Mentors  ")
    [listed] = store.list_conversations()
    assert listed.title == "Mentors"
    saved = store.messages(conv.id)
    assert saved[1].rating == 1 and saved[1].citations[0]["doc_id"] == "alumni-networks"
    md = export_markdown(listed, saved)
    assert md.startswith("# Mentors") and "alumni-networks.md" in md and "**You**" in md
    assert store.delete_conversation(conv.id)
    assert store.messages(conv.id) == [] and store.list_conversations() == []


def test_partial_answers_keep_their_status(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'p.db'}")
    conv = store.create_conversation()
    store.add_message(
        conv.id, "assistant", "Half an ans", status="incomplete", error="The connection broke off"
    )
    [m] = store.messages(conv.id)
    assert m.status == "incomplete" and "broke off" in (m.error or "")
    shown = export_markdown(conv, [m])
    assert "_(incomplete: the answer was cut off)_" in shown
    assert "_Note: The connection broke off_" in shown  # history show says what happened
    store.delete_everything()
    assert store.list_conversations() == []


def test_unwritable_database_is_a_clear_error(tmp_path: Path) -> None:
    from assistant.errors import StoreError

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="database"):
        Store.open(f"sqlite:///{blocker / 'x.db'}")


def test_a_database_from_the_previous_schema_upgrades_in_place(tmp_path: Path) -> None:
    """A 0001 database (made by the previous release's schema, with its own SQL) gains
    the feature columns; every message is intact and old conversations count as Ask."""
    db = tmp_path / "old.db"
    con = sqlite3.connect(db)
    con.executescript(
        """
        CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
        INSERT INTO alembic_version VALUES ('0001');
        CREATE TABLE conversations (id VARCHAR(36) PRIMARY KEY, title VARCHAR(200) NOT NULL,
            created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL);
        CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT,
            conversation_id VARCHAR(36) NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            role VARCHAR(16) NOT NULL, content TEXT NOT NULL, status VARCHAR(16) NOT NULL,
            kind VARCHAR(24), mode VARCHAR(120), citations JSON, prompt_tokens INTEGER,
            completion_tokens INTEGER, latency_ms INTEGER, rating INTEGER, error TEXT,
            created_at DATETIME NOT NULL);
        INSERT INTO conversations VALUES ('c1', 'Old one', '2026-01-01 10:00:00',
            '2026-01-01 10:05:00');
        INSERT INTO messages (conversation_id, role, content, status, kind, citations,
            rating, created_at) VALUES
            ('c1', 'user', 'How do I find a mentor?', 'complete', NULL, NULL, NULL,
             '2026-01-01 10:00:00'),
            ('c1', 'assistant', 'Start with alumni [1].', 'complete', 'answer',
             '[{"n": 1, "title": "Alumni"}]', 1, '2026-01-01 10:00:01');
        """
    )
    con.commit()
    con.close()
    store = Store.open(f"sqlite:///{db}")
    assert store.schema_revision() == "0003"
    [conv] = store.list_conversations()
    assert (conv.id, conv.title, conv.feature, conv.subject) == ("c1", "Old one", "ask", None)
    msgs = store.messages("c1")
    assert [(m.role, m.content, m.rating) for m in msgs] == [
        ("user", "How do I find a mentor?", None),
        ("assistant", "Start with alumni [1].", 1),
    ]
    assert msgs[1].citations == [{"n": 1, "title": "Alumni"}]
    assert store.list_conversations(feature="practice") == []


def test_conversations_are_listed_per_feature_and_carry_data(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'f.db'}")
    ask = store.create_conversation("A question")
    drill = store.create_conversation(
        "Drill", feature="practice", subject="vague-be-more-strategic"
    )
    store.add_message(drill.id, "assistant", "Scored", kind="scorecard", data={"total": 9})
    assert [c.id for c in store.list_conversations(feature="ask")] == [ask.id]
    assert [c.id for c in store.list_conversations(feature="practice")] == [drill.id]
    assert store.list_conversations(subject="vague-be-more-strategic")[0].feature == "practice"
    assert store.messages(drill.id)[0].data == {"total": 9}
    with pytest.raises(ValueError):
        store.create_conversation("x", feature="nope")


def test_conversations_can_be_searched_by_title_and_text(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'q.db'}")
    a = store.create_conversation("Cold emails")
    store.add_message(a.id, "user", "How do I write to a nurse manager I have never met?")
    b = store.create_conversation("Feedback from my lead")
    store.add_message(b.id, "user", "She said my code reviews are too terse")
    assert [c.id for c in store.list_conversations(search="nurse")] == [a.id]
    assert [c.id for c in store.list_conversations(search="feedback terse")] == [b.id]
    assert store.list_conversations(search="50%_off") == []  # LIKE wildcards are literal
    assert {c.id for c in store.list_conversations(search="  ")} == {a.id, b.id}
