"""Settings as a person sets them: one precedence (environment, then what the app saved,
then defaults) in the app and the CLI alike, where each value came from, and bad values
named the way they were set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import load_settings, redact_url, save_ui_settings, settings_report
from assistant.errors import ConfigError


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for var in list(os.environ):
        if var.startswith("MENTOR_") or var == "OPENAI_API_KEY":
            monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the developer's folder
    monkeypatch.setenv("MENTOR_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_environment_wins_over_saved_settings_which_win_over_defaults(
    clean: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = load_settings()
    assert s.model_mode == "library" and s.source("llm_base_url") == "default"
    save_ui_settings(s, {"llm_base_url": "http://saved.invalid:1/v1", "llm_model": "saved-m"})
    s = load_settings()
    assert (s.llm_base_url, s.source("llm_base_url")) == ("http://saved.invalid:1/v1", "saved")
    monkeypatch.setenv("MENTOR_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    s = load_settings()
    # The environment's model replaces the saved choice as a whole (no saved model name).
    assert (s.llm_base_url, s.source("llm_base_url")) == ("http://127.0.0.1:9/v1", "environment")
    assert s.llm_model is None
    monkeypatch.setenv("MENTOR_TOP_K", "7")
    report = {name: (value, src) for name, value, src in settings_report(load_settings())}
    assert report["MENTOR_TOP_K"] == ("7", "environment")
    assert report["MENTOR_LLM_BASE_URL"] == ("http://127.0.0.1:9/v1", "environment")
    assert report["MENTOR_LLM_TIMEOUT"][1] == "default"


@pytest.mark.parametrize(
    ("var", "value", "named"),
    [
        ("MENTOR_TOP_K", "abc", "MENTOR_TOP_K"),
        ("MENTOR_LLM_TIMEOUT", "-5", "MENTOR_LLM_TIMEOUT"),
        ("MENTOR_LLM_BASE_URL", "localhost:11434/v1", "http://"),
        ("MENTOR_MAX_QUESTION_CHARS", "0", "MENTOR_MAX_QUESTION_CHARS"),
    ],
)
def test_a_bad_setting_is_named_with_the_form_expected(
    clean: Path, monkeypatch: pytest.MonkeyPatch, var: str, value: str, named: str
) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert named in str(info.value) and var in str(info.value)
    env = {**os.environ}
    res = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "doctor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2 and var in res.stderr and "Traceback" not in res.stderr


def test_credentials_in_a_url_are_never_shown() -> None:
    assert redact_url("https://user:s3cret@models.example/v1") == "https://***@models.example/v1"
    assert redact_url("http://localhost:11434/v1") == "http://localhost:11434/v1"


def test_doctor_says_where_each_value_comes_from(
    clean: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MENTOR_TOP_K", "6")
    monkeypatch.setenv("MENTOR_LLM_BASE_URL", "http://u:pw@127.0.0.1:9/v1")
    res = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "doctor"],
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "MENTOR_TOP_K = 6  · environment" in res.stdout
    assert "MENTOR_LLM_TIMEOUT = 30.0  · default" in res.stdout
    assert "pw@" not in res.stdout and "***@127.0.0.1" in res.stdout
