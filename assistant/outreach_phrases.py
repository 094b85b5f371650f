"""Phrases for library-mode drafts, taken from what the mentee wrote.

Mentees write "Her talk on X, especially Y", "i want to get my licence and run my own
outfit", "Met him at a meetup where he was on the panel". These functions turn such
fields into clauses a message can use — in the second person, cut to their first clause,
with the mentee's own words kept — and never add a fact of their own. ``mentor.about`` is
untrusted: ``about_phrase`` takes only a plain third-person sentence from it.
"""

from __future__ import annotations

import re

from assistant.outreach_request import OutreachRequest
from assistant.outreach_text import norm, words

# "her" is possessive before a noun ("her talk") and an object before these ("found her on").
OBJECT_NEXT = re.compile(
    r"^(on|at|in|through|via|from|after|before|when|while|since|for|about|to|with|by|up|"
    r"out|back|again|too|and|or|but|so|because|during|afterwards|later|speak)\b"
    r"|^[,.;:!?)]|^$",
    re.I,
)
GOAL_VERBS = set(
    "move become get learn switch break find transition explore build start work join land "
    "grow understand make go change pivot return retrain step train study apply develop "
    "improve take lead set launch publish specialise specialize decide choose qualify open "
    "figure run earn gain write design help support".split()
)
ING = {
    "get": "getting",
    "set": "setting",
    "run": "running",
    "stop": "stopping",
    "plan": "planning",
    "begin": "beginning",
    "figure": "figuring",
    "die": "dying",
}
MENTOR_ITEMS = set(
    "post talk article site blog paper book podcast webinar thread production course workshop "
    "interview profile newsletter video recording channel keynote panel session report "
    "portfolio feed account page chapter essay study".split()
)
PLATFORMS = {
    "linkedin": "LinkedIn",
    "instagram": "Instagram",
    "twitter": "Twitter",
    "x": "X",
    "github": "GitHub",
    "youtube": "YouTube",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "tiktok": "TikTok",
}
VERB_RE = re.compile(
    r"\b(is|are|was|were|has|have|had|did|does|gave|ran|led|wrote|spoke|saw|met|read|sent|"
    r"took|made|told|said|won|taught|built)\b|\b\w{3,}ed\b",
    re.I,
)
CLAUSE_CUT = re.compile(r",\s+|;\s+|\s+[—–-]\s+|\s+\(|:\s+|\.\s+")


def first_lower(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def tidy(text: str) -> str:
    """The mentee's words, with a lone 'i' capitalised and spacing normalised."""
    text = " ".join(norm(text).split())
    text = re.sub(r"\bi\b", "I", text)
    return re.sub(r"\b(im|Im)\b", "I'm", text)


TRAILING_STOP = re.compile(
    r"(\s+(of|on|in|at|for|to|the|a|an|and|or|with|about|from|by|how|that|which|where|after|"
    r"before|into|over|under|between|as|new|old|my|our|your|their|his|her))+$",
    re.I,
)


def short(text: str, limit: int) -> str:
    """Cut at a word boundary, never inside a quotation (a short quoted title is kept
    whole) and never on a dangling 'of' or 'the'."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    for opening, closing in (('"', '"'), ("“", "”"), ("'", "'")):
        start = cut.rfind(opening)
        if start < 0 or (opening == closing and cut.count(opening) % 2 == 0):
            continue
        if opening != closing and cut.count(opening) <= cut.count(closing):
            continue
        end = text.find(closing, start + 1)
        cut = text[: end + 1] if 0 < end < limit + 30 else cut[:start]
    cut = TRAILING_STOP.sub("", cut.rstrip(",;:—- "))
    cut = re.sub(r"\s+(on|about|of|for|in|into)\s+\w+ing$", "", cut)  # "your paper on measuring"
    return TRAILING_STOP.sub("", cut).rstrip(",;:—- ")


def clause(text: str) -> str:
    """The first clause of a field: 'Accountant for 6 years (audit…), finished…' ->
    'Accountant for 6 years'."""
    return CLAUSE_CUT.split(tidy(text).rstrip("."), maxsplit=1)[0].strip()


def second_person(text: str, mentor_name: str) -> str:
    """'her talk on X' -> 'your talk on X'; 'Amira's post' -> 'your post'; 'met him' ->
    'met you'."""
    for part in sorted(mentor_name.split(), key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(part)}['’]s\b", "your", text)
    text = re.sub(r"\b(she|he|they)\b", "you", text, flags=re.I)
    text = re.sub(r"\b(his|their)\b", "your", text, flags=re.I)
    text = re.sub(r"\b(him|them)\b", "you", text, flags=re.I)

    def her(m: re.Match[str]) -> str:
        return "you" if OBJECT_NEXT.match(m.string[m.end() :].strip()) else "your"

    text = re.sub(r"\bher\b", her, text, flags=re.I)
    fix = {
        "is": "are",
        "was": "were",
        "has": "have",
        "does": "do",
        "doesn't": "don't",
        "isn't": "aren't",
        "wasn't": "weren't",
    }
    text = re.sub(
        r"\byou (is|was|has|does|doesn't|isn't|wasn't)\b", lambda m: "you " + fix[m.group(1)], text
    )
    return text


# --- the mentee ----------------------------------------------------------------------------

GOAL_CUT = re.compile(
    r",\s+|;\s+|\s+[—–-]\s+|\s+\(|\.\s+|\s+(?:but|so|because|like|while|rather than|ideally)"
    r"\s+|\s+and\s+(?=(?:I\b|have\b|in the meantime\b|longer\b|eventually\b|then\b|"
    + "|".join(sorted(GOAL_VERBS))
    + r"\b))",
    re.I,
)


def goal_phrase(goal: str, gerund: bool = False) -> str:
    """'move into UX research' (or 'moving into UX research'), from the stated goal."""
    g = tidy(goal).rstrip(".")
    g = re.sub(
        r"(?i)^(i\s+(want|would like|'d like|hope|plan|am hoping|'m hoping|need)\s+to|"
        r"my goal is to|to|i'm trying to|i am trying to)\s+",
        "",
        g,
    )
    g = first_lower(GOAL_CUT.split(g, maxsplit=1)[0].strip())
    first = g.split()[0].lower() if g.split() else ""
    if first not in GOAL_VERBS:
        g, first = f"move into {g}", "move"
    if not gerund:
        return g
    ing = ING.get(first) or (first[:-1] + "ing" if first.endswith("e") else first + "ing")
    return ing + g[len(first) :]


def article(word: str) -> str:
    if re.match(r"^[A-Z]{2}|^[A-Z][a-z]?[A-Z]", word):  # acronyms: an MSc, an SQL…
        return "an" if word[0] in "AEFHILMNORSX" else "a"
    return "an" if word[:1].lower() in "aeiou" else "a"


def intro(r: OutreachRequest, with_goal: bool = True) -> str:
    """'I'm a final-year psychology student, hoping to move into UX research.'"""
    current = first_lower(clause(r.mentee.current))
    now = re.search(r",\s+(now\s+[^,;.]+?)(?=\s+and\s+|\s+but\s+|[,;.]|$)", tidy(r.mentee.current))
    if now and current and len(words(current)) + len(words(now.group(1))) <= 24:
        current = f"{current}, {now.group(1)}"  # "worked 10 years in events, now in nursing"
    goal = goal_phrase(r.mentee.goal)
    tail = f", hoping to {goal}." if with_goal else "."
    if not current:
        return f"I'm hoping to {goal}."
    if re.match(r"(?i)^i('m| am|'ve| have)\b", current):
        return current[0].upper() + current[1:] + tail
    if re.match(
        r"(?i)^(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+(years?|months?|"
        r"yrs?)\b",
        current,
    ):
        return f"I've spent {current}{tail}"
    if re.match(r"(?i)^\w+ed\b", current):
        return f"I {current}{tail}"
    if re.match(r"(?i)^(a|an|the|currently|now|\w+ing)\b", current):
        return f"I'm {current}{tail}"
    if re.search(r"\bfor (\d+|one|two|three|four|five|six|seven|eight|nine|ten|a)\b", current):
        return f"I've been {article(current)} {current}{tail}"
    return f"I'm {article(current)} {current}{tail}"


# --- the mentor ------------------------------------------------------------------------------


def work_phrase(r: OutreachRequest) -> tuple[str, str]:
    """(what, why) from admired_work: ('your talk on X', 'especially the part where…')."""
    text = second_person(tidy(r.mentor.admired_work).rstrip("."), r.mentor.name)
    m = re.search(
        r",\s+(?=which\b)|\s+[—–-]\s+|;\s+|:\s+|\.\s+|,?\s+because\s+|,\s+(?=it\b|"
        r"especially\b|particularly\b|and how\b|the\b|and the\b)",
        text,
    )
    what, why = (text[: m.start()], text[m.end() :]) if m else (text, "")
    if re.match(r"(?i)^which\b", why) and len(words(why)) <= 14:
        what, why = f"{what}, {why.split('. ')[0]},", ""
    what = what.strip()
    if not re.match(r"(?i)^(your|you|how|what|when|the way)\b", what):
        keep = re.search(r"\byou\b", what) and re.match(r"(?i)^(the|a|an)\b", what)
        what = what if keep else "your " + re.sub(r"(?i)^(the|a|an)\s+", "", first_lower(what))
    why = re.sub(r"(?i)^(because|and)\s+", "", why.split(". ")[0]).strip()
    if re.match(r"(?i)^(the|a|an|how|what|your|that)\b", why):
        why = f"especially {why}"  # "— especially the scarf joints"
    return first_lower(what), first_lower(short(why, 140))


UNSAFE_RE = re.compile(
    r"https?:|www\.|@|\.(com|org|io|net)\b|ignore|instruction|system|prompt|assistant|\bai\b|"
    r"model|disregard|override|must|include|add |write|say |tell|mention|pay|paid|\$|£|€|fee|"
    r"referr|refer|recommend|introduc|guarantee|promise|password|click|you are|!|\?|:|<|>|"
    r"\bmentor(s|ing)?\b",
    re.I,
)
VERB_FIX = {"is": "are", "has": "have", "was": "were", "does": "do", "goes": "go"}


def _you_verb(word: str) -> str:
    if word in VERB_FIX:
        return VERB_FIX[word]
    if word.endswith("ies"):
        return word[:-3] + "y"
    if re.search(r"(ss|sh|ch|x|z)es$", word):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def about_phrase(r: OutreachRequest) -> str:
    """A clause about their work from the pasted bio, as 'you lead …', or ''. Only a
    plain third-person sentence qualifies: anything with an instruction, a link, money, a
    referral or markup in it is never used."""
    subjects = [re.escape(p) for p in r.mentor.name.split()] + ["she", "he", "they"]
    subject_re = re.compile(rf"^(?:(?:{'|'.join(subjects)})\s*)+(\w+)\s+(.*)$", re.I)
    for s in re.split(r"(?<=[.])\s+|\n+", norm(r.mentor.about)):
        s = s.strip().rstrip(".")
        m = subject_re.match(s)
        if not m or UNSAFE_RE.search(s) or not 4 <= len(words(s)) <= 40:
            continue
        rest = re.split(r",\s+(?!and\b)|\s+and\s+(?=\w+s\b)|;\s+", m.group(2))[0]
        return f"you {_you_verb(m.group(1).lower())} {second_person(rest, r.mentor.name)}"
    return ""


def shared_context(r: OutreachRequest) -> str:
    """The how_found line as a sentence about how the mentee came across them, or ''."""
    how = tidy(r.mentor.how_found).rstrip(".")
    if not how:
        return ""
    how = second_person(how, r.mentor.name)
    low = first_lower(how)
    if re.match(r"(?i)^(we|we're|I|I'm|I've)\b", how):
        return sentence(how)
    if re.match(
        r"(?i)^(met|found|saw|heard|read|attended|watched|listened|came|asked|"
        r"bought|cited|followed|used|ate|visited|studied)\b",
        how,
    ):
        return sentence(f"I {low}")
    if re.match(r"(?i)^(you|your)\b", how) and VERB_RE.search(how):
        return sentence(f"I first came across you when {low}")
    if VERB_RE.search(how):
        return sentence(how)
    if re.match(r"(?i)^(via|through|from|at|on|in|after)\b", how):
        return sentence(f"I found you {low}")
    return sentence(f"I found you through {_determined(low)}")


def _determined(phrase: str) -> str:
    if phrase.lower() in PLATFORMS:
        return PLATFORMS[phrase.lower()]
    if re.match(r"(?i)^(the|a|an|my|our|your|one)\b", phrase):
        return phrase
    last = words(phrase)[-1].lower() if words(phrase) else ""
    if last == "search":
        return f"a {phrase}"
    return f"your {phrase}" if last in MENTOR_ITEMS else f"the {phrase}"


# Family-name-first: "Hi Zhang," would use the family name, so these keep the whole name
# as given ("Hi Zhang Wei,"). Also Hungarian order (Nagy Eszter).
FAMILY_FIRST = set(
    "zhang wang li liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo "
    "zheng liang xie song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang "
    "kim park choi jung jeong kang cho yoon jang lim nguyen nguyễn tran trần pham phạm hoang "
    "phan vu dang bui sato suzuki takahashi tanaka watanabe ito yamamoto nakamura kobayashi "
    "kato yoshida yamada sasaki matsumoto inoue kimura ōshima oshima nagy kovacs kovács toth "
    "tóth szabo szabó horvath horváth".split()
)
TITLES = {"dr", "prof", "professor", "mr", "ms", "mrs", "mx", "sir", "dame", "rev"}


def greet_name(r: OutreachRequest) -> str:
    """The first name for a warm or concise message; the whole name as given when the
    tone is formal, it carries a title, is one word, or starts with a family name."""
    parts = r.mentor.name.split()
    if parts and parts[0].lower().rstrip(".") in TITLES and len(parts) >= 3:
        return " ".join([parts[0], *parts[2:]])  # "Dr Kwame Asante" -> "Dr Asante"
    if (
        r.tone == "formal"
        or len(parts) < 2
        or parts[0].lower().rstrip(".") in TITLES
        or parts[0].lower() in FAMILY_FIRST
    ):
        return r.mentor.name
    return parts[0]


# --- the conversation (thank-you) ------------------------------------------------------------

POINT_RULES = (
    (
        r"(said|explained|stressed|thinks|mentioned|pointed out|warned me|warned|felt)\s+"
        r"(?:that\s+)?(to\s+.*)",
        "your advice {}",
    ),
    (
        r"(said|explained|stressed|thinks|mentioned|pointed out|warned me|warned|felt)\s+"
        r"(?:that\s+)?(.*)",
        "your point that {}",
    ),
    (
        r"(told me|advised me|asked me|encouraged me|urged me)\s+(?:that\s+)?(to\s+.*)",
        "your advice {}",
    ),
    (r"(suggested|recommended|proposed|advised)\s+(?:that\s+)?(I\s+.*)", "your suggestion that {}"),
    (r"(suggested|recommended|proposed|advised)\s+(.*)", "your recommendation of {}"),
    (r"(offered)\s+(to\s+.*)", "your offer {}"),
)


def note_points(notes: str, name: str) -> list[str]:
    """What the mentor said, as phrases a thank-you can name: "your point that regulatory
    writing is the core skill", "your advice to ask my lead for one feature"."""
    out = []
    for s in re.split(r"(?<=[.!?])\s+|\n+", tidy(notes)):
        body = re.sub(
            r"(?i)^(she|he|they|\w+)\s+(?=(said|explained|stressed|thinks|mentioned|"
            r"pointed|warned|felt|told|advised|asked|encouraged|urged|suggested|"
            r"recommended|proposed|offered)\b)",
            "",
            s.strip(),
        )
        for pattern, template in POINT_RULES:
            m = re.match(pattern, body, re.I)
            if m:
                point = CLAUSE_CUT.split(m.group(2).rstrip("."), maxsplit=1)[0]
                point = second_person(point, name)
                if len(words(point)) >= 3:
                    out.append(template.format(short(point, 120)))
                break
    return out
