"""`mentor draft`, `mentor contacts …` and `mentor eval outreach` as a user runs them: a
real process, a real SQLite file, plain messages and exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from assistant.config import REPO_ROOT
from tests.support import EMAIL, mentor

REQUESTS = REPO_ROOT / "evals" / "outreach" / "requests"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MENTOR_", "OPENAI_"))}
    return {**base, "MENTOR_DATA_DIR": str(tmp_path / "data")}


def write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "request.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_draft_json(env: dict[str, str], tmp_path: Path) -> None:
    data = json.loads(mentor("draft", "--from", write(tmp_path, EMAIL), "--json", env=env).stdout)
    assert data["mode"] == "library" and 2 <= len(data["drafts"]) <= 3
    for d in data["drafts"]:
        assert {"subject", "body", "passed", "rubric"} <= set(d) and d["passed"] is True
        assert {"rule", "passed", "fix", "source"} == set(d["rubric"][0])
    assert data["conversation_id"]


def test_draft_text_shows_the_rubric(env: dict[str, str]) -> None:
    res = mentor("draft", "--from", str(REQUESTS / "001-nicu-nurse-manager-email.yaml"), env=env)
    assert "Draft 1" in res.stdout and "Adaeze" in res.stdout and "✓ names_mentor" in res.stdout


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("042-mentor-without-name.yaml", "mentor.name"),
        ("047-unknown-channel.yaml", "channel"),
        ("051-not-a-mapping.yaml", "request"),
        ("049-follow-up-without-previous.yaml", "previous"),
    ],
)
def test_incomplete_requests_exit_2_naming_the_field(
    env: dict[str, str], name: str, field: str
) -> None:
    res = mentor("draft", "--from", str(REQUESTS / name), "--json", env=env, check=False)
    assert res.returncode == 2 and field in res.stderr and res.stdout == ""


def test_bad_files_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    res = mentor("draft", "--from", str(tmp_path / "nope.yaml"), env=env, check=False)
    assert res.returncode == 2 and "No request file" in res.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("mentee: {goal: [unclosed\n", encoding="utf-8")
    res = mentor("draft", "--from", str(bad), env=env, check=False)
    assert res.returncode == 2 and "not valid YAML" in res.stderr


@pytest.mark.slow
def test_contacts_flow(env: dict[str, str], tmp_path: Path) -> None:
    saved = json.loads(
        mentor("draft", "--from", write(tmp_path, EMAIL), "--save", "2", "--json", env=env).stdout
    )
    cid = saved["contact_id"]
    listed = json.loads(mentor("contacts", "list", "--json", env=env).stdout)
    assert [c["id"] for c in listed] == [cid] and listed[0]["status"] == "drafted"
    res = mentor("contacts", "set-status", cid[:8], "sent", "--on", "2026-12-04", env=env)
    assert "2026-12-15" in res.stdout
    shown = json.loads(mentor("contacts", "show", cid[:8], "--json", env=env).stdout)
    assert shown["sent_on"] == "2026-12-04" and shown["follow_up_on"] == "2026-12-15"
    assert shown["history"][0]["body"] == saved["drafts"][1]["body"]
    assert "Amira Haddad" in mentor("contacts", "list", env=env).stdout
    bad = mentor("contacts", "set-status", cid[:8], "ghosted", env=env, check=False)
    assert bad.returncode == 2 and "Unknown status" in bad.stderr
    bad = mentor("contacts", "set-status", cid[:8], "sent", "--on", "soon", env=env, check=False)
    assert bad.returncode == 2 and "not a date" in bad.stderr
    mentor("contacts", "delete", cid, "--yes", env=env)
    missing = mentor("contacts", "show", cid, env=env, check=False)
    assert missing.returncode == 2 and "No single contact" in missing.stderr


@pytest.mark.slow
def test_eval_outreach_library_and_scripted(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "requests"
    folder.mkdir()
    for name in (
        "001-nicu-nurse-manager-email.yaml",
        "003-law-professor-follow-up.yaml",
        "042-mentor-without-name.yaml",
        "051-not-a-mapping.yaml",
    ):
        (folder / name).write_bytes((REQUESTS / name).read_bytes())
    where = ["--requests", str(folder), "--reports", str(tmp_path / "reports")]
    res = mentor("eval", "outreach", *where, env=env)
    assert "| names_mentor |" in res.stdout
    assert "complete requests whose every draft passes | 2/2 = 1.000" in res.stdout
    assert "incomplete requests refused naming the field | 2/2 = 1.000" in res.stdout
    assert (tmp_path / "reports" / "outreach.md").exists()
    res = mentor("eval", "outreach", *where, "--scripted", env=env)
    assert "model scripted-bad-then-good" in res.stdout
    assert "drafts passing, first attempt | 0/" in res.stdout
    assert "drafts revised | " in res.stdout and "after revision | " in res.stdout
