"""Prove assistant/testing/fake_openai.py against the real openai client and langchain."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from assistant.testing.fake_openai import (
    DropMidStream,
    FakeOpenAI,
    Malformed,
    Stall,
    StallMidStream,
    Status,
    closed_port_url,
)

MESSAGES: list[Any] = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Say something."},
]
LONG_TEXT = "The quick brown fox jumps over the lazy dog, twice: quick, brown."


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def make_client(base_url: str, *, max_retries: int = 0, timeout: float = 5.0) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=base_url, api_key="test", max_retries=max_retries, timeout=timeout
    )


def stream_text(client: openai.OpenAI, received: list[str], **kwargs: Any) -> str:
    """Stream a chat completion, appending each content piece to ``received``."""
    stream = client.chat.completions.create(
        model="fake-model", messages=MESSAGES, stream=True, **kwargs
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            received.append(chunk.choices[0].delta.content)
    return "".join(received)


# --------------------------------------------------------------------------- happy paths


def test_non_streaming_reply(server: FakeOpenAI) -> None:
    server.script("Hello from the fake.")
    client = make_client(server.base_url)
    reply = client.chat.completions.create(model="fake-model", messages=MESSAGES)
    assert reply.object == "chat.completion"
    assert reply.model == "fake-model"
    assert reply.choices[0].message.role == "assistant"
    assert reply.choices[0].message.content == "Hello from the fake."
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage is not None
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    assert reply.usage.completion_tokens > 0
    assert server.pending == 0


def test_default_and_custom_responder(server: FakeOpenAI) -> None:
    client = make_client(server.base_url)
    reply = client.chat.completions.create(model="fake-model", messages=MESSAGES)
    assert reply.choices[0].message.content == "OK"

    server.responder = lambda req: "echo: " + req["messages"][-1]["content"]
    reply = client.chat.completions.create(model="fake-model", messages=MESSAGES)
    assert reply.choices[0].message.content == "echo: Say something."


def test_streaming_reply_reassembles_scripted_text(server: FakeOpenAI) -> None:
    server.script(LONG_TEXT)
    client = make_client(server.base_url)
    stream = client.chat.completions.create(model="fake-model", messages=MESSAGES, stream=True)
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    pieces = [c.choices[0].delta.content for c in chunks if c.choices[0].delta.content]
    assert "".join(pieces) == LONG_TEXT
    assert len(pieces) == math.ceil(len(LONG_TEXT) / 4)
    assert all(len(p) <= 4 for p in pieces)
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_stream_reports_usage_when_asked(server: FakeOpenAI) -> None:
    server.script("Counting tokens here.")
    client = make_client(server.base_url)
    chunks = list(
        client.chat.completions.create(
            model="fake-model",
            messages=MESSAGES,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    last = chunks[-1]
    assert last.choices == []
    assert last.usage is not None
    assert last.usage.completion_tokens > 0
    assert last.usage.total_tokens == last.usage.prompt_tokens + last.usage.completion_tokens
    assert all(c.usage is None for c in chunks[:-1])


def test_models_and_embeddings(server: FakeOpenAI) -> None:
    client = make_client(server.base_url)
    assert [m.id for m in client.models.list()] == ["fake-model"]

    # The client asks for base64 by default and decodes it; "float" must agree exactly.
    first = client.embeddings.create(model="fake-embed", input=["alpha", "beta"])
    floats = client.embeddings.create(model="fake-embed", input="alpha", encoding_format="float")
    again = client.embeddings.create(model="fake-embed", input="alpha")
    alpha, beta = (d.embedding for d in first.data)
    assert len(alpha) == 8
    assert alpha == floats.data[0].embedding == again.data[0].embedding
    assert alpha != beta
    assert math.isclose(math.fsum(v * v for v in alpha), 1.0, rel_tol=1e-5)
    sized = client.embeddings.create(model="fake-embed", input="alpha", dimensions=3)
    assert len(sized.data[0].embedding) == 3


# --------------------------------------------------------------------------- faults


def test_429_with_retry_after_then_success(server: FakeOpenAI) -> None:
    server.script(Status(429, retry_after=0), "Second time lucky.")
    client = make_client(server.base_url, max_retries=2)
    reply = client.chat.completions.create(model="fake-model", messages=MESSAGES)
    assert reply.choices[0].message.content == "Second time lucky."
    assert len(server.requests) == 2


def test_429_error_body_and_header(server: FakeOpenAI) -> None:
    server.script(Status(429, body="slow down", retry_after=7))
    client = make_client(server.base_url)
    with pytest.raises(openai.RateLimitError) as info:
        client.chat.completions.create(model="fake-model", messages=MESSAGES)
    assert info.value.status_code == 429
    assert info.value.response.headers["retry-after"] == "7"
    assert info.value.code == "rate_limit_exceeded"
    assert "slow down" in info.value.message


def test_500_forever_raises_after_retries(server: FakeOpenAI) -> None:
    server.always(Status(500))
    client = make_client(server.base_url, max_retries=2)
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="fake-model", messages=MESSAGES)
    assert len(server.requests) == 3  # first try + 2 retries

    server.clear()
    reply = client.chat.completions.create(model="fake-model", messages=MESSAGES)
    assert reply.choices[0].message.content == "OK"


def test_stall_before_headers_hits_read_timeout(server: FakeOpenAI) -> None:
    server.script(Stall(5))
    client = make_client(server.base_url, timeout=1)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(model="fake-model", messages=MESSAGES)
    assert time.monotonic() - started < 3


def test_drop_mid_stream_raises_after_partial_content(server: FakeOpenAI) -> None:
    server.script(DropMidStream(after_chars=8, text=LONG_TEXT))
    client = make_client(server.base_url)
    received: list[str] = []
    # openai wraps the transport's "incomplete chunked read" in APIConnectionError.
    with pytest.raises(openai.APIConnectionError):
        stream_text(client, received)
    got = "".join(received)
    assert got, "some content should arrive before the drop"
    assert LONG_TEXT.startswith(got)
    assert len(got) < len(LONG_TEXT)


def test_stall_mid_stream_hits_read_timeout(server: FakeOpenAI) -> None:
    server.script(StallMidStream(after_chars=4, seconds=5, text=LONG_TEXT))
    client = make_client(server.base_url, timeout=1)
    received: list[str] = []
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        stream_text(client, received)
    assert time.monotonic() - started < 3
    assert "".join(received) == LONG_TEXT[:4]


def test_malformed_json_raises(server: FakeOpenAI) -> None:
    server.script(Malformed(), Malformed())
    client = make_client(server.base_url)
    with pytest.raises(json.JSONDecodeError):  # the client does not wrap it
        client.chat.completions.create(model="fake-model", messages=MESSAGES)
    received: list[str] = []
    with pytest.raises(json.JSONDecodeError):
        stream_text(client, received)
    assert received == []  # the role chunk carries no content


def test_closed_port_raises_connection_error() -> None:
    client = make_client(closed_port_url(), timeout=2)
    with pytest.raises(openai.APIConnectionError):
        client.chat.completions.create(model="fake-model", messages=MESSAGES)


def test_requests_are_recorded(server: FakeOpenAI) -> None:
    client = make_client(server.base_url)
    client.chat.completions.create(model="fake-model", messages=MESSAGES, temperature=0)
    client.models.list()
    requests = server.requests
    assert [(r["method"], r["path"]) for r in requests] == [
        ("POST", "/v1/chat/completions"),
        ("GET", "/v1/models"),
    ]
    assert requests[0]["headers"]["authorization"] == "Bearer test"
    assert requests[0]["json"]["temperature"] == 0
    assert requests[1]["json"] is None
    assert server.last_messages() == MESSAGES
    server.clear_requests()
    assert server.requests == []
    with pytest.raises(LookupError):
        server.last_messages()


def test_stop_does_not_hang_on_a_sleeping_handler() -> None:
    fake = FakeOpenAI().start()
    fake.always(Stall(30))
    client = make_client(fake.base_url, timeout=30)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            client.chat.completions.create(model="fake-model", messages=MESSAGES)
        except BaseException as exc:
            errors.append(exc)

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    deadline = time.monotonic() + 2
    while not fake.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fake.requests, "the request should have reached the server"
    started = time.monotonic()
    fake.stop()
    assert time.monotonic() - started < 1
    caller.join(timeout=2)
    assert not caller.is_alive()
    assert errors and isinstance(errors[0], openai.APIConnectionError)


# --------------------------------------------------------------------------- langchain


def test_langchain_chat_openai_invoke_and_stream(server: FakeOpenAI) -> None:
    from langchain_openai import ChatOpenAI

    server.script("Invoked fine.", LONG_TEXT)
    llm = ChatOpenAI(
        base_url=server.base_url, api_key="test", model="fake-model", max_retries=0, timeout=5
    )
    assert llm.invoke("hello").content == "Invoked fine."
    assert "".join(str(chunk.content) for chunk in llm.stream("hello again")) == LONG_TEXT
    assert server.last_messages() == [{"role": "user", "content": "hello again"}]
