"""Input limits, scope and crisis handling, fencing of retrieved text, output sanitising.

Pure functions only. The model is treated as untrusted output: whatever it was tricked
into writing, nothing here lets it leak the system prompt, reach outside hosts through
images or links, or inject HTML into the page.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

from assistant.errors import InputError

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Lone UTF-16 surrogates cannot be stored or shown (a terminal passes undecodable bytes
# such as $'\xff\xfe' to Python as \udcff\udcfe): they are dropped, like control bytes.
SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text as we store and show it: control bytes and lone surrogates dropped, NFC."""
    return unicodedata.normalize("NFC", SURROGATE_RE.sub("", CONTROL_RE.sub("", text)))


ASK_HINT = "Type a question about your career or mentoring."


def clean_question(text: str | None, max_chars: int) -> str:
    """The question as we will use it, or InputError with what to do."""
    if text is None:
        raise InputError(
            "The question is empty.", "Type a question about your career or mentoring."
        )
    text = clean_text(text).strip()
    if not text:
        raise InputError(
            "The question is empty.", "Type a question about your career or mentoring."
        )
    if len(text) > max_chars:
        raise InputError(
            f"That message is {len(text):,} characters; the limit is {max_chars:,}.",
            f"Trim about {len(text) - max_chars:,} characters — keep the situation in a few "
            "sentences and the question you most want answered. Your text has been kept.",
        )
    return text


# --- crisis and scope ---------------------------------------------------------------

CRISIS_PATTERNS = [
    r"\bkill(ing)? myself\b",
    r"\bend (my|it all|my life)\b",
    r"\bsuicid",
    r"\bself[- ]?harm",
    r"\bhurt(ing)? myself\b",
    r"\bwant to die\b",
    r"\bdon'?t want to (live|be alive|be here)\b",
    r"\bno reason to live\b",
    r"\bcut(ting)? myself\b",
    r"\boverdose\b",
    r"\bbetter off dead\b",
]
CRISIS_RE = re.compile("|".join(CRISIS_PATTERNS), re.IGNORECASE)

CRISIS_MESSAGE = (
    "I'm really sorry you're feeling this way. You deserve support from a person right now, "
    "not career tips.\n\n"
    "- **If you are in immediate danger**, call your local emergency number "
    "(for example 112 in the EU, 999 in the UK, 911 in the US and Canada).\n"
    "- **Talk to a crisis line**: in the US and Canada call or text 988; in the UK and "
    "Ireland call Samaritans on 116 123; elsewhere, https://findahelpline.com lists free, "
    "confidential lines by country.\n"
    "- If you can, tell someone you trust — a friend, family member, your doctor, or a "
    "counsellor at your school or workplace.\n\n"
    "When you feel ready, I'm here to help with career and mentoring questions too."
)

# Requests that are never career guidance, whatever else the question mentions.
ALWAYS_OUT_OF_SCOPE = re.compile(
    "|".join([
        r"\b(write|generate|debug|fix|give me)\b.{0,40}"
        r"\b(python|javascript|typescript|java|sql|code|function|script|program|regex)\b",
        r"\b(tax returns?|capital gains|stock tips?|crypto\w*|bitcoin|day trading)\b",
        r"\b(diagnos\w*|prescri\w+|dosage|dose of)\b",
    ]),
    re.IGNORECASE,
)
# Topics that are out of scope unless the question is also about work or careers.
OUT_OF_SCOPE_PATTERNS = [
    r"\b(recipe|bake|baking|cook|cooking)\b",
    r"\b(which stocks?|medication|symptoms?)\b",
    r"\b(solve|integral|derivative|equation)\b.{0,40}\b(for x|homework|dx)\b",
    r"\bhomework\b",
]
OUT_OF_SCOPE_RE = re.compile("|".join(OUT_OF_SCOPE_PATTERNS), re.IGNORECASE)
CAREER_WORDS_RE = re.compile(
    r"\b(career|mentor\w*|job|interview\w*|manager|boss|feedback|colleague|promotion|"
    r"internship|network\w*|work|workplace|linkedin|cv|resume|résumé)\b",
    re.IGNORECASE,
)


def is_crisis(text: str) -> bool:
    return bool(CRISIS_RE.search(text))


def obviously_out_of_scope(text: str) -> bool:
    """A cheap first check; the retrieval floor catches the rest.

    Writing code, tax, investment and medical questions are always out of scope; cooking
    or homework only when no career words appear, so "how do I ask for feedback on my
    code" stays in scope.
    """
    if ALWAYS_OUT_OF_SCOPE.search(text):
        return True
    return bool(OUT_OF_SCOPE_RE.search(text)) and not CAREER_WORDS_RE.search(text)


# --- fencing untrusted text in prompts -----------------------------------------------

FENCE_TAG_RE = re.compile(
    r"</?\s*(source|sources|user_question|conversation|system)\b[^>]*>", re.IGNORECASE
)


def neutralise(text: str) -> str:
    """Make text safe to place inside our fences: it cannot close or open one."""
    return FENCE_TAG_RE.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text)


# --- output sanitising --------------------------------------------------------------

IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
REF_IMAGE_RE = re.compile(r"!\[[^\]]*\]\[[^\]]*\]")
LINK_RE = re.compile(r"\[([^\]]+)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
REF_DEF_RE = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
AUTOLINK_RE = re.compile(r"<(https?://[^>\s]+)>")
BARE_URL_RE = re.compile(r"(?<![(\[<])\bhttps?://[^\s)\]>]+", re.IGNORECASE)
DATA_URL_RE = re.compile(r"\b(javascript|data|vbscript):[^\s)]*", re.IGNORECASE)

BLOCKED_REPLY = (
    "I can't share that. I'm here to help with career and mentoring questions — "
    "ask me about goals, finding a mentor, outreach, feedback or growth."
)


@dataclass
class SanitiseReport:
    removed_images: int = 0
    removed_links: int = 0
    escaped_html: bool = False
    canary_leak: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.removed_images or self.removed_links or self.escaped_html or self.canary_leak
        )


def sanitise_output(
    text: str, allowed_urls: set[str] | frozenset[str] = frozenset(), canary: str | None = None
) -> tuple[str, SanitiseReport]:
    """Make model output safe to render as Markdown.

    - the system-prompt canary anywhere → the whole answer is replaced (it was leaking);
    - images are removed (they fetch from outside hosts as soon as they render);
    - links survive only when they point to one of our articles (relative ``.md`` paths)
      or to a URL written in our knowledge base; otherwise only their text is kept;
    - raw HTML is escaped, so it shows as text and never runs.
    """
    report = SanitiseReport()
    if canary and canary in text:
        report.canary_leak = True
        return BLOCKED_REPLY, report

    def drop_image(m: re.Match[str]) -> str:
        report.removed_images += 1
        return ""

    text = IMAGE_RE.sub(drop_image, text)
    text = REF_IMAGE_RE.sub(drop_image, text)

    def keep_link(m: re.Match[str]) -> str:
        label, url = m.group(1), m.group(2)
        if url in allowed_urls or _is_internal(url):
            return m.group(0)
        report.removed_links += 1
        return label

    text = LINK_RE.sub(keep_link, text)
    text = REF_DEF_RE.sub("", text)

    def bare(m: re.Match[str]) -> str:
        url = m.group(0).rstrip(".,;:")
        if url in allowed_urls:
            return m.group(0)
        report.removed_links += 1
        return "[link removed]"

    text = AUTOLINK_RE.sub(lambda m: m.group(1), text)
    text = BARE_URL_RE.sub(bare, text)
    text = DATA_URL_RE.sub("[link removed]", text)
    if "<" in text or ">" in text or "&" in text:
        escaped = html.escape(text, quote=False)
        # keep Markdown blockquotes, which start a line with '>'
        escaped = re.sub(r"(?m)^(\s*)&gt;", r"\1>", escaped)
        report.escaped_html = escaped != text
        text = escaped
    return text.strip(), report


def _is_internal(url: str) -> bool:
    return (
        not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.IGNORECASE)
        and not url.startswith("//")
        and url.split("#", 1)[0].endswith(".md")
    )


KB_URL_RE = re.compile(r"https?://[^\s)\]>\"']+")


def urls_in(text: str) -> set[str]:
    return {u.rstrip(".,;:") for u in KB_URL_RE.findall(text)}
