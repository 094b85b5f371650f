"""A small exception tree whose messages tell a person what to do next.

The UI turns these into ``st.error`` and the CLI into an exit code; neither shows a
traceback. ``hint`` is the next step, in plain words.
"""

from __future__ import annotations


class MentorError(Exception):
    """Base class: a message for a person, and what to do next."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class KnowledgeError(MentorError):
    """A knowledge document is missing, malformed or invalid."""

    exit_code = 3


class EmbeddingModelError(MentorError):
    """The local embedding model files are missing or do not match their hashes."""

    exit_code = 4


class IndexError_(MentorError):
    """The index is missing, stale or built with another embedding model."""

    exit_code = 5


class IndexLockedError(MentorError):
    """Another process is writing the index."""

    exit_code = 6


class InputError(MentorError):
    """What the user typed cannot be used as it is (empty, too long, malformed)."""

    exit_code = 2


class ModelNotConfigured(MentorError):
    """A feature needs a chat model and none is configured."""

    exit_code = 7


class ModelError(MentorError):
    """The model server failed: timeout, rate limit, server error, broken stream."""

    exit_code = 8


class StoreError(MentorError):
    """The database could not be opened or written."""

    exit_code = 9


class ConfigError(MentorError):
    """A setting has a value the product cannot use; the message names it."""

    exit_code = 2
