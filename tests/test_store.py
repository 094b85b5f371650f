"""The store on a real SQLite file, with Alembic migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant.store import Store, export_markdown


def test_migrations_create_the_schema_and_are_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    store = Store.open(url)
    assert store.schema_revision() == "0001"
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
    assert "_(incomplete)_" in export_markdown(conv, [m])
    store.delete_everything()
    assert store.list_conversations() == []


def test_unwritable_database_is_a_clear_error(tmp_path: Path) -> None:
    from assistant.errors import StoreError

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="database"):
        Store.open(f"sqlite:///{blocker / 'x.db'}")
