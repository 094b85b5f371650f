"""One `Settings` object, built at the entry point and passed down.

Precedence, the same in the app and the CLI: explicit arguments, then environment
variables (prefix ``MENTOR_``, or a ``.env`` file in the working directory), then the
choices saved from the app's Settings page (``<data dir>/settings.json``), then the
defaults below. ``Settings.sources`` says where each value came from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import AliasChoices, Field, PrivateAttr, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import ConfigError
from assistant.resources import CHECKOUT_ROOT, bundled

REPO_ROOT = CHECKOUT_ROOT  # the source checkout (tests and benchmarks use it)


def _default_data_dir() -> Path:
    return platformdirs.user_data_path("mentor-assistant", appauthor=False)


def _default_knowledge_dir() -> Path:
    return bundled("knowledge")


ModelMode = Literal["library", "openai", "compatible"]
Source = Literal["argument", "environment", "saved", "default"]


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
    top_k: int = Field(default=5, ge=1, le=50)
    relevance_floor: float | None = None  # None: the calibrated default in retrieval.py

    # The chat model: OpenAI, any OpenAI-compatible server, or none (library mode)
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("MENTOR_OPENAI_API_KEY", "OPENAI_API_KEY", "openai_api_key"),
    )
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(default=30.0, gt=0, le=600)
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    llm_max_tokens: int = Field(default=700, ge=16, le=32_000)
    llm_temperature: float = Field(default=0.2, ge=0, le=2)
    llm_context_tokens: int = Field(default=8192, ge=1024)

    # Input limits: real posts run to 1,000–3,000 characters.
    max_question_chars: int = Field(default=8000, ge=200, le=100_000)

    # The web app: only this machine can reach it unless told otherwise.
    app_address: str = "127.0.0.1"

    _sources: dict[str, Source] = PrivateAttr(default_factory=dict)

    @field_validator("llm_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://, e.g. http://localhost:11434/v1")
        return value

    def source(self, name: str) -> Source:
        """Where a setting's value came from: argument, environment, saved or default."""
        return self._sources.get(name, "default")

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
        return f"{self.model_name} @ {redact_url(self.llm_base_url or '')}"


UI_FIELDS = ("llm_base_url", "llm_model", "llm_api_key", "openai_api_key")


def overrides_path(base: Settings) -> Path:
    return base.data_dir / "settings.json"


ENV_NAMES = {"openai_api_key": "OPENAI_API_KEY"}


def env_name(field: str) -> str:
    return ENV_NAMES.get(field, f"MENTOR_{field.upper()}")


def _build(values: dict[str, Any]) -> Settings:
    """Settings(...), with a bad value named the way the user set it."""
    try:
        return Settings(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "a setting"
        got = first.get("input")
        shown = "" if "key" in field or got is None else f" (got {str(got)[:60]!r})"
        raise ConfigError(
            f"The setting {env_name(field)} is not valid{shown}: {first['msg']}.",
            "Fix it in your environment, .env file or the app's Settings page.",
        ) from None


def load_settings(**explicit: object) -> Settings:
    """Explicit arguments, then the environment (and .env), then the choices saved from
    the app's Settings page, then defaults — in the app and the CLI alike."""
    import json

    base = _build(dict(explicit))
    from_env = set(base.model_fields_set) - set(explicit)
    saved: dict[str, Any] = {}
    path = overrides_path(base)
    if path.is_file():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            saved = {k: v for k, v in raw.items() if k in UI_FIELDS and v is not None}
        except (OSError, ValueError, AttributeError):
            saved = {}
    # A model chosen in the environment replaces the saved model choice as a whole, so a
    # saved base URL never combines with an OpenAI key from the environment.
    if from_env & set(UI_FIELDS) or set(explicit) & set(UI_FIELDS):
        saved = {}
    settings = _build({**saved, **explicit}) if saved else base
    sources: dict[str, Source] = {}
    for name in Settings.model_fields:
        if name in explicit:
            sources[name] = "argument"
        elif name in from_env:
            sources[name] = "environment"
        elif name in saved:
            sources[name] = "saved"
    settings._sources = sources
    return settings


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


SHOWN = (
    "data_dir",
    "knowledge_dir",
    "database_url",
    "embedding_backend",
    "chroma_host",
    "top_k",
    "relevance_floor",
    "llm_base_url",
    "llm_model",
    "llm_api_key",
    "openai_api_key",
    "llm_timeout",
    "llm_max_retries",
    "max_question_chars",
    "app_address",
)


def redact_url(url: str) -> str:
    """A URL with any user:password@ part hidden, for showing and logging."""
    import re

    return re.sub(r"(?<=://)[^/@\s]+@", "***@", url)


def settings_report(settings: Settings) -> list[tuple[str, str, Source]]:
    """(environment name, value as shown, where it came from) for the settings a person
    may want to check; secrets are shown only as set or not set."""
    rows: list[tuple[str, str, Source]] = []
    for name in SHOWN:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            shown = "set" if value.get_secret_value() else "not set"
        elif value is None:
            shown = "not set"
        else:
            shown = redact_url(str(value)) if name.endswith("_url") else str(value)
        rows.append((env_name(name), shown, settings.source(name)))
    return rows
