"""Faults the scripted server can inject (see fake_openai.py): an HTTP status, a stall
before the headers or mid-stream, a dropped stream, malformed JSON."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class Fault:
    """Base class of the injectable faults."""


@dataclass(frozen=True)
class Status(Fault):
    """Answer with HTTP ``code`` and an OpenAI-style error body.

    ``body``: ``None`` for a default message, a ``str`` used as the error message, or a
    ``dict`` sent verbatim as JSON. ``retry_after`` sets the ``Retry-After`` header (seconds;
    note the openai client ignores values <= 0 and uses its own ~0.5 s backoff instead).
    ``headers`` adds any other response headers (e.g. ``{"x-should-retry": "false"}``).
    """

    code: int
    body: str | dict[str, Any] | None = None
    retry_after: float | None = None
    headers: dict[str, str] | None = None


@dataclass(frozen=True)
class Stall(Fault):
    """Sleep ``seconds`` before sending any header, then answer normally.

    The answer is ``text`` (default: the responder's text). ``stop()`` cuts the sleep short.
    """

    seconds: float
    text: str | None = None


@dataclass(frozen=True)
class StallMidStream(Fault):
    """Send headers and the first ``after_chars`` characters, sleep ``seconds``, then finish.

    For streams ``after_chars`` counts assistant content characters (0: only the role chunk
    goes out); for non-streaming replies it counts bytes of the JSON body.
    """

    after_chars: int
    seconds: float
    text: str | None = None


@dataclass(frozen=True)
class DropMidStream(Fault):
    """Send headers and the first ``after_chars`` characters, then close the socket abruptly.

    Streams are chunk-encoded, so the client sees an incomplete body, never ``[DONE]``.
    ``after_chars`` is counted as in :class:`StallMidStream`.
    """

    after_chars: int
    text: str | None = None


@dataclass(frozen=True)
class Malformed(Fault):
    """Answer 200 with a body that is not JSON (for streams: a ``data:`` line that isn't)."""

    body: str = '{"id": "chatcmpl-broken", "choices": [ this is not json'


Reply = str | Fault
Responder = Callable[[dict[str, Any]], str]
