"""Reach out's contacts tracker, over the store (table ``contacts``, migration 0003).

A contact is a possible mentor the mentee is writing to: a status (drafted → sent →
replied → met, or no_reply), the date the message went out, and a suggested date to act
next, taken from the guidance. Each saved draft is a message in the contact's outreach
conversation (``feature="outreach"``, ``subject=<contact id>``), so a follow-up or a
thank-you starts from the contact's history.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from assistant.errors import InputError
from assistant.store import Base, ConversationRow, Message, Store

STATUSES = ("drafted", "sent", "replied", "met", "no_reply")
# following-up.md: "if the first person still has not replied after seven business days,
# send them a follow-up" (Dalton's 3B7; step 1: "about a week (five to seven working days)").
FOLLOW_UP_BUSINESS_DAYS = 7
# thank-you-notes.md: "Send it within 24 hours."
THANK_YOU_DAYS = 1
SAVED_DRAFT = "saved_draft"


class ContactRow(Base):
    __tablename__ = "contacts"
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    owner: Mapped[str | None] = mapped_column(sa.String(200))
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(200), default="")
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="drafted")
    sent_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    follow_up_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))


@dataclass(frozen=True)
class Contact:
    id: str
    owner: str | None
    name: str
    role: str
    organisation: str
    status: str
    sent_on: dt.date | None
    follow_up_on: dt.date | None
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in d.items()}


def _contact(row: ContactRow) -> Contact:
    return Contact(
        row.id,
        row.owner,
        row.name,
        row.role,
        row.organisation,
        row.status,
        row.sent_on,
        row.follow_up_on,
        row.notes,
        row.created_at,
        row.updated_at,
    )


def add_business_days(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def suggest_follow_up(status: str, on: dt.date) -> dt.date | None:
    """When to act next on a contact whose status changed on ``on``: a follow-up seven
    business days after sending, a thank-you the day after meeting; nothing otherwise
    (after a reply the conversation leads; after no reply, silence-and-no says move on)."""
    if status == "sent":
        return add_business_days(on, FOLLOW_UP_BUSINESS_DAYS)
    if status == "met":
        return on + dt.timedelta(days=THANK_YOU_DAYS)
    return None


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def add_contact(
    store: Store,
    name: str,
    role: str = "",
    organisation: str = "",
    *,
    owner: str | None = None,
    notes: str = "",
) -> Contact:
    if not name.strip():
        raise InputError("A contact needs a name.", "Give the mentor's name.")
    now = dt.datetime.now(dt.UTC)
    row = ContactRow(
        id=str(uuid.uuid4()),
        owner=owner,
        name=name.strip()[:200],
        role=role.strip()[:200],
        organisation=organisation.strip()[:200],
        status="drafted",
        notes=notes,
        created_at=now,
        updated_at=now,
    )
    with store.session() as s:
        s.add(row)
    return _contact(row)


def list_contacts(store: Store, owner: str | None = None) -> list[Contact]:
    """Most recently changed first."""
    query = sa.select(ContactRow).order_by(ContactRow.updated_at.desc())
    if owner is not None:
        query = query.where(ContactRow.owner == owner)
    with store.session() as s:
        return [_contact(r) for r in s.scalars(query).all()]


def get_contact(store: Store, contact_id: str) -> Contact | None:
    with store.session() as s:
        row = s.get(ContactRow, contact_id)
        return _contact(row) if row else None


def find_contact(store: Store, prefix: str) -> Contact:
    """A contact by id or unique id prefix, or InputError."""
    matches = [c for c in list_contacts(store) if c.id.startswith(prefix.strip())]
    if len(matches) != 1 or not prefix.strip():
        raise InputError(
            f"No single contact matches {prefix!r}.", "See `mentor contacts list` for ids."
        )
    return matches[0]


EDITABLE = {"name", "role", "organisation", "notes", "sent_on", "follow_up_on", "owner"}


def update_contact(store: Store, contact_id: str, **fields: Any) -> Contact:
    unknown = set(fields) - EDITABLE - {"status"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with store.session() as s:
        row = s.get(ContactRow, contact_id)
        if row is None:
            raise InputError(f"No contact {contact_id}.", "See `mentor contacts list`.")
        for key, value in fields.items():
            setattr(row, key, value)
        row.updated_at = dt.datetime.now(dt.UTC)
        s.flush()
        return _contact(row)


def set_status(store: Store, contact_id: str, status: str, *, on: dt.date | None = None) -> Contact:
    """Move a contact to ``status`` on ``on`` (default today), with the suggested date to
    act next. Marking it sent records the date sent."""
    if status not in STATUSES:
        raise InputError(f"Unknown status {status!r}.", f"Use one of: {', '.join(STATUSES)}.")
    day = on or _today()
    fields: dict[str, Any] = {"status": status, "follow_up_on": suggest_follow_up(status, day)}
    if status == "sent":
        fields["sent_on"] = day
    return update_contact(store, contact_id, **fields)


def delete_contact(store: Store, contact_id: str) -> bool:
    """The contact and its saved drafts (its outreach conversations)."""
    for conv in store.list_conversations(10_000, feature="outreach", subject=contact_id):
        store.delete_conversation(conv.id)
    with store.session() as s:
        res = s.execute(sa.delete(ContactRow).where(ContactRow.id == contact_id))
        return bool(getattr(res, "rowcount", 0))


# --- saved drafts and history ------------------------------------------------------------


def save_draft(
    store: Store,
    contact_id: str,
    draft: dict[str, Any],
    request: dict[str, Any],
    conversation_id: str | None = None,
) -> Message:
    """Keep the draft the mentee chose (as edited) in the contact's outreach conversation;
    the conversation the drafts were written in becomes the contact's."""
    conv = store.get_conversation(conversation_id) if conversation_id else None
    if conv is None:
        name = request.get("mentor", {}).get("name", "contact")
        conv = store.create_conversation(f"To {name}", feature="outreach", subject=contact_id)
    else:
        with store.session() as s:
            row = s.get(ConversationRow, conv.id)
            if row is not None:
                row.subject = contact_id
    text = (f"Subject: {draft.get('subject')}\n\n" if draft.get("subject") else "") + str(
        draft.get("body", "")
    )
    data = {"draft": draft, "request": request, "channel": request.get("channel")}
    msg = store.add_message(conv.id, "user", text, kind=SAVED_DRAFT, data=data)
    update_contact(store, contact_id)  # touch: it moves to the top of the list
    return msg


def history(store: Store, contact_id: str) -> list[dict[str, Any]]:
    """The contact's saved drafts, oldest first: channel, subject, body, request, saved_at."""
    out = []
    convs = store.list_conversations(10_000, feature="outreach", subject=contact_id)
    for conv in convs:
        for m in store.messages(conv.id):
            if m.kind == SAVED_DRAFT and m.data:
                d = m.data.get("draft", {})
                out.append(
                    {
                        "channel": m.data.get("channel"),
                        "subject": d.get("subject", ""),
                        "body": d.get("body", ""),
                        "request": m.data.get("request", {}),
                        "saved_at": m.created_at.isoformat(),
                    }
                )
    return sorted(out, key=lambda h: h["saved_at"])


def request_for(
    store: Store, contact_id: str, channel: str, today: dt.date | None = None
) -> dict[str, Any]:
    """A follow-up or thank-you request started from the contact's history: who you are,
    who they are and what you asked come from the last saved draft; a follow-up's
    ``previous`` is the last first message saved, and ``sent_days_ago`` counts from the
    date sent; a thank-you's notes start from the contact's notes."""
    contact = get_contact(store, contact_id)
    if contact is None:
        raise InputError(f"No contact {contact_id}.", "See `mentor contacts list`.")
    past = history(store, contact_id)
    base: dict[str, Any] = dict(past[-1]["request"]) if past else {}
    mentor = {
        **base.get("mentor", {}),
        "name": contact.name,
        "role": contact.role,
        "organisation": contact.organisation,
    }
    request = {**base, "mentor": mentor, "channel": channel}
    request.pop("previous", None), request.pop("conversation_notes", None)
    if channel == "follow_up":
        firsts = [h for h in past if h["channel"] not in ("follow_up", "thank_you")] or past
        if firsts:
            h = firsts[-1]
            request["previous"] = (f"Subject: {h['subject']}\n" if h["subject"] else "") + h["body"]
        if contact.sent_on:
            request["sent_days_ago"] = ((today or _today()) - contact.sent_on).days
    elif channel == "thank_you":
        request["conversation_notes"] = contact.notes
    return request
