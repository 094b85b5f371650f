"""The HTTP side of the scripted server: one request handler for chat completions (JSON
or SSE), models and embeddings, applying the scripted replies and faults."""

from __future__ import annotations

import contextlib
import json
import socket
import struct
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from assistant.testing.faults import (
    DropMidStream,
    Fault,
    Malformed,
    Stall,
    StallMidStream,
    Status,
)
from assistant.testing.wire import (
    _Aborted,
    _error_body,
)

if TYPE_CHECKING:
    from assistant.testing.fake_openai import FakeOpenAI


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
