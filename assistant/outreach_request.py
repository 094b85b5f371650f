"""Reach out: the request a mentee fills in (YAML for the CLI, a form in the app).

A request that is missing what a good message needs is refused with one ``InputError``
naming the field (``mentor.name``, ``mentor.admired_work``, ``previous``…), so no weak
draft is ever written. ``mentor.about`` is text the mentee pasted about the mentor: it is
kept, but it is untrusted data (see ``assistant.outreach``), so nothing it says can
supply a required field on its own except the "why them" detail.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.errors import InputError

Ask = Literal["short_call", "one_question", "informational_interview", "ongoing_mentorship"]
Channel = Literal["email", "linkedin_note", "linkedin_message", "follow_up", "thank_you"]
Tone = Literal["warm", "formal", "concise"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
CHANNELS: tuple[str, ...] = Channel.__args__  # type: ignore[attr-defined]
TONES: tuple[str, ...] = Tone.__args__  # type: ignore[attr-defined]
FIRST_CONTACT = ("email", "linkedin_note", "linkedin_message")

MAX_FIELD_CHARS = 400  # a name, a role, a goal: longer is a paste into the wrong box
MAX_ABOUT_CHARS = 2000  # pasted bio or post: kept as data, cut beyond this
MAX_LONG_CHARS = 4000  # `previous` and `conversation_notes`


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        text = unicodedata.normalize("NFC", value).replace("\r\n", "\n")
        return "".join(c for c in text if c == "\n" or c == "\t" or c.isprintable()).strip()
    return value


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _tidy(cls, value: Any) -> Any:
        return "" if value is None else _clean(value)


class Mentee(_Part):
    name: str = Field("", max_length=MAX_FIELD_CHARS)
    current: str = Field("", max_length=MAX_FIELD_CHARS)  # who they are now
    goal: str = Field(min_length=1, max_length=MAX_FIELD_CHARS)  # the goal behind reaching out
    link: str = Field("", max_length=MAX_FIELD_CHARS)  # optional: their LinkedIn or portfolio


class Mentor(_Part):
    name: str = Field(min_length=1, max_length=MAX_FIELD_CHARS)
    role: str = Field("", max_length=MAX_FIELD_CHARS)
    organisation: str = Field("", max_length=MAX_FIELD_CHARS)
    how_found: str = Field("", max_length=MAX_FIELD_CHARS)
    admired_work: str = Field("", max_length=MAX_FIELD_CHARS)  # one piece of work, and why
    about: str = ""  # pasted by the mentee: UNTRUSTED, cut to MAX_ABOUT_CHARS

    @field_validator("about")
    @classmethod
    def _cut_about(cls, value: str) -> str:
        return value[:MAX_ABOUT_CHARS]


class OutreachRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    mentee: Mentee
    mentor: Mentor
    ask: Ask | None = None
    channel: Channel
    tone: Tone = "warm"
    previous: str = Field("", max_length=MAX_LONG_CHARS)  # follow_up: the first message
    sent_days_ago: int | None = Field(None, ge=0, le=3650)  # follow_up
    conversation_notes: str = Field("", max_length=MAX_LONG_CHARS)  # thank_you
    linkedin_premium: bool = False  # a 300-character connection note instead of 200

    @field_validator("previous", "conversation_notes", mode="before")
    @classmethod
    def _tidy(cls, value: Any) -> Any:
        return "" if value is None else _clean(value)

    @field_validator("ask", "channel", "tone", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().lower().replace("-", "_").replace(" ", "_")
            return value or None
        return value

    @property
    def first_contact(self) -> bool:
        return self.channel in FIRST_CONTACT

    def trusted_text(self) -> str:
        """Everything the mentee wrote themselves (all but ``mentor.about``)."""
        m, t = self.mentee, self.mentor
        parts = [m.name, m.current, m.goal, m.link, t.name, t.role, t.organisation]
        parts += [t.how_found, t.admired_work, self.previous, self.conversation_notes]
        return "\n".join(p for p in parts if p)


FIELD_HINTS = {
    "mentor": "Say who you are writing to: at least `mentor: {name: …, admired_work: …}`.",
    "mentee": "Say who you are: `mentee: {name: …, current: …, goal: …}`.",
    "mentor.name": "Give the mentor's name exactly as they spell it.",
    "mentee.goal": "Say in a few words what you hope to get from reaching out.",
    "mentor.admired_work": (
        "Name one specific piece of their work you valued, and why (or paste their bio "
        "into mentor.about)."
    ),
    "channel": "Use one of: " + ", ".join(CHANNELS) + ".",
    "ask": "Use one of: " + ", ".join(ASKS) + ".",
    "tone": "Use one of: " + ", ".join(TONES) + ".",
    "previous": "Paste the first message you sent (it may start with 'Subject:').",
    "conversation_notes": "Write down what the mentor said, so the thank-you can be specific.",
}


def _field_error(err: ValidationError) -> InputError:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    kind = first["type"]
    if kind == "missing" or (kind == "string_too_short"):
        message = f"The request is missing {where}."
    elif kind.startswith("literal") or kind == "enum":
        message = f"The request has an unknown {where}: {first.get('input')!r}."
    elif kind == "string_too_long":
        message = f"{where} is too long ({len(str(first.get('input', '')))} characters)."
    else:
        message = f"{where}: {first['msg']}."
    return InputError(message, FIELD_HINTS.get(where, "Check that field in the request."))


def missing(where: str) -> InputError:
    return InputError(f"The request is missing {where}.", FIELD_HINTS.get(where, ""))


def _kind(data: Any) -> str:
    if data is None:
        return "an empty document"
    if isinstance(data, list):
        return "a list"
    return "a piece of text" if isinstance(data, str) else f"a {type(data).__name__}"


def parse_request(data: Any) -> OutreachRequest:
    """A validated request, or InputError naming the first field that is missing or wrong."""
    if not isinstance(data, dict):
        raise InputError(
            f"The request must be a mapping of fields, not {_kind(data)}.",
            "Write it as YAML with mentee:, mentor:, ask:, channel: and tone: at the top level.",
        )
    for part in ("mentor", "mentee"):
        if part in data and not isinstance(data[part], dict):
            raise (
                missing(part)
                if not data[part]
                else InputError(f"{part} must be a mapping of fields.", FIELD_HINTS[part])
            )
    try:
        request = OutreachRequest.model_validate(data)
    except ValidationError as exc:
        raise _field_error(exc) from None
    return _check_needs(request)


def _check_needs(request: OutreachRequest) -> OutreachRequest:
    """What a good message needs beyond the fields' own types."""
    if not request.mentor.admired_work and not request.mentor.about:
        raise missing("mentor.admired_work")
    if request.channel != "thank_you" and request.ask is None:
        raise missing("ask")
    if request.channel == "follow_up" and not request.previous:
        raise missing("previous")
    if request.channel == "thank_you" and not request.conversation_notes:
        raise missing("conversation_notes")
    return request


def load_request_text(text: str) -> OutreachRequest:
    """Parse a request from YAML (or JSON) text."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise InputError(
            f"The request is not valid YAML{where}.", "Check the indentation and the quotes."
        ) from None
    return parse_request(data)
