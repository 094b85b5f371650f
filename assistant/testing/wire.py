"""Wire-format helpers for the scripted server: token counts, message text, deterministic
embeddings and OpenAI-style error bodies."""

from __future__ import annotations

import hashlib
import math
import struct
from http import HTTPStatus
from typing import Any


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
