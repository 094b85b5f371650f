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
import hashlib
import json
import math
import socket
import struct
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

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


# --------------------------------------------------------------------------- faults


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


# --------------------------------------------------------------------------- helpers


class _Aborted(Exception):
    """The server is stopping, or the socket was dropped on purpose: write nothing more."""


def _count_tokens(text: str) -> int:
    """A rough, deterministic token count (about four characters per token)."""
    return math.ceil(len(text) / 4) if text else 0


def _message_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, dict)]
        return "".join(str(p) for p in parts)
    return ""


def _prompt_tokens(messages: Any) -> int:
    if not isinstance(messages, list):
        return 0
    return sum(
        _count_tokens(_message_text(m.get("content"))) + 4 for m in messages if isinstance(m, dict)
    )


def _embed(text: str, dim: int) -> list[float]:
    """A deterministic unit vector of ``dim`` floats derived from SHA-256 of ``text``."""
    raw = b""
    counter = 0
    while len(raw) < 4 * dim:
        raw += hashlib.sha256(f"{counter}:{text}".encode()).digest()
        counter += 1
    ints = struct.unpack(f"<{dim}I", raw[: 4 * dim])
    vec = [i / 2**31 - 1.0 for i in ints]
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    # Round-trip through float32 so "float" and "base64" encodings agree exactly.
    return list(struct.unpack(f"<{dim}f", struct.pack(f"<{dim}f", *(v / norm for v in vec))))


def _error_body(code: int, message: str | None = None) -> dict[str, Any]:
    kinds: dict[int, tuple[str, str | None]] = {
        400: ("invalid_request_error", None),
        401: ("invalid_request_error", "invalid_api_key"),
        403: ("invalid_request_error", "unsupported_country_region_territory"),
        404: ("invalid_request_error", "model_not_found"),
        429: ("requests", "rate_limit_exceeded"),
        500: ("server_error", None),
        502: ("server_error", None),
        503: ("server_error", "service_unavailable"),
    }
    kind, err_code = kinds.get(
        code, ("server_error" if code >= 500 else "invalid_request_error", None)
    )
    if message is None:
        try:
            message = f"Fake OpenAI: {code} {HTTPStatus(code).phrase}"
        except ValueError:
            message = f"Fake OpenAI: HTTP {code}"
    return {"error": {"message": message, "type": kind, "param": None, "code": err_code}}


# --------------------------------------------------------------------------- server


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeOpenAI

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up (timeouts, dropped streams, shutdown) are expected here.
        return


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    # ------------------------------------------------------------ plumbing

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.server.fake._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        fake = self.server.fake
        try:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length > 0 else b""
            try:
                payload: Any = json.loads(raw) if raw else None
            except ValueError:
                payload = None
            path = self.path.split("?", 1)[0].rstrip("/")
            fake._record(
                {
                    "path": path,
                    "method": method,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "json": payload,
                }
            )
            body = payload if isinstance(payload, dict) else {}
            if method == "POST" and path == "/v1/chat/completions":
                self._chat(body)
            elif method == "POST" and path == "/v1/embeddings":
                self._embeddings(body)
            elif method == "GET" and path == "/v1/models":
                self._send_json(200, fake._models_body())
            else:
                self._send_json(404, _error_body(404, f"Unknown route: {method} {path}"))
        except (_Aborted, OSError):
            self.close_connection = True

    def _sleep(self, seconds: float) -> None:
        if self.server.fake._stopping.wait(seconds):
            raise _Aborted

    def _drop(self) -> None:
        """Close the socket abruptly (RST, no graceful end of body)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        raise _Aborted

    # ------------------------------------------------------------ plain responses

    def _send_json(
        self,
        code: int,
        obj: Any,
        *,
        headers: dict[str, str] | None = None,
        fault: Fault | None = None,
    ) -> None:
        data = json.dumps(obj).encode() if not isinstance(obj, bytes) else obj
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if isinstance(fault, StallMidStream | DropMidStream):
            cut = max(0, min(fault.after_chars, len(data)))
            self.wfile.write(data[:cut])
            self.wfile.flush()
            if isinstance(fault, DropMidStream):
                self._drop()
            else:
                self._sleep(fault.seconds)
            data = data[cut:]
        self.wfile.write(data)
        self.wfile.flush()

    def _send_status(self, fault: Status) -> None:
        if isinstance(fault.body, dict):
            obj: Any = fault.body
        else:
            obj = _error_body(fault.code, fault.body)
        headers = dict(fault.headers or {})
        if fault.retry_after is not None:
            ra = fault.retry_after
            headers["Retry-After"] = str(int(ra)) if float(ra).is_integer() else str(ra)
        self._send_json(fault.code, obj, headers=headers)

    def _send_malformed(self, fault: Malformed) -> None:
        self._send_json(200, fault.body.encode())

    def _pre_fault(self, fault: Fault | None) -> bool:
        """Handle faults that replace the whole answer; True when the answer was sent."""
        if isinstance(fault, Status):
            self._send_status(fault)
            return True
        if isinstance(fault, Stall):
            self._sleep(fault.seconds)
        return False

    # ------------------------------------------------------------ endpoints

    def _embeddings(self, req: dict[str, Any]) -> None:
        fake = self.server.fake
        fault = fake._persistent_fault()
        if self._pre_fault(fault):
            return
        if isinstance(fault, Malformed):
            self._send_malformed(fault)
            return
        self._send_json(200, fake._embeddings_body(req), fault=fault)

    def _chat(self, req: dict[str, Any]) -> None:
        fake = self.server.fake
        reply = fake._next_reply(req)
        fault = reply if isinstance(reply, Fault) else None
        if self._pre_fault(fault):
            return
        if isinstance(reply, str):
            text = reply
        else:
            own = getattr(reply, "text", None)
            text = own if isinstance(own, str) else fake._respond(req)
        if req.get("stream"):
            self._chat_stream(req, text, fault)
        elif isinstance(fault, Malformed):
            self._send_malformed(fault)
        else:
            self._send_json(200, fake._completion_body(req, text), fault=fault)

    def _chat_stream(self, req: dict[str, Any], text: str, fault: Fault | None) -> None:
        fake = self.server.fake
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def emit(line: str) -> None:
            data = f"data: {line}\n\n".encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def mid_fault() -> None:
            if isinstance(fault, DropMidStream):
                self._drop()
            if isinstance(fault, StallMidStream):
                self._sleep(fault.seconds)

        cut_at = fault.after_chars if isinstance(fault, StallMidStream | DropMidStream) else None
        fired = cut_at is None
        sent = 0
        for index, (piece_len, chunk) in enumerate(fake._stream_chunks(req, text)):
            if piece_len is None and not fired:  # content exhausted before after_chars
                mid_fault()
                fired = True
            if piece_len and fake.chunk_delay > 0:
                self._sleep(fake.chunk_delay)
            emit(json.dumps(chunk))
            if index == 0 and isinstance(fault, Malformed):
                emit(fault.body)
            if piece_len is not None:
                sent += piece_len
                if not fired and cut_at is not None and sent >= cut_at:
                    mid_fault()
                    fired = True
        emit("[DONE]")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


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
