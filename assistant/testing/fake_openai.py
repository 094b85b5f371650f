"""A scripted, fault-injecting OpenAI-compatible HTTP server for tests.

Standard library only. It speaks enough of the OpenAI wire format for the official
``openai`` client and ``langchain_openai.ChatOpenAI`` to parse its replies.

Endpoints (under ``base_url`` = ``http://127.0.0.1:<port>/v1``):

* ``POST /v1/chat/completions``: JSON, or SSE when ``"stream": true``
  (role chunk, content pieces of ``chunk_size`` characters, a final chunk with
  ``finish_reason="stop"``, a usage chunk when ``stream_options.include_usage`` is true,
  then ``data: [DONE]``).
* ``GET /v1/models``: lists the configured model.
* ``POST /v1/embeddings``: deterministic unit vectors from a hash of each input (strings,
  or token-id lists as langchain sends them), ``"float"`` or ``"base64"`` encoded.

Scripting: ``server.script("hello", Status(429, retry_after=0), "world")`` queues replies
that chat completion requests consume in order, one per request (a client retry is a new
request, so it consumes the next entry). A reply is the assistant text or a :class:`Fault`.
When the queue is empty, ``server.responder(request_json)`` supplies the text
(default: ``"OK"``). ``server.always(fault)`` makes a fault persistent: it then applies to
every chat completion *and* embeddings request, before the queue, until ``server.clear()``.
``GET /v1/models`` is never faulted.

A refused connection needs no fault: point a client at :func:`closed_port_url`.

Example::

    with FakeOpenAI() as server:
        server.script(Status(429, retry_after=0), "Hello!")
        client = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=2)
        reply = client.chat.completions.create(model="fake-model", messages=[...])
        assert reply.choices[0].message.content == "Hello!"
        assert len(server.requests) == 2
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import struct
import threading
import time
import uuid
from collections import deque
from types import TracebackType
from typing import Any, Self

from assistant.testing.faults import (
    DropMidStream,
    Fault,
    Malformed,
    Reply,
    Responder,
    Stall,
    StallMidStream,
    Status,
)
from assistant.testing.handler import _Handler, _Server
from assistant.testing.wire import (
    _count_tokens,
    _embed,
    _prompt_tokens,
)

__all__ = [
    "DropMidStream",
    "FakeOpenAI",
    "Fault",
    "Malformed",
    "RecordedRequest",
    "Reply",
    "Responder",
    "Stall",
    "StallMidStream",
    "Status",
    "closed_port_url",
]

RecordedRequest = dict[str, Any]
"""``{"path": str, "method": str, "headers": dict[str, str], "json": Any}``.

``path`` excludes the query string; header names are lower-cased; ``json`` is the parsed
body, or ``None`` when the body is empty or not JSON.
"""


def _default_responder(_request: dict[str, Any]) -> str:
    return "OK"


def closed_port_url() -> str:
    """Return a ``base_url`` on 127.0.0.1 where nothing listens (connection refused).

    The port is bound and released at once, so it is free; another process could grab it in
    between, which is vanishingly unlikely in a test run.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


class FakeOpenAI:
    """A scripted OpenAI-compatible server on 127.0.0.1 (see the module docstring).

    Attributes you may set at any time: ``responder`` (request JSON -> assistant text, used
    when the script queue is empty), ``chunk_size`` (characters per streamed piece),
    ``chunk_delay`` (seconds slept before each streamed piece), ``model``, ``embedding_dim``.
    """

    def __init__(
        self,
        model: str = "fake-model",
        *,
        embedding_dim: int = 8,
        chunk_size: int = 4,
        chunk_delay: float = 0.0,
        responder: Responder | None = None,
    ) -> None:
        self.model = model
        self.embedding_dim = embedding_dim
        self.chunk_size = chunk_size
        self.chunk_delay = chunk_delay
        self.responder: Responder = responder or _default_responder
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self._persistent: Fault | None = None
        self._requests: list[RecordedRequest] = []
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._counter = 0

    # ------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("FakeOpenAI already started")
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeOpenAI:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; wakes sleeping handlers and closes open connections. Idempotent."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        with self._lock:
            conns = list(self._connections)
            self._connections.clear()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if thread is not None:
            thread.join(timeout=1.0)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/v1`` — pass as ``base_url`` to the openai client."""
        return f"http://127.0.0.1:{self.port}/v1"

    # ------------------------------------------------------------ scripting

    def script(self, *replies: Reply) -> None:
        """Append replies (assistant text or a Fault) to the queue, one per chat request."""
        for reply in replies:
            if not isinstance(reply, str | Fault):
                raise TypeError(f"reply must be str or Fault, not {type(reply).__name__}")
        with self._lock:
            self._queue.extend(replies)

    def always(self, fault: Fault) -> None:
        """Apply ``fault`` to every chat/embeddings request (before the queue) until clear()."""
        with self._lock:
            self._persistent = fault

    def clear(self) -> None:
        """Drop the persistent fault and any replies still queued (recordings are kept)."""
        with self._lock:
            self._persistent = None
            self._queue.clear()

    @property
    def pending(self) -> int:
        """Number of scripted replies not yet consumed."""
        with self._lock:
            return len(self._queue)

    # ------------------------------------------------------------ recording

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def chat_requests(self) -> list[RecordedRequest]:
        """The recorded ``POST /v1/chat/completions`` requests."""
        return [r for r in self.requests if r["path"] == "/v1/chat/completions"]

    def last_messages(self) -> list[dict[str, Any]]:
        """The ``messages`` of the last chat completion request (LookupError if none)."""
        chats = self.chat_requests()
        if not chats:
            raise LookupError("no chat completion request received")
        body = chats[-1]["json"]
        messages = body.get("messages") if isinstance(body, dict) else None
        return list(messages) if isinstance(messages, list) else []

    def clear_requests(self) -> None:
        """Forget recorded requests."""
        with self._lock:
            self._requests.clear()

    # ------------------------------------------------------------ internals (handler side)

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _persistent_fault(self) -> Fault | None:
        with self._lock:
            return self._persistent

    def _next_reply(self, req: dict[str, Any]) -> Reply:
        with self._lock:
            if self._persistent is not None:
                return self._persistent
            if self._queue:
                return self._queue.popleft()
        return self._respond(req)

    def _respond(self, req: dict[str, Any]) -> str:
        return str(self.responder(req))

    def _new_id(self, prefix: str) -> str:
        with self._lock:
            self._counter += 1
            n = self._counter
        return f"{prefix}-fake{n:04d}{uuid.uuid4().hex[:8]}"

    def _model_of(self, req: dict[str, Any]) -> str:
        model = req.get("model")
        return model if isinstance(model, str) and model else self.model

    def _usage(self, req: dict[str, Any], text: str) -> dict[str, int]:
        prompt = _prompt_tokens(req.get("messages"))
        completion = _count_tokens(text)
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }

    def _completion_body(self, req: dict[str, Any], text: str) -> dict[str, Any]:
        return {
            "id": self._new_id("chatcmpl"),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self._model_of(req),
            "system_fingerprint": "fp_fake",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": None},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": self._usage(req, text),
        }

    def _stream_chunks(
        self, req: dict[str, Any], text: str
    ) -> list[tuple[int | None, dict[str, Any]]]:
        """``(content_chars, chunk)`` pairs: role chunk (0), pieces (n), trailers (None)."""
        chunk_id = self._new_id("chatcmpl")
        created = int(time.time())
        model = self._model_of(req)
        options = req.get("stream_options")
        include_usage = isinstance(options, dict) and bool(options.get("include_usage"))

        def chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
            body: dict[str, Any] = {
                "id": chunk_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": "fp_fake",
                "choices": [
                    {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
                ],
            }
            if include_usage:
                body["usage"] = None
            return body

        out: list[tuple[int | None, dict[str, Any]]] = [
            (0, chunk({"role": "assistant", "content": ""}, None))
        ]
        size = max(1, self.chunk_size)
        for start in range(0, len(text), size):
            piece = text[start : start + size]
            out.append((len(piece), chunk({"content": piece}, None)))
        out.append((None, chunk({}, "stop")))
        if include_usage:
            out.append(
                (
                    None,
                    {
                        "id": chunk_id,
                        "object": "chat.completion.chunk",
                        "created": created,
                        "model": model,
                        "system_fingerprint": "fp_fake",
                        "choices": [],
                        "usage": self._usage(req, text),
                    },
                )
            )
        return out

    def _models_body(self) -> dict[str, Any]:
        return {
            "object": "list",
            "data": [{"id": self.model, "object": "model", "created": 0, "owned_by": "fake"}],
        }

    def _embeddings_body(self, req: dict[str, Any]) -> dict[str, Any]:
        raw = req.get("input", "")
        inputs: list[Any]
        if isinstance(raw, str) or (
            isinstance(raw, list) and raw and all(isinstance(t, int) for t in raw)
        ):
            inputs = [raw]  # one string, or one token-id list
        elif isinstance(raw, list):
            inputs = raw
        else:
            inputs = [raw]
        dim = req.get("dimensions")
        dim = dim if isinstance(dim, int) and dim > 0 else self.embedding_dim
        as_base64 = req.get("encoding_format") == "base64"
        data: list[dict[str, Any]] = []
        tokens = 0
        for index, item in enumerate(inputs):
            text = item if isinstance(item, str) else json.dumps(item)
            tokens += len(item) if isinstance(item, list) else _count_tokens(text)
            vec = _embed(text, dim)
            embedding: Any = (
                base64.b64encode(struct.pack(f"<{dim}f", *vec)).decode() if as_base64 else vec
            )
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        return {
            "object": "list",
            "data": data,
            "model": self._model_of(req),
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
