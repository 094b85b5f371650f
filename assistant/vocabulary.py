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
    # IT support, infrastructure and DevOps ("devops" also names software work).
    "it-infrastructure": (
        "it support",
        "helpdesk",
        "help desk",
        "service desk",
        "sysadmin",
        "system administrator",
        "systems administrator",
        "devops",
        "infrastructure",
        "network engineer*",
        "networking job",
        "cloud engineer*",
        "site reliability",
        "sre",
        "comptia",
        "ccna",
        "data centre",
        "data center",
        "it technician",
    ),
    "games": (
        "game dev*",
        "games industry",
        "gaming industry",
        "video game*",
        "game studio*",
        "games studio*",
        "game design*",
        "game programmer",
        "indie game*",
        "gamedev",
    ),
    # Robotics and defence/aerospace ("aerospace" also names engineering).
    "robotics-aerospace": (
        "robotic*",
        "robot",
        "aerospace",
        "defence",
        "defense",
        "space industry",
        "drone*",
        "avionics",
        "satellite*",
        "mechatronic*",
        "security clearance",
    ),
    "hospitality": (
        "hospitality",
        "hotel*",
        "restaurant*",
        "chef",
        "barista",
        "waiter",
        "waitress",
        "bartend*",
        "front of house",
        "catering",
        "line cook",
        "sous chef",
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
    "job-search": (
        "job search*",
        "job hunt*",
        "job application*",
        "applying for jobs",
        "applying to jobs",
        "cv",
        "resume",
        "résumé",
        "cover letter",
        "job interview*",
        "interview",
        "final round",
        "job offer",
        "offer letter",
        "salary",
        "negotiat*",
        "pay rise",
        "referral",
        "recruiter",
        "laid off",
        "layoff",
        "redundan*",
    ),
    "workplace": (
        "my boss",
        "coworker",
        "co-worker",
        "colleague",
        "office politics",
        "toxic",
        "micromanag*",
        "managing up",
        "manage up",
        "first 90 days",
        "probation*",
        "improvement plan",
        "pip",
        "workload",
    ),
    "paying-it-forward": (
        "become a mentor",
        "mentor someone",
        "mentoring others",
        "be a mentor",
        "my mentee",
    ),
}
# Words that show a question is about mentoring, sponsoring or coaching someone else: only
# then are articles written for the mentor's side (reader: mentor) shown to a mentee.
MENTORING_OTHERS = re.compile(
    r"(?<![a-z])(?:"
    r"(?:become|becoming|be|being|as|volunteer(?:ing)? as) an? (?:new |first[- ]time )?"
    r"mentor(?! (?:to|for) me)"
    r"|mentor(?:ing)? (?:someone|others|other people|juniors?|students?|interns?|new hires?"
    r"|a (?:junior|student|colleague|graduate|director|senior|new)|my (?:boss|team|director))"
    r"|(?:i'?m|i am|i've been|i have been|started|start) (?:mentoring|asked to mentor)"
    r"|asked (?:me )?to (?:be (?:a|their|his|her) )?mentor"
    r"|my mentees?|a mentee of mine|(?:first|new) mentee"
    r"|reverse mentor\w*|sponsor(?:ing)? (?:someone|others|a colleague|my)|be (?:a|their) sponsor"
    r"|advocat\w* for (?:a|my) (?:colleague|junior|report)|grow model"
    # "to mentor" / "I mentor" anyone but me ("can you mentor me" is a mentee asking)
    r"|(?:to|i|we|i'?d|i'?ll) mentor(?!s? me\b)"
    r"|(?:being |been )?mentored by (?:juniors?|a junior|someone younger|younger)"
    r"|coach(?:ing)? (?:someone|somebody|people|others|my team|juniors?|them|him|her)"
    r"|help (?:other people|others) (?:who|making|doing|going|trying|like me|in my|get)"
    r"|put (?!myself|my name)(?:[a-z']+ ){1,3}forward|recommend (?:her|him|them|a colleague)"
    r"|(?:who|that) reports? to me|my (?:direct )?reports"
    r")(?![a-z])"
)


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


def named(query: str, table_name: str) -> list[str]:
    """Every stage ("stage") or industry ("industry") the text names, in table order."""
    text = re.sub(r"\s+", " ", query.lower())
    return [key for key, pat in _term_patterns(table_name).items() if pat.search(text)]


def about_mentoring_others(query: str) -> bool:
    """Whether the question is about mentoring, sponsoring or coaching someone else."""
    return bool(MENTORING_OTHERS.search(re.sub(r"\s+", " ", query.lower())))


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
