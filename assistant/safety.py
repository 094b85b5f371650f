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
    # Added with issue 15 after the crisis set (evals/answers/crisis.jsonl) showed how
    # people say it without these words: passive wishes, plans, means, places, goodbyes,
    # and danger from another person.
    r"\b(won'?t|will not) be (around|here)\b",
    r"\bdon'?t (think i )?want to (wake up|exist|be here any ?more|go on)\b",
    r"\b(ways|how) to end (it|things|my life)\b|\bplanning how to end\b",
    r"\bgiv(e|ing|en) away (all )?my (stuff|things|belongings|possessions)\b",
    r"\b(don'?t|can'?t) see myself being (here|around|alive)\b",
    r"\bnot (be )?(here|around) (much|any) longer\b",
    r"\bdisappear(ing)? (for good|forever)\b|\bnot existing\b|\bstop(ped)? existing\b",
    r"\bjump(ing)? (off|from) (the|a) (roof|bridge|building|car park|ledge)\b",
    r"\bswerv\w* into\b|\bstep(ping)? in front of (a|the) (train|bus|car|lorry|truck)\b",
    r"\b(sitting|standing) on (the|a) (bridge|ledge)\b",
    r"\b(whether|if) i live or die\b",
    r"\bbetter off without me\b|\b(tired of|sick of) being a burden\b",
    r"\bif i (just )?(was|were) gone\b|\bif i (just )?(wasn'?t|weren'?t) (around|here|alive)\b",
    r"\b(took|taken|take|taking) (more|all|too many|a lot) of (my|the) "
    r"(medication|pills|tablets)\b",
    r"\b(all|too many) (of )?(the|my) (pills|tablets)\b",
    r"\bnot sure i'?d stop myself\b",
    r"\b(he|she|they)('ll|'d| will| would) (hurt|kill) me\b|\bthreaten\w* to (hurt|kill) me\b",
    r"\bscared to go home\b|\b(showing up|waiting) outside my (flat|house|home|door)\b",
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

# Mild distress: short of a crisis, but a person who is struggling. The answer opens with a
# kind acknowledgement and people who can help, then gives the guidance they asked for.
DISTRESS_PATTERNS = [
    r"\boverwhelm\w*",
    r"\b(cry|crying|cried|in tears|tearful)\b",
    r"\b(can'?t|cannot|can not|couldn'?t|unable to|struggling to|barely) (sleep|eat)\b",
    r"\b(not|barely|hardly) (been )?sleeping\b|\bhaven'?t slept\b|\bwake up at \d",
    r"\b(insomnia|lying awake|lie awake|lie there|awake at night|sleepless)\b",
    r"\bhopeless\w*|\bno hope\b",
    r"\bpanic attacks?\b",
    r"\b(anxiety|anxious)\b.{0,40}\b(every|all the time|constant|through the roof|unbearable)",
    r"\b(depressed|depression)\b",
    r"\bcan'?t cope\b|\bcannot cope\b|\bnot coping\b|\bat my limit\b",
    r"\b(breaking point|falling apart|breaking down)\b",
    r"\b(dread|dreading) (going|getting up|every|mondays?|sundays?|work)\b",
    r"\b(i'?m|i am) (just )?never going to (get|find|make it|be good)\b",
    r"\b(miserable|worthless|exhausted all the time|running on empty)\b",
    r"\bfeel(ing)? like (a failure|giving up)\b",
    # the body and the day: "my chest tightens", "feel sick every morning", "can't make
    # myself go in" (added after the distress set showed these, issue 15)
    r"\bchest (gets |is |feels )?(tight|tightens)\b|\bheart (is )?(pounding|racing)\b",
    r"\bracing heart\b|\b(can'?t|couldn'?t) breathe\b|\bhands shake\b|\bknot in my stomach\b",
    r"\b(feel|feeling|felt) (so |really |physically |actually )?(sick|nauseous|ill)\b",
    r"\blost my appetite\b|\bgrinding my teeth\b",
    r"\b(feel|feeling|felt) (really |so |very |just |completely )?"
    r"(low|flat|empty|numb|ashamed|broken|defeated|stupid every)\b",
    r"\bheavy feeling\b|\bso tired of\b|\bcan'?t keep going\b|\bwant to hide\b",
    r"\bcan'?t make myself\b|\bcan'?t focus on anything\b|\bstopped going to\b",
    r"\bhead on the desk\b|\blie on the floor\b|\bfreeze up completely\b",
]
# Not distress: idioms, and someone else's feelings ("my mentee felt hopeless").
NOT_DISTRESS_RE = re.compile(
    r"\bcr(y|ied|ying) (with )?laugh\w*|\bsleep on (it|a|the|this)\b", re.IGNORECASE
)
THIRD_PERSON_RE = re.compile(
    r"\b(he|she|they|his|her|their|them)\b|\bmy (team|mentee|mentees|friend|colleague|colleagues|"
    r"manager|boss|partner|sister|brother|mum|mom|dad|mother|father|students?|intern|reports?|"
    r"clients?)\b(?!.*\b(i|i'm|im|i've|ive|me)\b)",
    re.IGNORECASE,
)
DISTRESS_RE = re.compile("|".join(DISTRESS_PATTERNS), re.IGNORECASE)
STUDENT_RE = re.compile(
    r"\b(student|uni|university|college|school|degree|semester|module|exams?|"
    r"dissertation|thesis|lecturer|tutor|campus|undergrad\w*|freshman|sophomore|phd|"
    r"master'?s|sixth form|a-levels?|coursework)\b",
    re.IGNORECASE,
)

DISTRESS_OPENING = (
    "I'm sorry things feel this heavy right now — that sounds hard, and it makes sense that "
    "it's affecting you. You don't have to sort it out alone: if the stress is hurting your "
    "sleep, mood or health, talking to a doctor or a counsellor can really help{student}, "
    "and so can telling someone you trust how you're doing. When you're ready, here is some "
    "guidance on the work side."
)
STUDENT_SERVICES = (
    ", and your university or college's student services (wellbeing or counselling team) "
    "are there for exactly this"
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
    return bool(CRISIS_RE.search(text.replace("’", "'")))


def is_distress(text: str) -> bool:
    """Mild distress (overwhelmed, crying, can't sleep, hopeless, dread, the body's
    alarm): not a crisis, which is answered on its own before any search. A match counts
    when it is about the writer: the words just before it name no one else."""
    text = text.replace("’", "'")
    if is_crisis(text):
        return False
    for m in DISTRESS_RE.finditer(NOT_DISTRESS_RE.sub(" ", text)):
        before = re.split(r"[.!?;]\s", text[: m.start()])[-1].split()[-6:]
        if not THIRD_PERSON_RE.search(" ".join(before)):
            return True
    return False


def distress_opening(text: str) -> str | None:
    """The kind opening for a message in mild distress (student services named for a
    student), or None when the message shows none or is a crisis."""
    if not is_distress(text):
        return None
    return DISTRESS_OPENING.format(student=STUDENT_SERVICES if STUDENT_RE.search(text) else "")


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
