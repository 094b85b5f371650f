"""One `Settings` object, built at the entry point and passed down.

Precedence: explicit arguments beat environment variables (prefix ``MENTOR_``, or a
``.env`` file in the working directory) beat the defaults below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.resources import CHECKOUT_ROOT, bundled

REPO_ROOT = CHECKOUT_ROOT  # the source checkout (tests and benchmarks use it)


def _default_data_dir() -> Path:
    return platformdirs.user_data_path("mentor-assistant", appauthor=False)


def _default_knowledge_dir() -> Path:
    return bundled("knowledge")


ModelMode = Literal["library", "openai", "compatible"]


class Settings(BaseSettings):
    """Every setting the product reads. Field names map to ``MENTOR_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="MENTOR_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # Where things live
    data_dir: Path = Field(default_factory=_default_data_dir)
    knowledge_dir: Path = Field(default_factory=_default_knowledge_dir)
    database_url: str | None = None  # default: SQLite file in data_dir

    # Embeddings and the vector store
    embedding_backend: Literal["local", "openai"] = "local"
    openai_embedding_model: str = "text-embedding-3-small"
    chroma_host: str | None = None
    chroma_port: int = 8000

    # Knowledge limits
    max_document_bytes: int = 256_000
    chunk_tokens: int = 200
    chunk_overlap_tokens: int = 30

    # Retrieval
    top_k: int = 5
    relevance_floor: float | None = None  # None: the calibrated default in retrieval.py

    # The chat model: OpenAI, any OpenAI-compatible server, or none (library mode)
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("MENTOR_OPENAI_API_KEY", "OPENAI_API_KEY", "openai_api_key"),
    )
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = 30.0
    llm_max_retries: int = 2
    llm_max_tokens: int = 700
    llm_temperature: float = 0.2
    llm_context_tokens: int = 8192

    # Input limits
    max_question_chars: int = 2000

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "mentor.db"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def model_mode(self) -> ModelMode:
        if self.llm_base_url:
            return "compatible"
        if self.openai_api_key is not None and self.openai_api_key.get_secret_value():
            return "openai"
        return "library"

    @property
    def model_name(self) -> str | None:
        mode = self.model_mode
        if mode == "library":
            return None
        if self.llm_model:
            return self.llm_model
        return "gpt-4o-mini" if mode == "openai" else "default"

    def mode_label(self) -> str:
        mode = self.model_mode
        if mode == "library":
            return "Library mode (no model configured)"
        if mode == "openai":
            return f"OpenAI · {self.model_name}"
        return f"{self.model_name} @ {self.llm_base_url}"


UI_FIELDS = ("llm_base_url", "llm_model", "llm_api_key", "openai_api_key")


def overrides_path(base: Settings) -> Path:
    return base.data_dir / "settings.json"


def load_settings(**explicit: object) -> Settings:
    """Settings from env and .env, then the choices saved from the app's Settings page,
    then explicit arguments (which win)."""
    import json

    base = Settings(**explicit)  # type: ignore[arg-type]
    path = overrides_path(base)
    if not path.is_file():
        return base
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return base
    merged = {k: v for k, v in saved.items() if k in UI_FIELDS}
    merged.update(explicit)
    return Settings(**merged)


def save_ui_settings(base: Settings, values: dict[str, str | None]) -> Path:
    """Save the model choices made in the app (readable by the owner only)."""
    import json
    import os

    path = overrides_path(base)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean = {k: (v or None) for k, v in values.items() if k in UI_FIELDS}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(clean, indent=2), encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path
