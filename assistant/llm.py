"""The chat-model factory: OpenAI, any OpenAI-compatible server, or none (library mode).

Built on langchain-openai's ChatOpenAI, which uses the official ``openai`` client: an
explicit timeout (it also bounds each wait between streamed chunks), retries with
exponential backoff on 429 and 5xx that honour ``Retry-After``, and ``max_tokens`` always
set. Errors become ModelError with a sentence a person can act on.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from assistant.errors import ModelError

if TYPE_CHECKING:
    from assistant.config import Settings

Messages = list[dict[str, str]]


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


class ChatModel(Protocol):
    name: str

    def complete(self, messages: Messages) -> str: ...

    def stream(self, messages: Messages, usage: Usage | None = None) -> Iterator[str]: ...


def translate_error(exc: BaseException, settings: Settings) -> ModelError:
    """A ModelError whose message says what happened and what to do."""
    import httpx
    import openai

    from assistant.config import redact_url

    where = redact_url(settings.llm_base_url) if settings.llm_base_url else "the OpenAI API"
    if isinstance(exc, ModelError):
        return exc
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return ModelError(
            f"The model server at {where} did not answer within {settings.llm_timeout:g} seconds.",
            "Try again; if it keeps happening, raise MENTOR_LLM_TIMEOUT or check the server.",
        )
    if isinstance(exc, openai.RateLimitError):
        return ModelError(
            f"The model server is rate-limiting requests (HTTP 429), even after "
            f"{settings.llm_max_retries} retries.",
            "Wait a minute and ask again; your question has been saved.",
        )
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return ModelError(
            "The model server refused the API key.",
            "Check OPENAI_API_KEY or MENTOR_LLM_API_KEY, or unset them to use library mode.",
        )
    if isinstance(exc, openai.NotFoundError):
        return ModelError(
            f"The model {settings.model_name!r} was not found at {where}.",
            "Check MENTOR_LLM_MODEL.",
        )
    if isinstance(exc, openai.APIStatusError):
        return ModelError(
            f"The model server answered with an error (HTTP {exc.status_code}).",
            "Try again in a moment; your question has been saved.",
        )
    if isinstance(exc, openai.APIConnectionError | httpx.ConnectError):
        return ModelError(
            f"Could not reach the model server at {where}.",
            "Check that it is running and MENTOR_LLM_BASE_URL is right, or unset it to use "
            "library mode.",
        )
    if isinstance(exc, json.JSONDecodeError | openai.APIResponseValidationError | ValueError):
        return ModelError(
            "The model server sent a response that could not be read.",
            "Check that the server is OpenAI-compatible; try again.",
        )
    if isinstance(exc, httpx.HTTPError | openai.APIError):
        return ModelError(
            "The connection to the model server broke off before the answer was complete.",
            "The partial answer was saved; ask again to get a full one.",
        )
    return ModelError(f"The model call failed ({exc.__class__.__name__}).", "Try again.")


def retry_delay(exc: BaseException, attempt: int) -> float:
    """Seconds before the next attempt: the server's Retry-After when it sends one (capped
    at 20 s), else exponential backoff from 0.5 s with a little jitter."""
    response = getattr(exc, "response", None)
    header = response.headers.get("retry-after") if response is not None else None
    if header:
        try:
            return float(min(20.0, max(0.0, float(header))))
        except ValueError:
            pass
    return float(min(8.0, 0.5 * 2**attempt)) * (0.9 + 0.2 * random.random())


@dataclass
class LangChainChat:
    """A ChatModel over langchain-openai's ChatOpenAI."""

    settings: Settings
    name: str
    client: Any = field(repr=False)

    def complete(self, messages: Messages) -> str:
        for attempt in range(self.settings.llm_max_retries + 1):
            try:
                msg = self.client.invoke(messages)
                break
            except Exception as exc:
                self._retry_or_raise(exc, attempt)
        content = msg.content
        return content if isinstance(content, str) else str(content)

    def _retry_or_raise(self, exc: BaseException, attempt: int) -> None:
        """Sleep before the next attempt, or raise a ModelError. Rate limits (429), server
        errors (5xx) and timeouts are retried with backoff, honouring Retry-After; a
        refused or failed connection is reported at once — retrying it only made a person
        wait ~13 s for the same answer."""
        import openai

        retryable = isinstance(
            exc, openai.RateLimitError | openai.InternalServerError | openai.APITimeoutError
        ) or (isinstance(exc, openai.APIStatusError) and exc.status_code in (408, 409))
        if not retryable or attempt >= self.settings.llm_max_retries:
            raise translate_error(exc, self.settings) from exc
        time.sleep(retry_delay(exc, attempt))

    def stream(self, messages: Messages, usage: Usage | None = None) -> Iterator[str]:
        for attempt in range(self.settings.llm_max_retries + 1):
            pieces = self._stream_once(messages, usage)
            try:
                first = next(pieces, None)
            except Exception as exc:  # nothing arrived yet: safe to try again
                self._retry_or_raise(exc, attempt)
                continue
            if first is not None:
                yield first
                yield from pieces
            return

    def _stream_once(self, messages: Messages, usage: Usage | None) -> Iterator[str]:
        import openai

        started = False
        try:
            for chunk in self.client.stream(messages):
                started = True
                meta = getattr(chunk, "usage_metadata", None)
                if usage is not None and meta:
                    usage.prompt_tokens = int(meta.get("input_tokens", 0))
                    usage.completion_tokens = int(meta.get("output_tokens", 0))
                text = chunk.content if isinstance(chunk.content, str) else ""
                if text:
                    yield text
        except GeneratorExit:
            raise
        except Exception as exc:
            if not started:
                raise  # classified (retry or report) by stream()
            if isinstance(exc, openai.APIConnectionError) and not isinstance(
                exc, openai.APITimeoutError
            ):
                raise ModelError(
                    "The connection to the model server broke off before the answer was "
                    "complete.",
                    "The partial answer was saved; ask again to get a full one.",
                ) from exc
            raise translate_error(exc, self.settings) from exc


def make_chat_model(settings: Settings) -> ChatModel | None:
    """The configured chat model, or None for library mode."""
    mode = settings.model_mode
    if mode == "library":
        return None
    from langchain_openai import ChatOpenAI

    if mode == "compatible":
        key = settings.llm_api_key or settings.openai_api_key
        api_key = key.get_secret_value() if key else "not-needed"
    else:
        assert settings.openai_api_key is not None
        api_key = settings.openai_api_key.get_secret_value()
    name = settings.model_name or "default"
    # OpenAI takes the answer limit as `max_completion_tokens` (langchain's mapping of
    # max_tokens); OpenAI-compatible servers (Ollama, vLLM, llama.cpp) read `max_tokens`.
    limit: dict[str, Any] = (
        {"max_tokens": settings.llm_max_tokens}  # sent as max_completion_tokens
        if mode == "openai"
        else {"extra_body": {"max_tokens": settings.llm_max_tokens}}
    )
    client = ChatOpenAI(
        model=name,
        api_key=api_key,  # type: ignore[arg-type]
        base_url=settings.llm_base_url,
        timeout=settings.llm_timeout,
        max_retries=0,  # retried here (LangChainChat._retry_or_raise), by kind of error
        temperature=settings.llm_temperature,
        stream_usage=True,
        **limit,
    )
    return LangChainChat(settings=settings, name=name, client=client)


def check_connection(settings: Settings) -> tuple[bool, str]:
    """(ok, a sentence): does the configured model answer a one-word prompt?"""
    model = make_chat_model(settings)
    if model is None:
        return True, "Library mode: no model to check."
    try:
        reply = model.complete([{"role": "user", "content": "Reply with the word: ready"}])
    except ModelError as exc:
        return False, str(exc)
    return True, f"{model.name} answered ({len(reply)} characters)."
