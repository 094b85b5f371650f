"""Persistence of conversations and messages (SQLAlchemy; SQLite by default).

Every write commits at once, so a reload, a crash or a broken stream loses nothing that
was already said. Schema changes go through Alembic migrations (assistant/migrations),
applied when the store opens.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from assistant.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class ConversationRow(Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    feature: Mapped[str] = mapped_column(sa.String(16), default="ask")
    subject: Mapped[str | None] = mapped_column(sa.String(200))
    owner: Mapped[str | None] = mapped_column(sa.String(200))


class MessageRow(Base):
    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(sa.String(16))
    content: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16))
    kind: Mapped[str | None] = mapped_column(sa.String(24))
    mode: Mapped[str | None] = mapped_column(sa.String(120))
    citations: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)
    prompt_tokens: Mapped[int | None] = mapped_column()
    completion_tokens: Mapped[int | None] = mapped_column()
    latency_ms: Mapped[int | None] = mapped_column()
    rating: Mapped[int | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(sa.Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))


FEATURES = ("ask", "outreach", "practice")


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    created_at: dt.datetime
    updated_at: dt.datetime
    feature: str = "ask"
    subject: str | None = None
    owner: str | None = None


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: str
    role: str
    content: str
    status: str
    kind: str | None
    mode: str | None
    citations: list[dict[str, Any]]
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_ms: int | None
    rating: int | None
    error: str | None
    created_at: dt.datetime
    data: dict[str, Any] | None = None


def _conv(row: ConversationRow) -> Conversation:
    return Conversation(
        row.id, row.title, row.created_at, row.updated_at, row.feature, row.subject, row.owner
    )


def _msg(row: MessageRow) -> Message:
    return Message(
        row.id,
        row.conversation_id,
        row.role,
        row.content,
        row.status,
        row.kind,
        row.mode,
        list(row.citations or []),
        row.prompt_tokens,
        row.completion_tokens,
        row.latency_ms,
        row.rating,
        row.error,
        row.created_at,
        dict(row.data) if row.data is not None else None,
    )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def folder_problem(folder: Path) -> str | None:
    """Why nothing can be written in a folder ("read-only", "no space left"), or None.
    Tried, not inferred: permissions say little to root or on a read-only mount."""
    import errno
    import tempfile

    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            return None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            return "no space left"
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return "read-only"
        return None


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str) -> Store:
        """Open (creating if needed) and migrate the database at ``url``."""
        try:
            if url.startswith("sqlite:///"):
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(url, future=True)
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            store = cls(engine)
            store.migrate()
        except (SQLAlchemyError, OSError) as exc:
            where = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else "it"
            text = str(exc).lower()
            if url.startswith("sqlite:///"):
                problem = folder_problem(Path(where).parent)
                text += f" {problem}" if problem else ""
            if "readonly" in text or "read-only" in text or "permission" in text:
                raise StoreError(
                    f"The database {where} cannot be written (read-only or no permission).",
                    "Set MENTOR_DATA_DIR (or MENTOR_DATABASE_URL) to a writable place.",
                ) from exc
            if "full" in text or "no space" in text:
                raise StoreError(
                    f"The disk holding the database {where} is full.",
                    "Free some space, or set MENTOR_DATA_DIR to another folder.",
                ) from exc
            raise StoreError(
                f"Could not open the database {where} ({exc.__class__.__name__}).",
                "Check MENTOR_DATABASE_URL or that the data directory is writable.",
            ) from exc
        return store

    def migrate(self) -> None:
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()

    @contextmanager
    def session(self) -> Iterator[Session]:
        s = self._session()
        try:
            yield s
            s.commit()
        except SQLAlchemyError as exc:
            s.rollback()
            raise StoreError(
                f"Could not save to the database ({exc.__class__.__name__}).", "Try again."
            ) from exc
        finally:
            s.close()

    # conversations

    def create_conversation(
        self,
        title: str = "New conversation",
        *,
        feature: str = "ask",
        subject: str | None = None,
        owner: str | None = None,
    ) -> Conversation:
        if feature not in FEATURES:
            raise ValueError(f"feature is one of {FEATURES}")
        now = _now()
        row = ConversationRow(
            id=str(uuid.uuid4()),
            title=title[:200],
            created_at=now,
            updated_at=now,
            feature=feature,
            subject=subject[:200] if subject else None,
            owner=owner,
        )
        with self.session() as s:
            s.add(row)
        return _conv(row)

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        with self.session() as s:
            row = s.get(ConversationRow, conversation_id)
            return _conv(row) if row else None

    def list_conversations(
        self,
        limit: int = 200,
        *,
        feature: str | None = None,
        subject: str | None = None,
        search: str | None = None,
    ) -> list[Conversation]:
        """Newest first; ``feature``/``subject`` narrow the list (each face lists its own);
        ``search`` keeps conversations whose title or any message contains the words."""
        query = sa.select(ConversationRow)
        if feature is not None:
            query = query.where(ConversationRow.feature == feature)
        if subject is not None:
            query = query.where(ConversationRow.subject == subject)
        for word in (search or "").split()[:8]:
            pattern = "%" + _escape_like(word) + "%"
            in_messages = sa.select(MessageRow.conversation_id).where(
                MessageRow.content.ilike(pattern, escape="\\")
            )
            query = query.where(
                ConversationRow.title.ilike(pattern, escape="\\")
                | ConversationRow.id.in_(in_messages)
            )
        with self.session() as s:
            rows = s.scalars(query.order_by(ConversationRow.updated_at.desc()).limit(limit)).all()
            return [_conv(r) for r in rows]

    def rename_conversation(self, conversation_id: str, title: str) -> None:
        with self.session() as s:
            row = s.get(ConversationRow, conversation_id)
            if row is not None:
                row.title = title.strip()[:200] or row.title

    def delete_conversation(self, conversation_id: str) -> bool:
        with self.session() as s:
            s.execute(sa.delete(MessageRow).where(MessageRow.conversation_id == conversation_id))
            res = s.execute(sa.delete(ConversationRow).where(ConversationRow.id == conversation_id))
            return bool(getattr(res, "rowcount", 0))

    def delete_everything(self) -> None:
        with self.session() as s:
            s.execute(sa.delete(MessageRow))
            s.execute(sa.delete(ConversationRow))

    # messages

    def add_message(
        self,
        conversation_id: str,
        role: str,
        content: str,
        *,
        status: str = "complete",
        **fields: Any,
    ) -> Message:
        now = _now()
        row = MessageRow(
            conversation_id=conversation_id,
            role=role,
            content=content,
            status=status,
            created_at=now,
            **fields,
        )
        with self.session() as s:
            s.add(row)
            conv = s.get(ConversationRow, conversation_id)
            if conv is None:
                raise StoreError(f"No conversation {conversation_id}.")
            conv.updated_at = now
            s.flush()
        return _msg(row)

    def update_message(self, message_id: int, **fields: Any) -> None:
        with self.session() as s:
            row = s.get(MessageRow, message_id)
            if row is None:
                raise StoreError(f"No message {message_id}.")
            for key, value in fields.items():
                setattr(row, key, value)

    def delete_message(self, message_id: int) -> None:
        with self.session() as s:
            s.execute(sa.delete(MessageRow).where(MessageRow.id == message_id))

    def rate_message(self, message_id: int, rating: int | None) -> None:
        if rating not in (-1, 1, None):
            raise ValueError("rating is 1, -1 or None")
        self.update_message(message_id, rating=rating)

    def messages(self, conversation_id: str) -> list[Message]:
        with self.session() as s:
            rows = s.scalars(
                sa.select(MessageRow)
                .where(MessageRow.conversation_id == conversation_id)
                .order_by(MessageRow.id)
            ).all()
            return [_msg(r) for r in rows]


STATUS_NOTES = {
    "fallback": "library-mode answer: the model could not answer",
    "incomplete": "incomplete: the answer was cut off",
}


def export_markdown(conv: Conversation, messages: Sequence[Message]) -> str:
    """A conversation as a Markdown document a person can keep."""
    lines = [f"# {conv.title}", "", f"_Started {conv.created_at:%Y-%m-%d %H:%M} UTC_", ""]
    for m in messages:
        who = "**You**" if m.role == "user" else "**Mentor Assistant**"
        status = "" if m.status == "complete" else f" _({STATUS_NOTES.get(m.status, m.status)})_"
        lines += [f"{who}{status}", "", m.content, ""]
        if m.error:
            lines += [f"_Note: {m.error}_", ""]
        if m.citations:
            lines.append("Sources:")
            lines += [f"{c['n']}. {c['title']} (knowledge/{c['path']})" for c in m.citations]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
