"""The topic vocabulary: which words name a stage or an industry in a mentee's question.

Used to infer a stage or industry from the question (a boost or a filter in retrieval) and
by the Library to match an article's industries. Terms match as whole words, plural
allowed; a term ending in ``*`` is a stem.
"""

from __future__ import annotations

import re
from functools import lru_cache

INDUSTRY_TERMS: dict[str, tuple[str, ...]] = {
    "software": (
        "software",
        "developer",
        "programmer",
        "programming",
        "coding",
        "coder",
        "web dev",
        "frontend",
        "front-end",
        "backend",
        "back-end",
        "devops",
        "tech company",
        "startup",
        "bootcamp",
        "pull request",
        "code review",
    ),
    "data-ai": (
        "data scien*",
        "data analy*",
        "machine learning",
        "ml",
        "artificial intelligence",
        "ai",
        "ai/ml",
        "data engineer",
        "analytics",
        "llm",
    ),
    "cybersecurity": (
        "cyber*",
        "security analyst",
        "infosec",
        "penetration test*",
        "pentest*",
        "soc analyst",
        "ethical hack*",
    ),
    "healthcare": (
        "healthcare",
        "health care",
        "nurse",
        "nursing",
        "doctor",
        "medical school",
        "medicine",
        "clinical",
        "hospital",
        "physician",
        "pharmac*",
        "physio*",
        "patients",
    ),
    "finance": (
        "finance",
        "banking",
        "banker",
        "investment bank",
        "accounting",
        "accountant",
        "audit",
        "fintech",
        "asset management",
        "trading",
    ),
    "consulting": ("consulting", "consultant", "consultancy", "case interview"),
    "law": (
        "law firm",
        "lawyer",
        "solicitor",
        "barrister",
        "attorney",
        "paralegal",
        "legal career",
        "law school",
        "pupillage",
        "training contract",
    ),
    "education": ("teacher", "teaching", "classroom", "school", "pgce", "tutor"),
    "academia": (
        "academia",
        "academic",
        "phd",
        "postdoc",
        "professor",
        "lecturer",
        "dissertation",
        "thesis",
        "research career",
        "doctoral",
    ),
    "design": (
        "ux",
        "ui design",
        "designer",
        "product design",
        "user research",
        "graphic design",
        "portfolio review",
    ),
    "marketing": (
        "marketing",
        "brand",
        "advertising",
        "communications",
        "pr",
        "public relations",
        "social media manager",
        "copywrit*",
        "seo",
    ),
    "public-sector": (
        "public sector",
        "civil service",
        "civil servant",
        "government",
        "public service",
        "policy job",
        "local council",
    ),
    "nonprofit": ("nonprofit", "non-profit", "charity", "charities", "ngo", "fundrais*"),
    "engineering": (
        "mechanical engineer*",
        "civil engineer*",
        "electrical engineer*",
        "chartered engineer*",
        "manufacturing",
        "chemical engineer*",
        "engineering firm",
        "aerospace",
        "automotive",
    ),
    "creative-arts": (
        "artist",
        "musician",
        "actor",
        "acting",
        "writer",
        "film",
        "journalis*",
        "illustrat*",
        "photograph*",
        "creative industr*",
        "theatre",
        "publishing",
    ),
    "skilled-trades": (
        "electrician",
        "plumber",
        "carpent*",
        "welder",
        "apprenticeship",
        "tradesperson",
        "trades",
        "hvac",
        "joiner",
        "mechanic",
    ),
}
STAGE_TERMS: dict[str, tuple[str, ...]] = {
    "goals": ("goal", "smart goal", "objective", "what do i want"),
    "finding-mentors": (
        "find a mentor",
        "finding a mentor",
        "where to find",
        "where can i find",
        "look for a mentor",
        "mentor program*",
        "mentoring programme",
    ),
    "outreach": (
        "reach out",
        "cold email",
        "messag*",
        "linkedin",
        "email*",
        "follow up",
        "follow-up",
        "introduction",
        "informational interview",
    ),
    "relationship": (
        "first meeting",
        "our sessions",
        "mentoring relationship",
        "cadence",
        "agenda",
        "my mentor",
    ),
    "feedback": ("feedback", "criticis*", "critiqu*", "performance review", "criticiz*"),
    "growth": ("confidence", "imposter", "impostor", "burnout", "setback", "rejection", "fraud"),
    "paying-it-forward": (
        "become a mentor",
        "mentor someone",
        "mentoring others",
        "be a mentor",
        "my mentee",
    ),
}


@lru_cache(maxsize=4)
def _term_patterns(table_name: str) -> dict[str, re.Pattern[str]]:
    """One regex per key matching any of its terms as whole words, plural allowed, so
    "tutor" does not fire on "tutorial" nor "ux" on "luxury"; a term ending in `*` is a
    stem ("journalis*" matches journalist and journalism)."""
    table = STAGE_TERMS if table_name == "stage" else INDUSTRY_TERMS

    def term(t: str) -> str:
        return re.escape(t[:-1]) + "[a-z]*" if t.endswith("*") else re.escape(t) + "(?:s|es)?"

    return {
        key: re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(term, terms)) + r")(?![a-z0-9])")
        for key, terms in table.items()
    }


def infer_filters(query: str) -> tuple[str | None, str | None]:
    """(stage, industry) named by the question, when exactly one is clearly named."""
    text = re.sub(r"\s+", " ", query.lower())

    def single(table_name: str) -> str | None:
        hits = [key for key, pat in _term_patterns(table_name).items() if pat.search(text)]
        return hits[0] if len(hits) == 1 else None

    return single("stage"), single("industry")


def industries_named(query: str) -> list[str]:
    """Every industry the question names (infer_filters keeps one only when it is alone)."""
    text = re.sub(r"\s+", " ", query.lower())
    return [key for key, pat in _term_patterns("industry").items() if pat.search(text)]
