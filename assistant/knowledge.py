"""Load and validate guidance documents and practice scenarios; split articles into chunks.

Pure functions over plain dataclasses: nothing here touches the index or a network.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Literal, get_args

import frontmatter
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.cards import NOT_IMPERATIVE, check_card_text
from assistant.errors import KnowledgeError

Stage = Literal[
    "goals",
    "finding-mentors",
    "outreach",
    "relationship",
    "feedback",
    "growth",
    "job-search",
    "workplace",
    "paying-it-forward",
    "industry",
]
STAGES: tuple[str, ...] = get_args(Stage)
STAGE_LABELS: dict[str, str] = {
    "goals": "Setting goals",
    "finding-mentors": "Finding mentors",
    "outreach": "Reaching out",
    "relationship": "The mentoring relationship",
    "feedback": "Feedback",
    "growth": "Confidence and growth",
    "job-search": "Job search and offers",
    "workplace": "Working life",
    "paying-it-forward": "Paying it forward",
    "industry": "Industries",
}
INDUSTRIES: tuple[str, ...] = (
    "software",
    "data-ai",
    "cybersecurity",
    "healthcare",
    "finance",
    "consulting",
    "law",
    "education",
    "academia",
    "design",
    "marketing",
    "public-sector",
    "nonprofit",
    "engineering",
    "creative-arts",
    "skilled-trades",
    "it-infrastructure",
    "games",
    "robotics-aerospace",
    "hospitality",
)
Audience = Literal["students", "early-career", "career-changers", "mid-career"]
# Whose side an article is on: most are written for the mentee; a few are for someone
# mentoring or sponsoring others, and are shown to a mentee only when they ask about that.
Reader = Literal["mentee", "mentor"]
READERS: tuple[str, ...] = get_args(Reader)
SCENARIO_CATEGORIES: tuple[str, ...] = (
    "code-review",
    "performance-review",
    "design-critique",
    "manager-one-to-one",
    "academic-advisor",
    "client",
    "peer",
    "public",
    "harsh",
    "vague",
    "unfair",
    "written",
    "cross-cultural",
    "presentation",
    "interview",
    "mentor",
    "teaching",
    "clinical",
    "creative",
    "customer",
    "upward",
)
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
LINK_RE = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


class ArticleMeta(BaseModel):
    """The front matter every article must carry (see knowledge/README.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=SLUG, min_length=3, max_length=80)
    title: str = Field(min_length=3, max_length=120)
    stage: Stage
    topics: list[str] = Field(min_length=1, max_length=12)
    industries: list[str] = Field(default_factory=list)
    audience: list[Audience] = Field(min_length=1)
    reader: Reader = "mentee"
    summary: str = Field(min_length=20, max_length=600)
    # Questions in a mentee's own words that the article answers: shown in the Library and
    # indexed, each on its own, so a question phrased like a mentee's finds the article.
    questions: list[Annotated[str, Field(min_length=8, max_length=200)]] = Field(
        default_factory=list, max_length=24
    )
    sources: list[str] = Field(min_length=1)
    reviewed: dt.date
    related: list[str] = Field(default_factory=list)
    # The answer card: reviewed parts library mode shows whole, in this order (see
    # knowledge/README.md). Every article has one; the script is optional.
    in_short: str
    steps: list[str]
    script: str | None = None
    watch_out: str

    @field_validator("in_short")
    @classmethod
    def _in_short(cls, value: str) -> str:
        check_card_text(value, "in_short", sentences=(2, 3), words=(20, 90))
        return value

    @field_validator("steps")
    @classmethod
    def _steps(cls, value: list[str]) -> list[str]:
        if not 3 <= len(value) <= 6:
            raise ValueError(f"steps: give 3–6 steps, not {len(value)}")
        for i, step in enumerate(value, 1):
            check_card_text(step, f"step {i}", sentences=(1, 2), words=(4, 45))
            first = step.split()[0].strip("*_").rstrip(",")
            if first in NOT_IMPERATIVE:
                raise ValueError(f"step {i} starts with {first!r}; write it as an instruction")
        return value

    @field_validator("script")
    @classmethod
    def _script(cls, value: str | None) -> str | None:
        if value is not None:
            check_card_text(value, "script", sentences=(1, 40), words=(15, 120), message=True)
        return value

    @field_validator("watch_out")
    @classmethod
    def _watch_out(cls, value: str) -> str:
        check_card_text(value, "watch_out", sentences=(1, 2), words=(6, 60))
        return value

    @field_validator("industries")
    @classmethod
    def _known_industries(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in INDUSTRIES]
        if unknown:
            raise ValueError(f"unknown industry {unknown[0]!r}; use one of {', '.join(INDUSTRIES)}")
        return value


class ScenarioGiver(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    role: str = Field(min_length=3)


# What a mentee's reply did, as the practice scorer reads it; a follow-up line says which
# of these calls for it, and every scenario keeps at least one `any` line as the fallback.
FollowUpWhen = Literal["vague", "defensive", "no_step", "no_question", "strong", "any"]
FOLLOW_UP_WHENS: tuple[str, ...] = get_args(FollowUpWhen)


class FollowUp(BaseModel):
    """One further line the giver may say, and the kind of reply that calls for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    when: FollowUpWhen
    line: str = Field(min_length=5, max_length=600)


class Scenario(BaseModel):
    """A feedback-practice scenario (knowledge/scenarios/<id>.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=3)
    category: str
    difficulty: Literal["easy", "medium", "hard"]
    giver: ScenarioGiver
    setting: str = Field(min_length=20)
    opening: str = Field(min_length=10)
    follow_ups: list[FollowUp] = Field(min_length=2)
    strong_response: list[str] = Field(min_length=3, max_length=6)
    pitfalls: list[str] = Field(min_length=1)
    articles: list[str] = Field(min_length=1)
    # A strong reply in a mentee's own voice: where the stronger example starts.
    sample_reply: str = Field(min_length=40, max_length=1200)

    @field_validator("follow_ups")
    @classmethod
    def _has_fallback(cls, value: list[FollowUp]) -> list[FollowUp]:
        if not any(f.when == "any" for f in value):
            raise ValueError("at least one follow-up needs `when: any` (the fallback line)")
        return value

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in SCENARIO_CATEGORIES:
            raise ValueError(f"unknown category {value!r}")
        return value


@dataclass(frozen=True)
class Article:
    meta: ArticleMeta
    body: str
    path: Path  # relative to the knowledge directory
    content_hash: str

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title

    def applies_to(self, industry: str | None) -> bool:
        return applies_to(self.meta.industries, industry)


def applies_to(industries: Iterable[str], industry: str | None) -> bool:
    """The one industry rule (retrieval filters and the Library alike): an article with no
    industries is general and applies to everyone; otherwise the industry must be listed."""
    listed = [i for i in industries if i]
    return industry is None or not listed or industry in listed


# passage: a piece of the article's body; overview: its summary and topics; question: one of
# the questions it answers (indexed for matching, never shown as a passage); scenario: a
# practice scenario as one document (its situation and what a strong reply does).
ChunkKind = Literal["passage", "overview", "question", "scenario"]
SCENARIO_PREFIX = "scenario:"  # document ids of scenarios in the index


@dataclass(frozen=True)
class Card:
    """The reviewed parts of a document that library mode shows whole, in this order: the
    short answer, the steps, a script (optional) and the one pitfall. Carried in the index
    (as JSON on a document's first chunk), so retrieval hands it to the composer."""

    kind: Literal["article", "scenario"]
    in_short: str
    steps: tuple[str, ...]
    watch_out: str
    script: str | None = None
    topics: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    related: tuple[str, ...] = ()  # a scenario's articles (the guidance it draws on)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: object) -> Card | None:
        try:
            data = json.loads(str(text))
            data["steps"] = tuple(data["steps"])
            data["topics"] = tuple(data.get("topics", ()))
            data["industries"] = tuple(data.get("industries", ()))
            data["related"] = tuple(data.get("related", ()))
            return cls(**data)
        except (ValueError, TypeError, KeyError):
            return None


def article_card(article: Article) -> Card:
    meta = article.meta
    return Card(
        "article",
        " ".join(meta.in_short.split()),
        tuple(" ".join(s.split()) for s in meta.steps),
        " ".join(meta.watch_out.split()),
        meta.script.strip() if meta.script else None,
        tuple(meta.topics),
        tuple(meta.industries),
    )


QUESTIONS_HEADING = "Questions this article answers"


def content_hash(data: bytes) -> str:
    """An article's identity for the index: the sha256 of its file's bytes."""
    return hashlib.sha256(data).hexdigest()


def article_fingerprints(knowledge_dir: Path, max_bytes: int) -> dict[str, str] | None:
    """{document id: content hash} from the files alone, without parsing them (the index's
    no-change fast path); None when a file is over the size limit (a full load reports
    it). The id is the file name, which parse_article (and load_scenarios) require to
    equal the id inside; scenarios are 'scenario:<id>'."""
    out: dict[str, str] = {}
    for path in article_paths(knowledge_dir):
        if path.stat().st_size > max_bytes:
            return None
        out[path.stem] = content_hash(path.read_bytes())
    folder = knowledge_dir / "scenarios"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        out[SCENARIO_PREFIX + path.stem] = content_hash(path.read_bytes())
    return out


def _format_validation(err: ValidationError) -> str:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"]) or "(document)"
    return f"field '{loc}': {first['msg']}"


def read_text_file(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size > max_bytes:
        raise KnowledgeError(
            f"{path} is {size:,} bytes, over the {max_bytes:,}-byte limit for one document.",
            "Split it into several articles, or raise MENTOR_MAX_DOCUMENT_BYTES.",
        )
    return path.read_bytes()


def parse_article(raw: bytes, rel_path: Path) -> Article:
    """Parse and validate one article. Raises KnowledgeError naming the file and field."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeError(
            f"{rel_path} is not UTF-8 text (byte {exc.start}).",
            "Save the file as UTF-8 and index again.",
        ) from exc
    if "\x00" in text:
        raise KnowledgeError(f"{rel_path} contains NUL bytes.", "Is it a binary file?")
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        raise KnowledgeError(
            f"{rel_path}: the front matter is not valid YAML ({exc.__class__.__name__}).",
            "Check the block between the '---' lines.",
        ) from exc
    if not post.metadata:
        raise KnowledgeError(
            f"{rel_path}: no front matter found.",
            "Start the file with a '---' block; see knowledge/README.md.",
        )
    try:
        meta = ArticleMeta.model_validate(post.metadata)
    except ValidationError as exc:
        raise KnowledgeError(
            f"{rel_path}: invalid front matter, {_format_validation(exc)}.",
            "See the schema in knowledge/README.md.",
        ) from exc
    if rel_path.stem != meta.id:
        raise KnowledgeError(
            f"{rel_path}: field 'id' is {meta.id!r} but the file is named {rel_path.name!r}.",
            "Name the file <id>.md.",
        )
    if len(rel_path.parts) >= 2 and rel_path.parts[-2] != meta.stage:
        raise KnowledgeError(
            f"{rel_path}: field 'stage' is {meta.stage!r} but the file is in "
            f"folder {rel_path.parts[-2]!r}.",
            "Move the file to articles/<stage>/ or fix the stage.",
        )
    body = post.content.strip()
    if len(body.split()) < 20:
        raise KnowledgeError(f"{rel_path}: the article body is empty or too short.")
    return Article(meta=meta, body=body, path=rel_path, content_hash=content_hash(raw))


def article_paths(knowledge_dir: Path) -> list[Path]:
    root = knowledge_dir / "articles"
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*.md") if p.is_file())


def load_articles(knowledge_dir: Path, max_bytes: int = 256_000) -> list[Article]:
    """Load every article; any invalid one stops the load with one clear message."""
    if not knowledge_dir.is_dir():
        raise KnowledgeError(
            f"The knowledge directory {knowledge_dir} does not exist.",
            "Set MENTOR_KNOWLEDGE_DIR to the folder that holds articles/.",
        )
    articles: list[Article] = []
    seen_ids: dict[str, Path] = {}
    seen_titles: dict[str, Path] = {}
    for path in article_paths(knowledge_dir):
        rel = path.relative_to(knowledge_dir)
        article = parse_article(read_text_file(path, max_bytes), rel)
        if article.id in seen_ids:
            raise KnowledgeError(
                f"{rel}: id {article.id!r} is already used by {seen_ids[article.id]}.",
                "Every article needs its own id.",
            )
        title_key = article.title.casefold()
        if title_key in seen_titles:
            raise KnowledgeError(
                f"{rel}: title {article.title!r} is already used by {seen_titles[title_key]}."
            )
        seen_ids[article.id] = rel
        seen_titles[title_key] = rel
        articles.append(article)
    return articles


def load_scenarios(knowledge_dir: Path, article_ids: Iterable[str] | None = None) -> list[Scenario]:
    """Load and validate every scenario; article ids are checked when given."""
    known = set(article_ids) if article_ids is not None else None
    out: list[Scenario] = []
    folder = knowledge_dir / "scenarios"
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.yaml")):
        rel = path.relative_to(knowledge_dir)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            scenario = Scenario.model_validate(data)
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise KnowledgeError(
                f"{rel}: not valid UTF-8 YAML ({exc.__class__.__name__})."
            ) from exc
        except ValidationError as exc:
            raise KnowledgeError(f"{rel}: invalid scenario, {_format_validation(exc)}.") from exc
        if scenario.id != path.stem:
            raise KnowledgeError(f"{rel}: id {scenario.id!r} does not match the file name.")
        if known is not None:
            missing = [a for a in scenario.articles if a not in known]
            if missing:
                raise KnowledgeError(f"{rel}: unknown article id {missing[0]!r}.")
        out.append(scenario)
    return out


def internal_links(article: Article) -> list[str]:
    """Relative links from the article body to other knowledge files (targets as written)."""
    return [
        target
        for _, target in LINK_RE.findall(article.body)
        if not re.match(r"^[a-z]+:", target) and not target.startswith("#")
    ]


def resolve_link(article: Article, target: str) -> Path:
    """Where a relative link points, relative to the knowledge directory."""
    base = article.path.parent
    parts: list[str] = list(base.parts)
    for piece in target.split("#", 1)[0].split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if parts:
                parts.pop()
        else:
            parts.append(piece)
    return Path(*parts)


# --- chunking ------------------------------------------------------------------------
