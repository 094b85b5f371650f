"""The library-mode practice scorer: six dimensions, each scored 0/1/2 on its own by rules
over the reply's own sentences, each score backed by the exact words that earned or cost it.

Pure functions only. The rubric is issue 13's (see ``assistant/practice.py``); the cue
lists below were written from it and checked against the train and dev splits of
``evals/practice/`` (never the test split, which only ``mentor eval practice`` reads).
Evidence is always a substring of the reply, so a face can highlight it and a model's
claim can be checked against it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

DIMENSIONS: tuple[str, ...] = (
    "acknowledge",
    "clarify",
    "ownership",
    "composure",
    "next_step",
    "follow_up",
)


@dataclass(frozen=True)
class Mark:
    """One dimension's score, why, and the reply's own words behind it ('' when nothing in
    the reply earned it: the reason then says what was missing)."""

    dimension: str
    score: int
    evidence: str
    reason: str


@dataclass(frozen=True)
class Sentence:
    text: str  # exactly as in the reply
    low: str  # lower-cased, curly quotes straightened


SENTENCE_RE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")


def sentences(reply: str) -> list[Sentence]:
    """The reply's sentences, each an exact substring of it (a question keeps its '?')."""
    out = []
    for m in SENTENCE_RE.finditer(reply):
        text = m.group(0).strip()
        if re.search(r"\w", text):
            out.append(Sentence(text, _fold(text)))
    return out


TEXTING = {
    "u": "you", "ur": "your", "im": "i'm", "ill": "i'll", "ive": "i've", "dont": "don't",
    "didnt": "didn't", "cant": "can't", "wont": "won't", "isnt": "isn't", "thru": "through",
    "w": "with", "thx": "thanks", "pls": "please", "thurs": "thursday", "tues": "tuesday",
    "weds": "wednesday", "fri": "friday", "mon": "monday", "tmrw": "tomorrow", "def": "definitely",
}  # fmt: skip
TEXTING_RE = re.compile(r"\b(" + "|".join(TEXTING) + r")\b")


def _fold(text: str) -> str:
    """Lower case, straight quotes and texting spelled out: for matching only (evidence is
    always the original text)."""
    low = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    low = TEXTING_RE.sub(lambda m: TEXTING[m.group(1)], low)
    return re.sub(r"\bi will\b", "i'll", low)


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def _first(sents: Sequence[Sentence], pattern: re.Pattern[str]) -> Sentence | None:
    return next((s for s in sents if pattern.search(s.low)), None)


def _all(sents: Sequence[Sentence], pattern: re.Pattern[str]) -> list[Sentence]:
    return [s for s in sents if pattern.search(s.low)]


# --- shared cues ------------------------------------------------------------------------

TIME = _rx(
    r"\b(today|tonight|tomorrow|this (week|afternoon|evening|morning|month|sprint|term))\b",
    r"\b(next|by|on|before|until|from) (mon|tues|wednes|thurs|fri|satur|sun)day\b",
    r"\b(mon|tues|wednes|thurs|fri)day\b",
    r"\bnext (week|month|quarter|term|sprint|session|meeting|one-to-one|1:1|review|shift|"
    r"placement|lesson|class|call|draft|round|presentation|rehearsal|run)\b",
    r"\bby (the )?(end of|eod|close of|noon|lunch|[0-9]|next|our|the next|then)\b",
    r"\b(end of (the )?(day|week|month))\b",
    r"\bwithin (a|an|one|two|three|[0-9]+) (hours?|days?|weeks?)\b",
    r"\bin (a|an|one|two|three|four|a couple of|[0-9]+) (hours?|days?|weeks?|months?)\b",
    r"\b(after|before|at) (the|our|my|your) (next )?\w*\s?(meeting|one-to-one|1:1|review|"
    r"sprint|demo|session|call|catch-up|check-in|presentation|shift|trustees|board|deadline)\b",
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]* [0-9]{1,2}\b",
    r"\b[0-9]{1,2}(st|nd|rd|th)\b",
    r"\b(first thing|this evening|later today|by then|the morning)\b",
    r"\b(before|after|by) (lunch|the end of (the |my )?(shift|day|week)|i (close|hand|finish|"
    r"leave|go|carry on|start|send|submit|push))\b|\btonight\b",
    r"\bat (one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|noon|[0-9]{1,2})"
    r"( ?(am|pm|o'clock|:[0-9]{2}))?\b|\b[0-9]{1,2} ?(am|pm)\b",
    r"\bevery (week|day|morning|monday|tuesday|wednesday|thursday|friday|sprint|shift)\b",
    r"\b(this|next|the coming) (week|month|quarter|term|cycle|phase)\b",
    r"\bmid-?(cycle|year|term|point|way|month|quarter)\b",
    r"\b(afterwards|straight after|right after|right now|right away|once (i'?ve|it'?s|you'?ve|"
    r"i have|the))\b",
)

ABUSE = _rx(
    r"\bf+u+c+k+\w*",
    r"\bsh[i!1]t+\w*\b",
    r"\b(idiot|moron|stupid|dumb|pathetic|clown|jerk|arse|ass|asshole|bastard|bitch|prick|"
    r"crap|hell|damn|bullshit|bs)\b",
    r"\bshut up\b",
    r"\bscrew (you|this|that|it)\b",
    r"\bget lost\b",
    r"\bpiss(ed)? off\b",
    r"\bwho (the hell )?do you think you are\b",
    r"\bgo to hell\b",
)
SELF_INSULT = _rx(
    r"\bi('m| am) (so |such an? |an? |just )?(total |complete )?(idiot|stupid|moron|useless|"
    r"hopeless|failure|disaster|terrible|awful|the worst|pathetic|incompetent)\b",
    r"\bi('m| am) (so |just )?(bad|terrible|awful|useless|hopeless) at\b",
    r"\bhow stupid of me\b",
)
SARCASM = _rx(
    r"\b(oh|wow),? (great|wonderful|fantastic|brilliant|thanks|lovely|perfect|amazing|nice)\b",
    r"\bthanks (a lot|a bunch|so much)?,? ?for nothing\b",
    r"\b(yeah|sure),? right\b",
    r"\bgreat,? (just )?great\b",
    r"\bsure,? because\b",
    r"\bhow (very |so )?(kind|nice|helpful|lovely|generous) of you\b",
    r"\bthanks for the (lecture|lesson|essay|novel)\b",
    r"\bwhat a (surprise|shock|joke)\b",
    r"\bi'?m sure (you|that) (would|did|know)\b",
    r"\bclearly you\b|\bobviously you\b",
    r"\bnoted,? (i guess|whatever)\b",
    r"\bthanks,? i guess\b",
    r"\b(as if|big deal)\b",
    r"\bslow clap\b",
    r"^wow,? ok\b|\bi'?ll just leave\b|^great,? so\b|\bgood to know (the|that my|my)\b",
    r"\bso basically it'?s perfect\b",
    r"\bno problem\. it'?s only\b",
    r"\bit'?s only (six|two|three|four|five|[0-9]+) (weeks|months|days)\b",
    r"\bno pressure then\b",
    r"\bmust be nice\b",
    r"\bi'?ll (just )?add (it|that) to the (list|pile)\b",
    r"\bperfect,? so\b",
    r"/s\b",
)
DISMISS = _rx(
    r"^whatever\b|\bwhatever[.!]*$|\bwhatever you (say|want)\b|, whatever[.!,]",
    r"\b(this|that) is (ridiculous|absurd|nonsense|unfair|rubbish|insane|a joke)\b",
    r"\b(that's|thats|that is) (ridiculous|absurd|nonsense|rubbish|not true|not fair|unfair|"
    r"wrong|not my problem|not my job|a joke)\b",
    r"\byou'?re (wrong|being unfair|not being fair|overreacting|nitpicking|being picky)\b",
    r"\bare you (serious|kidding|joking)\b",
    r"\byou can'?t be serious\b",
    r"\bi (completely|totally|strongly|just) disagree\b",
    r"\bnothing wrong with\b",
    r"\bi don'?t (see|get) (why|what)( the)? (problem|issue|big deal|this matters)?",
    r"\bnot a big deal\b",
    r"\bdon'?t see (the|a) problem\b",
    r"\bi don'?t need\b",
    r"\bwaste of (my )?time\b",
    r"\bif you (say|insist) so\b",
    r"\bfine\. whatever\b",
    r"\bno one else (complained|has a problem|minds)\b",
    r"\bnobody else (complained|has a problem|minds)\b",
    r"\bit('s| is| was) (fine|good enough)\b",
    r"\bi know what i'?m doing\b",
    r"\bi'?ve been doing this\b",
)
EDGE = _rx(
    r"\bto be fair\b",
    r"\bin my defen[cs]e\b",
    r"\bwith (all due |respect)\b",
    r"\bi (just|only) (did|followed|wanted|meant|thought|did what)\b",
    r"\bi did what (you|was|i was) (asked|told|said)\b",
    r"\bi don'?t (really )?(think|agree) (that'?s|it'?s|that is|this is) "
    r"(fair|right|true|accurate)\b",
    r"\bi'?m not sure (that'?s|it'?s|that is) (fair|true|right)\b",
    r"\bi don'?t (think|agree) (i|that i)\b",
    r"^actually,",
    r"\bi mean,",
    r"\bit'?s not like\b",
    r"\bno offen[cs]e\b",
    r"\bwell,? (i|you|it)\b",
    r"\bi was (never|not) told\b",
    r"\bnobody (told|said)\b|\bno one (told|said)\b",
    r"\byou never (said|told|mentioned|asked)\b|\byou didn'?t (say|tell|mention|ask)\b",
    r"\bthat'?s (a bit|quite|rather|pretty) (harsh|much|unfair|strong)\b",
    r"\bi (do|did) (actually|in fact)\b",
    r"\bfor the record\b",
    r"\bmost of (these|them|those|the comments) (are|were) (just )?(style|minor|small|nits|"
    r"nitpicks|cosmetic|preference)\b",
    r"\b(is|are) a lot for (a|my) first\b",
    r"\bi (just|still) think\b",
    r"\bis it really that (serious|bad|big|far off|important)\b",
    r"\bi'?d (just )?like to point out\b",
    r"\bi had no (idea|choice|time)\b",
    r"\bsince when\b",
)

DEFENSIVE_OPEN = _rx(
    r"^(well|i mean|honestly|to be fair|in fairness|look|listen|actually|sir|mate),",
    r"^(well|i mean|to be fair|in my defen[cs]e)\b",
    r"\bthough[.?!]*$",
    r"\bsomebody has to\b|\bsomeone had to\b",
    r"^(i did|i have|i was)\b.{0,60}\bthough\b",
)
EXCUSE = _rx(
    r"\b(it|that) ?(was|wasn'?t|is|isn'?t|'?s) not my fault\b|\bnot my fault\b",
    r"\bwasn'?t (really )?my fault\b",
    r"\bi was told\b|\bto be honest,? the\b|\b(the|my) \w+ (was|were) (wrong|late|missing)\b",
    r"\b(the|my) (previous|other|last|evening|day) \w+ (didn'?t|never|forgot|failed|can)\b",
    r"\b(isn'?t|not) something i can control\b|\bout of my (hands|control)\b",
    r"\bthat'?s how we did it\b|\bi (kind of |sort of )?assumed\b",
    r"\b(is|was|are|were) there because\b|\bbecause (the|my) \w+ (asked|told|wanted)\b",
    r"\bwe'?re (understaffed|short)\b|\bwe were (two|three|[0-9]+|short)\b",
    r"\b(because|since|as) (i was|i'?ve been|i had|we were|we had|the|my|it was|everyone|"
    r"nobody|no one|they|he|she)\b.{0,60}\b(busy|swamped|slammed|late|short|told|tight|"
    r"unclear|changed|sick|rushed|didn'?t|never|wasn'?t|no time|overloaded|pressure)\b",
    r"\bi (was|have been|'ve been) (so |really |very |super )?(busy|swamped|slammed|overloaded|"
    r"stretched|under pressure|exhausted|tired|sick)\b",
    r"\bi didn'?t have (the )?(time|chance|enough time)\b",
    r"\b(nobody|no one|you) (ever )?(told|showed|said|asked|warned|mentioned)\b",
    r"\bi was (never|not) (told|shown|asked|trained|given)\b",
    r"\byou never (said|told|mentioned|asked|explained)\b",
    r"\byou didn'?t (say|tell|mention|ask|explain|give)\b",
    r"\bthe (ticket|brief|spec|task|email|instructions?|guidelines?|template|rubric) "
    r"(didn'?t|never|doesn'?t) (say|mention|ask|specify|include)\b",
    r"\b(the|my) (deadline|timeline|requirements?|brief|spec|specs|instructions?|client|"
    r"team|manager|system|tool|process|template|previous|other|data)\b.{0,40}\b(was|were|"
    r"is|are|kept|changed|didn'?t|never|wasn'?t|weren'?t)\b.{0,25}\b(unclear|vague|tight|"
    r"late|wrong|broken|changing|impossible|fault|short|clear|given|told|responsible)\b",
    r"\b(it|that) was (their|his|her|the team'?s|the client'?s|someone else'?s) "
    r"(fault|call|job|decision|responsibility)\b",
    r"\bblame\b",
    r"\b(everyone|everybody) (else )?(does|did|is doing) (it|that|the same)\b",
    r"\bthat'?s how (i was|we were|it was) (taught|told|done)\b",
    r"\bnot my (job|responsibility|problem|call)\b",
    r"\bi was (just|only) following\b",
    r"\b(he|she|they) (should have|didn'?t|never)\b",
    r"\bif (you|someone|anyone) had (told|said|explained|asked)\b",
    r"\bwhat (did|do) you expect\b",
    r"\bhow was i supposed to\b",
    r"\bi had no (choice|idea|time)\b",
)
GROVEL = _rx(
    r"\bi('m| am) (so|really|very|truly|incredibly|terribly|deeply) (so )?sorry\b.{0,80}\b(sorry|"
    r"again|forgive|terrible|awful|stupid|useless|failure|let you down|disappoint)",
    r"\b(sorry|apologi[sz]e),? (sorry|again)\b",
    r"\bsorry,? sorry\b",
    r"\bplease (don'?t|forgive)\b",
    r"\bi (don'?t|do not) deserve\b",
    r"\bi (always|keep) (mess|screw|get)(ing)? (up|things|it|everything)\b",
    r"\bi ruin(ed)? everything\b",
    r"\bi let (you|everyone|the team|everybody) down\b",
    r"\bi('m| am) not cut out\b",
    r"\bi should (be|get) (fired|sacked)\b",
    r"\bi feel (so |really |terrible|awful|sick|horrible|ashamed)",
    r"\bi('m| am) (so )?ashamed\b",
    r"\bi('m| am) (a|such a|the) (failure|disappointment|disaster|mess)\b",
    r"\bcan'?t believe i\b",
    r"\bi('m| am) (so |just )?(embarrassed|mortified)\b",
    r"\bwhat'?s wrong with me\b",
    r"\bwasted your time\b|\bi (honestly )?don'?t know what i was (doing|thinking)\b",
    r"\bi('m| am) (really |so |just )?(hopeless|useless|incompetent|terrible|awful)\b",
)
OWN = _rx(
    r"\bi should(n'?t)? (have|'ve) (\w+ed|been|done|known|seen|thought|gone|taken|made|told|"
    r"said|sent|written|caught|spoken|run|given|brought|shown|kept|left|put|set|got|had|spent|"
    r"read|begun|led|stopped|flagged|picked)\b",
    r"\b(that'?s|that is|this is|it'?s|it is|that was|this was|it was) (on me|my (fault|mistake|"
    r"miss|error|responsibility|call|bad|job|part))\b",
    r"\bmy (mistake|error|fault|bad|responsibility|oversight|miss)\b",
    r"\bi (take|own|accept) (full |the |that |this |my |responsibility|it)",
    r"\bi (missed|overlooked|forgot|rushed|skipped|didn'?t (check|test|ask|think|realise|realize|"
    r"flag|include|consider|plan|prepare|notice|give|leave|spend)|got (it|that|the \w+) wrong|"
    r"made (a|an|the|that) (mistake|error|call)|left (it|that|out)|assumed|hadn'?t|underestimated|"
    r"went too|dove|dived|jumped|cut|buried|spent too|talked over|interrupted|focused too)\b",
    r"\bi (can )?see (how|that|why|where) (i|my|the way i|what i)\b",
    r"\byou'?re right (that|about) (i|my)\b",
    r"\bi (can|do) see (that )?i\b",
    r"\bi (wasn'?t|was not|haven'?t been|have not been) (clear|specific|careful|thorough|"
    r"prepared|listening)\b",
    r"\bi (did|do) (that|this|it)\b",
    r"\bmy part\b|\bmy side of (it|this|things)\b",
    r"\bi was (too|overly|very|a bit|quite|so) (quick|slow|vague|defensive|long|detailed|"
    r"focused|hesitant|cautious|brief|sharp|blunt|curt|wordy|in the weeds)\b",
    r"\bi (tend|have a habit) to\b",
    r"\bi (let|dropped) (it|the|that|this)\b",
    r"\bi (can|could) have\b",
    r"\bi need(ed)? to (own|take)\b",
    r"\bi didn'?t\b",
    r"\bi (haven'?t|hadn'?t|wasn'?t|never) \w+",
    r"\bi (do |probably |often |sometimes |usually |definitely )?(default|lean|slip|drift|dive|"
    r"rush|ramble|hedge|over-\w+|under-\w+|overdo|overthink|overcomplicate)\b",
    r"\bi always (do|end up|go|get)\b",
    r"\bi (think|suspect|realise|realize|know|guess|see now) (that )?i('ve| have| was| did| do| "
    r"tend| went| got| made| missed| should| probably| spent| gave| let| put)\b",
    r"\bi'?ve (sometimes |often |probably |maybe |occasionally |clearly )?(put|got|made|let|said|"
    r"come|been too|been a bit)\b",
    r"\bmy side\b",
    r"\byou'?re right[:,;.—-]*\s*(that |about )?(i|my)\b",
    r"\bi spent\b",
    r"\bi'?m sorry (that |for )?(the|we|i|my|it|this|that|you (were|had|didn'?t|weren'?t))\b",
    r"\b(we|i) (dropped|let you down|got this wrong)\b",
    r"\bi (did|made) (a|an|the)\b",
)
DISAGREE_RESPECT = _rx(
    r"\bi see (it|this|that) (a bit |slightly )?differently\b",
    r"\bmy (view|read|understanding|take|perspective) (is|was)\b",
    r"\bi'?d (like|love) to (share|add|give|offer|explain) (some |a bit of |my )?(context|"
    r"perspective|view|side)\b",
    r"\bfrom my side\b|\bfrom where i sat\b",
    r"\bi (respectfully|gently) (disagree|push back)\b",
    r"\bcan i (share|offer|add) (some |a bit of )?(context|perspective)\b",
    r"\bi (do|did) (want|need) to (flag|mention|note)\b",
    r"\b(for context|some context)\b",
)

# --- acknowledge ------------------------------------------------------------------------

THANKS = _rx(
    r"\bthank(s| you)\b",
    r"\bi (really |do |genuinely |truly )?(appreciate|value)\b",
    r"\bappreciated\b",
    r"\bgrateful\b",
)
ACK_POINT = _rx(
    r"\byou'?re (right|not wrong|fair)\b",
    r"\b(that'?s|that is|it'?s|this is) (a )?(fair|true|valid|good|helpful|useful|really useful|"
    r"really helpful|clear|important)( point| feedback| question| catch| call)?\b",
    r"\b(fair|good|valid) (point|catch|call|question|enough)\b",
    r"\bi hear (you|that|what you)\b",
    r"\bi (can |do )?(see|understand|get) (what you mean|your point|why|that|how|the point|the "
    r"concern|where you)\b",
    r"\bmakes? (a lot of |total |complete |perfect |good )?sense\b",
    r"\bi take (the|your|that|this) point\b",
    r"\bpoint taken\b",
    r"\bi agree\b",
    r"\bthat (helps|is helpful|lands|stings but)\b",
    r"\bi hadn'?t (thought|looked at it|seen it|realised|realized)\b",
    r"\bgood to know\b",
    r"\byou shouldn'?t have (had|needed) to\b",
    r"\b(is|was|sounds) (really |very )?(serious|frustrating|worrying|a real problem)\b",
    r"\bi take (the|that|your) (point|comment|feedback)\b",
    r"\bi'?m glad you (told|said|raised|flagged|mentioned)\b",
    r"\bthat'?s (hard|tough|difficult) to hear\b",
)
PERFUNCTORY = _rx(
    r"^(ok(ay)?|noted|got it|sure|fine|right|understood|alright|cool|ack|will do|roger)\b",
    r"^(ok(ay)?|sure|fine),? (thanks|thank you)\b",
    r"^(thanks|thank you|ty|cheers)[.! ]*$",
)
SPECIFIC_THANKS = _rx(
    r"\bthank(s| you)( so much| a lot| very much| again)?\s*(for|—|-)\s*\w+",
    r"\bi (really |do |genuinely |truly )?(appreciate|value) (you|your|the|that|this|how|it|"
    r"hearing|being)\b",
)


GENERIC_THANKS = _rx(
    r"\bthank(s| you)( so much| a lot| very much| again)?,? (for|—|-|,)\s*(the|your)? ?(feedback|"
    r"letting me know|telling me|saying (that|so|this)|that|this|it|the kind words|the praise|"
    r"sharing)\b",
    r"\bappreciate (the|your) (kind words|feedback|praise|time|honesty|comments)\b",
)
ACCEPT = _rx(
    r"\byou'?re (right|not wrong|absolutely right|completely right)\b|\byou are right\b",
    r"\b(that'?s|that is|it'?s|this is) (a )?(very |really |totally |completely )?"
    r"(fair|true|valid)\b",
    r"\b(fair|good|valid) (point|catch|call)\b|(?<!be )\bfair\b[,.!]",
    r"\bi (completely |totally |fully )?agree\b",
    r"\b(yes|yeah),? i (know|think i (sort of |kind of )?knew)\b",
    r"\bi take (the|that|your) point\b|\bpoint taken\b",
    r"\bi (can |do )?see (what you mean|your point|why|that|how|where)\b",
    r"\bi (completely |totally )?understand (that|why|how|it'?s|the)\b",
    r"\b(isn'?t|wasn'?t|aren'?t) (okay|ok|acceptable|good enough)\b",
    r"\bi'?d (much )?rather (know|hear|you)\b",
)
ENGAGE = _rx(
    r"^(ok(ay)?|noted|got it|sure|fine|right|understood|alright|yes|yeah|yep|of course|"
    r"absolutely|will do|fair enough|i understand|i see)\b",
    r"\b(sorry|apologi[sz]e|my apologies|thank|thanks|appreciate|understood|i understand)\b",
)


def _opens_defensively(sents: Sequence[Sentence]) -> Sentence | None:
    """A reply that starts by arguing, justifying or challenging."""
    first = sents[0]
    if (
        DISMISS.search(first.low)
        or EXCUSE.search(first.low)
        or DEFENSIVE_OPEN.search(first.low)
        or (first.text.endswith("?") and len(first.low.split()) <= 4)
        or RHETORICAL.search(first.low)
    ):
        return first
    return None


def score_acknowledge(sents: Sequence[Sentence]) -> Mark:
    if not sents:
        return Mark("acknowledge", 0, "", "There is no reply to read.")
    if s := _first(sents[:3], SARCASM):
        return Mark(
            "acknowledge", 0, s.text, "This reads as sarcasm, so the thanks lands as a dismissal."
        )
    accepts = [
        s
        for s in sents[:4]
        if (ACCEPT.search(s.low) or (s in sents[:2] and _owns(s) and ENGAGE.search(s.low)))
        and not SARCASM.search(s.low)
    ]
    engaged = [s for s in sents[:3] if ENGAGE.search(s.low) or THANKS.search(s.low)]
    defensive = _opens_defensively(sents)
    if defensive and not accepts and not (engaged and engaged[0] is sents[0]):
        return Mark(
            "acknowledge",
            0,
            defensive.text,
            "The reply opens by defending or challenging, so their point is never acknowledged.",
        )
    first = (accepts or engaged or [sents[0]])[0]
    turns = len(sents) > 1 and sents[1].low.startswith(("but ", "however"))
    if first is sents[0] and (_yes_but(first) or turns) and not accepts[1:]:
        return Mark(
            "acknowledge",
            1,
            first.text,
            'The acknowledgement is followed at once by "but", so it sounds like a preface to '
            "disagreeing.",
        )
    specific = [
        s for s in engaged if SPECIFIC_THANKS.search(s.low) and not GENERIC_THANKS.search(s.low)
    ]
    if accepts and not _all(accepts, SELF_INSULT):
        return Mark("acknowledge", 2, accepts[0].text, "You accept their point, in so many words.")
    if specific:
        return Mark(
            "acknowledge", 2, specific[0].text, "Specific thanks that names what they did or said."
        )
    if engaged:
        return Mark(
            "acknowledge",
            1,
            engaged[0].text,
            "The acknowledgement is brief or generic: say which point you heard, and that "
            "it's fair.",
        )
    return Mark(
        "acknowledge",
        1,
        "",
        "You respond, but without acknowledging their point: start by saying what you heard.",
    )


SORRY = _rx(r"(sorry|apologi[sz]e|my apologies)")


def _yes_but(s: Sentence) -> bool:
    """'Thanks, but…': an acknowledgement that turns at once into a defence."""
    turn = re.search(r"^.{0,60}\b(but|however|i just think|i still think)\b", s.low)
    return bool(turn) and not re.search(r"\bbut (you'?re|that'?s|it'?s) (right|fair|true)\b", s.low)


# --- clarify ----------------------------------------------------------------------------

QUESTION_START = _rx(
    r"^(could|can|would|will|should|do|does|did|is|are|was|were|what|which|when|where|who|how|"
    r"why|shall|might|may|any)\b",
)
EMBEDDED_ASK = _rx(
    r"\bi'?d (love|like) to (understand|know|hear|see|learn)\b",
    r"\bi (want|need) to understand\b",
    r"\b(could|can|would) you (walk|talk) me through\b",
    r"\bit would help (me )?(to|if you could) (know|hear|see|understand)\b",
    r"\bi'?m (curious|wondering) (what|which|how|whether|if)\b",
    r"\bhelp me understand\b",
)
RHETORICAL = _rx(
    r"\bwhy (didn'?t|don'?t|wouldn'?t|won'?t|couldn'?t|can'?t) (you|anyone|someone|they)\b",
    r"\bwhat (did|do|else do|else did) you (expect|want)\b",
    r"\bhow (was|am) i (supposed|meant) to\b",
    r"\bare you (serious|kidding|joking)\b",
    r"\bis (that|this|it) (really|even|honestly) (a|that|so|an)\b",
    r"\bdo you (even|really|honestly)\b",
    r"\bwho (cares|says|decided)\b",
    r"\bwhat'?s the (big deal|point|problem)\b",
    r"\bseriously\?",
    r"\bsince when\b",
    r"\bwhy (is|does) (it|that|this) (matter|even)\b",
    r"\bwhat more do you want\b",
    r"\bhow (is|was) (that|this) my (fault|problem)\b",
    r",\s*(right|okay|ok|no)\?$|\bisn'?t it\?$",
    r"\beven for\b",
)
REASSURANCE = _rx(
    r"\b(am i|was i|is it) (going to|gonna) (be )?(fired|let go|sacked|fail)",
    r"\bam i (in trouble|failing|bad|a bad|still|doing okay|doing ok|doing alright|going to)\b",
    r"\b(is|will) (this|that|it) (going to |gonna )?(go on|affect|count|hurt|ruin|be on|end up)\b",
    r"\b(is|was) it (really )?(that|so) (serious|bad|big|important)\b",
    r"\bis (it|this|my job|everything) (really )?(that bad|okay|ok|alright|fine|still)\b",
    r"\bare you (disappointed|angry|upset|mad|annoyed)\b",
    r"\bdo you (still )?(think i('m| am| was| will)|hate|trust|like me)\b",
    r"\bdid i (ruin|mess|blow)\b",
    r"\bdo (they|you|people) (hate|think less)\b",
    r"\bcan you (forgive|ever)\b",
    r"\bwill (this|it) (affect|hurt|ruin|count)\b",
    r"\bwill i (still|ever|be)\b",
    r"\bis my (job|place|position|promotion) (safe|at risk)\b",
    r"\bis (it|this|that) a (big|real|serious|huge) (problem|issue|deal)\b",
    r"\b(do you think|are you saying) i('m| am)? ?(not|am not|can'?t)\b",
    r"\b(is this|is it) a bad sign\b|\bdo they think i'?ll\b|\bwas it close\b",
    r"\bdo you think i'?d\b|\bwould i have (got|gotten|passed)\b",
)
GENERIC_Q = _rx(
    r"^any (tips|advice|thoughts|suggestions|ideas|pointers|feedback|other)\b",
    r"\bany (tips|advice|pointers|suggestions|ideas)\b\s*\??$",
    r"^(what do you mean|what does that mean|meaning|like what|how so|such as)\s*\??$",
    r"^(can|could) you (clarify|elaborate|explain|be more specific)( (that|a bit|more|please))?"
    r"\s*\??$",
    r"^what should i do\s*\??$",
    r"^(is there )?anything else\b",
    r"^(how|what) can i (improve|do better|get better|fix it|fix this)\s*\??$",
    r"^what do you (suggest|recommend)\s*\??$",
    r"^(do you have|got) any\b.{0,20}\??$",
    r"^is that (it|all|everything)\s*\??$",
    r"^(so )?what now\s*\??$",
    r"\bwhat seems to be the (problem|issue)\b",
)
SPECIFIC_Q = _rx(
    r"\bexamples?\b",
    r"\b(a|one|the|that) (specific )?(moment|time|instance|case|meeting|comment|slide|section|"
    r"part|place|point|line|paragraph|page)\b",
    r"\bwhat (would|does|did|should|might|could) (good|great|better|strong|success|"
    r"strategic|\w+ing well|\"\w+\"|'\w+'|a stronger|the ideal|a good|done) (look|sound|feel)"
    r"( like)?\b",
    r"\blook like\b|\bsound like\b",
    r"\b(which|what) (one|ones|part|parts|point|points|comment|comments|area|areas|thing|things|"
    r"section|sections|issue|issues|of these|of those|bit|matters|should i|would you|do you)\b",
    r"\b(priorit\w*|most important|matters most|biggest|first|start with|focus on|top)\b",
    r"\bfor (instance|example)\b",
    r"\b(do you mean|did you mean|is it more|is it the|was it the|was it more|or was it|"
    r"or is it)\b",
    r"\bwould it (help|work|be better|make sense) (if|to)\b",
    r"\b(how|what) would you (have|do|approach|handle|want|suggest|recommend|prefer|expect|"
    r"like)\b",
    r"\b(should|could|shall) i (start|begin|focus|prioriti[sz]e|aim|try|keep|drop|cut|move|"
    r"lead|open|add|use|send|put|share|bring)\b",
    r"\bwhat (specifically|exactly|in particular)\b|\bspecifically\b",
    r"\b(how|what) (much|many|long|often|level|kind|sort|standard|threshold)\b",
    r"\bwhere (did|do|does|was|were|should|would)\b",
    r"\bwhen (you|did|was|were|i)\b",
    r"\b(is|was) (it|that|the) (mainly|mostly|more|less|about)\b",
    r"\bhow did (it|that|i|the)\b",
    r"\bwho (should|else|would)\b",
)
FOLLOW_UP_ASK = _rx(
    r"\brun (it|this|that|them|the \w+) (past|by) you\b",
    r"\b(review|look over|look at|take a (quick )?look|check|read|go through|see|sign off|"
    r"re-review|rereview|glance)\b.{0,40}\b(draft|version|changes|update|plan|it|again|"
    r"before|after|revised|next|new|once)\b",
    r"\b(check|catch) (in|up|back)\b",
    r"\b(set up|book|schedule|find|grab) (a|some|ten|fifteen|15|10|20|thirty|30)\b",
    r"\bfollow up\b|\bcircle back\b|\btouch base\b|\bcome back to you\b",
)


DEFENSIVE_Q = _rx(
    r"^(yes|yeah|sure|okay|ok|thanks)?,? ?(yes|yeah|thanks)?,? ?but\b",
    r"\bi (kind of |sort of )?(thought|assumed|was told)\b",
)
SEMI_ASK = _rx(
    r"\bif there'?s (a|any|anything) (specific|particular|in particular)\b",
    r"\blet me know if there'?s anything (in particular|specific)\b",
)


def _is_question(s: Sentence) -> bool:
    if len(s.low.split()) <= 3 and s.text.rstrip().endswith("?") and not GENERIC_Q.search(s.low):
        return False  # "Presence?", "Who taught me?": an echo that challenges, not a question
    return s.text.rstrip().endswith("?") or bool(EMBEDDED_ASK.search(s.low))


def score_clarify(sents: Sequence[Sentence]) -> Mark:
    questions = [s for s in sents if _is_question(s)]
    if not questions and (semi := _first(sents, SEMI_ASK)):
        return Mark(
            "clarify",
            1,
            semi.text,
            "You invite specifics without asking for them: ask the question.",
        )
    if not questions:
        return Mark("clarify", 0, "", "There is no question that would make the feedback concrete.")
    real = []
    weak: list[tuple[Sentence, str]] = []
    for q in questions:
        if RHETORICAL.search(q.low) or DEFENSIVE_Q.search(q.low):
            weak.append((q, "This question is rhetorical; it challenges them rather than asks."))
        elif REASSURANCE.search(q.low):
            weak.append((q, "This question asks for reassurance rather than for specifics."))
        elif GENERIC_Q.search(q.low.strip()) or len(q.low.split()) <= 3:
            weak.append((q, "The question is generic, so the answer will be generic too."))
        elif FOLLOW_UP_ASK.search(q.low) and not SPECIFIC_Q.search(q.low):
            continue  # a request to check back (scored under follow_up), not a clarifying one
        elif SPECIFIC_Q.search(q.low) or len(q.low.split()) >= 9:
            real.append(q)
        else:
            weak.append(
                (q, "The question is a start, but vague: ask for an example or a priority.")
            )
    if not real and not weak and (semi := _first(sents, SEMI_ASK)):
        weak.append((semi, "You invite specifics without asking for them: ask the question."))
    if real:
        return Mark(
            "clarify", 2, real[0].text, "A specific question that turns the feedback into detail."
        )
    if weak:
        return Mark("clarify", 1, weak[0][0].text, weak[0][1])
    return Mark(
        "clarify",
        0,
        "",
        "Your questions arrange a check-back; none asks what the feedback means in practice.",
    )


# --- ownership --------------------------------------------------------------------------


def _owns(s: Sentence) -> bool:
    """A clause that owns something and does not excuse it in the same breath."""
    if s.text.endswith("?"):
        return False
    return any(
        OWN.search(clause) and not EXCUSE.search(clause)
        for clause in re.split(r",? but |,? although |; | — | - ", s.low)
    )


PARTIAL_OWN = _rx(
    r"\b(probably|maybe|perhaps|i guess|sort of|kind of|a bit|might have)\b",
    r"\bi didn'?t (mean|realise|realize|know|intend)\b",
)


def score_ownership(sents: Sequence[Sentence]) -> Mark:
    grovel = _all(sents, GROVEL) + _all(sents, SELF_INSULT)
    sorry_count = sum(len(re.findall(r"\b(sorry|apologi[sz]e)", s.low)) for s in sents)
    if grovel or sorry_count >= 3:
        hit = grovel[0] if grovel else _first(sents, _rx(r"\bsorry\b|\bapologi"))
        assert hit is not None
        return Mark(
            "ownership",
            0,
            hit.text,
            "This is heavy self-blame: it asks them to comfort you instead of owning the fix.",
        )
    excuse = _first(sents, EXCUSE)
    owns = [s for s in sents if _owns(s)]
    accepts = [
        s
        for s in sents[:4]
        if ACCEPT.search(s.low)
        and not (SARCASM.search(s.low) or EXCUSE.search(s.low) or _yes_but(s))
        and not re.search(r"\bthough\b|\brather (know|hear)\b", s.low)
    ]
    defensive = _opens_defensively(sents) or _first(sents, DISMISS) or _first(sents, ABUSE)
    if not owns and not accepts:
        if excuse or defensive:
            hit = excuse or defensive
            assert hit is not None
            return Mark(
                "ownership", 0, hit.text, "This explains the problem away or puts it elsewhere."
            )
        if sorry := _first(sents, _rx(r"\b(sorry|apologi[sz]e|my apologies)\b")):
            return Mark(
                "ownership",
                1,
                sorry.text,
                "An apology, but not what for: say plainly which part was yours.",
            )
        if len(" ".join(s.low for s in sents).split()) <= 3:
            return Mark("ownership", 0, "", "The reply doesn't take anything on.")
        if d := _first(sents, DISAGREE_RESPECT):
            return Mark(
                "ownership",
                1,
                d.text,
                "You state your view respectfully, but don't yet say which part is yours.",
            )
        return Mark(
            "ownership",
            1,
            "",
            "The reply neither owns nor excuses anything: say which part of this is yours.",
        )
    best = (owns or accepts)[0]
    if not owns and not _first(sents, COMMIT):
        return Mark(
            "ownership",
            1,
            best.text,
            "You accept the point, but not yet your part in it: say what you did, or will change.",
        )
    if excuse and excuse is not best and not owns:
        return Mark(
            "ownership",
            1,
            excuse.text,
            "You accept the point, but the excuse beside it takes some of that back.",
        )
    if owns and excuse:
        return Mark(
            "ownership",
            1,
            excuse.text,
            "You own part of it, but the excuses around it take some of that back.",
        )
    if PARTIAL_OWN.search(best.low) and len({s.text for s in owns + accepts}) <= 1:
        return Mark(
            "ownership",
            1,
            best.text,
            "The ownership is hedged; say it plainly, once, without “probably” or “I didn't mean”.",
        )
    return Mark("ownership", 2, best.text, "Clear, proportionate ownership of your part.")


# --- composure --------------------------------------------------------------------------


def _shouting(s: Sentence) -> bool:
    letters = [c for c in s.text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7


LECTURE = _rx(r"\bthere'?s no need to\b|\bcalm down\b|\bdon'?t talk to me\b")


def score_composure(sents: Sequence[Sentence]) -> Mark:
    abuse = [s for s in sents if ABUSE.search(s.low) and not SELF_INSULT.search(s.low)]
    if abuse:
        return Mark(
            "composure",
            0,
            abuse[0].text,
            "This is abusive. However unfair the feedback feels, insults end the conversation "
            "and hurt the person — pause, breathe, and say you need a moment.",
        )
    for pattern, why in (
        (SARCASM, "This is sarcastic; it tells them you are not really listening."),
        (DISMISS, "This argues with or dismisses the feedback, which reads as defensive."),
        (LECTURE, "This turns the tables and lectures them, which reads as defensive."),
    ):
        if s := _first(sents, pattern):
            return Mark("composure", 0, s.text, why)
    if s := next((s for s in sents if _shouting(s)), None):
        return Mark("composure", 0, s.text, "Capitals read as shouting.")
    accepts = [s for s in sents if (ACCEPT.search(s.low) or _owns(s)) and not EXCUSE.search(s.low)]
    excuses = _all(sents, EXCUSE)
    defensive = _opens_defensively(sents)
    if not accepts and (defensive or len(excuses) >= 2):
        hit = defensive or excuses[0]
        return Mark(
            "composure", 0, hit.text, "The reply argues its case instead of hearing theirs."
        )
    first = sents[0]
    if _yes_but(first) or (len(sents) > 1 and sents[1].low.startswith(("but ", "however"))):
        return Mark("composure", 1, first.text, '"Yes, but…" puts an edge on the reply.')
    edge = _all(sents, EDGE) + excuses
    if edge:
        return Mark(
            "composure",
            1,
            edge[0].text,
            "There is an edge here: it sounds like you are defending yourself.",
        )
    justifying = [s for s in sents if re.search(r"\b(because|since|the reason)\b", s.low)]
    if len(justifying) >= 3:
        return Mark(
            "composure",
            1,
            justifying[0].text,
            "A lot of justification; it starts to sound like a defence.",
        )
    if len(" ".join(s.low for s in sents).split()) <= 2:
        return Mark(
            "composure", 1, first.text, "Too short to read as calm engagement; it can sound curt."
        )
    return Mark("composure", 2, "", "Calm and non-defensive throughout.")


# --- next step and follow-up ------------------------------------------------------------

COMMIT = _rx(
    r"\bi'?ll\b|\bi will\b|\bi'?m going to\b|\bi am going to\b|\bi plan to\b|\bmy plan is\b",
    r"\bi'?m (planning|aiming|hoping|intending) to\b|\bi intend to\b",
    r"\blet me (?!know)\b|\bi can (have|send|get|do|put|draft|write|share|make|book|set|"
    r"restore|redo|fix|add|bring|run|go|try|start)\b|\bi could\b",
    r"^(will|i'll) \w+|\bfrom now on\b|\bgoing forward,? i\b|\bwe can (sit|meet|go|look)\b",
    r"\bi'?ve (already )?(gone back|raised|flagged|checked|called|sent|fixed|rung|emailed|"
    r"updated|asked|written|put|restored|corrected)\b",
    r"\b(could|can|shall|should) i (draft|write|send|put together|prepare|bring|share|try|"
    r"redo|rework|rewrite|run|do|make|book|set up|start|add|take)\b",
    r"\bi'?d (like to|love to|want to|suggest|propose)\b",
    r"\b(my|the) next step\b|\bi'?m (starting|going to start|rewriting|redoing|fixing|adding)\b",
    r"\b(what if|how about) i\b",
    r"\bi want to (try|start|draft|write|redo|rework|fix|practise|practice|prepare)\b",
    r"\bi'?ve (already )?(started|booked|set up|added|blocked|scheduled)\b",
    r"\bwon'?t happen again\b",
)
VAGUE_STEP = _rx(
    r"\b(do|be|get) better\b",
    r"\bimprove\b\s*[.!]?$",
    r"\bi'?ll (try|think about|keep (that|it|this) in mind|bear (that|it) in mind|look into|"
    r"work on (it|that|this|things)|see what i can|be more careful|make sure it doesn'?t|"
    r"take (that|it|this) on board|do my best|consider|reflect|try harder|fix it|sort it)\b",
    r"\bwhen i (get|have|find) (a|the) (minute|moment|chance|time)\b",
    r"\bif i (have|get|find) (the )?time\b",
    r"\b(maybe|perhaps|possibly|hopefully|i guess|i suppose|might|at some point|eventually|"
    r"sometime|some point|one day|i could try)\b",
    r"\bwon'?t happen again\b",
    r"\bi'?ll (be|make it) (more|less|better)\b",
    r"\bgoing forward\b.{0,20}$",
)
CONCRETE_OBJ = _rx(
    r"\b(draft|write|rewrite|redo|rework|add|remove|cut|move|send|share|book|schedule|set up|"
    r"prepare|practise|practice|rehearse|run|test|stream|split|refactor|record|list|outline|"
    r"bring|put together|build|read|update|check|review|fix|change|lead|open|start|block|"
    r"restructure|trim|shorten|reorder|create|sketch|map|ask|email|message|call|write up|"
    r"summari[sz]e|note|track|try|use|replace|plan|pair|walk|go through|document|label)\b.{0,80}"
    r"\b(\w{4,})\b",
)
FOLLOW = _rx(
    r"\b(check|catch) (in|up|back)\b",
    r"\bfollow(ing)? up\b|\bcircle back\b|\btouch base\b|\bcome back to you\b|\bget back to you\b",
    r"\b(send|show|share|bring|run)\b(?! you (what|how)).{0,60}\b(you|by you|past you|"
    r"over to you|with you)\b",
    r"\b(could|can|would|will) you\b.{0,40}\b(look|review|check|read|glance|go over|sit in|"
    r"watch|observe|sign off|re-?review|give me feedback|tell me (if|whether|how))\b",
    r"\b(get|have|hear|ask for) your (feedback|thoughts|eyes|view|take|opinion) on\b",
    r"\brun (it|this|that|them|the \w+) (past|by) you\b|\bcheck together\b",
    r"\b(we can|we could|let'?s) (sit down|meet|go through|look|review|check|talk|catch up)\b",
    r"\b(get|ask|have) you to (look|check|review|see|read|sign)\b",
    r"\b(review|look at|go over|talk through|discuss) (it|this|that|the|my|them) "
    r"(together|with you|again)\b",
    r"\b(ask|get) (you|your)\b.{0,30}\b(look|review|feedback|opinion|thoughts|check)\b",
    r"\b(book|schedule|set up|grab|find)\b.{0,30}\b(time|call|chat|meeting|slot|minutes|"
    r"catch-up|check-in)\b",
    r"\b(at|in|during) (our|the|my) (next )?(one-to-one|1:1|catch-up|check-in|meeting|review|"
    r"supervision|session)\b.{0,40}\b(discuss|talk|go over|review|show|share|update|look)\b",
    r"\bupdate you\b|\bkeep you (posted|updated|in the loop)\b|\blet you know\b",
    r"\b(call|ring|email|message|phone) you back\b",
    r"\b(message|email|text|ping|tell|show|call) you (when|once|after|as soon as)\b",
    r"\bso (that )?you can (check|review|look)\b",
    r"\blet'?s (go through|look at|review|check|meet|catch up|talk|revisit)\b",
    r"\btell me (in|after|at|by|next)\b.{0,40}\b(whether|if|how)\b",
    r"\bbring (it|them|the \w+|this|that|my \w+) back\b|\bback to (critique|the team|review)\b",
    r"\b(could|can|shall|should|might) we\b.{0,50}\b(look|review|check|revisit|go over|talk|"
    r"discuss|meet|catch up|come back|book|schedule|set)\b",
    r"\b(come|sit) in (on|and)\b|\bcome and (watch|see|observe)\b",
    r"\b(again|back) to you\b",
    r"\bre-?review\b",
    r"\bsee (if|whether|how) (it|that|this)\b.{0,40}\b(landed|works|worked|better|helps|helped|"
    r"you)\b",
    r"\b(is|would) (that|it) (work|okay|ok|suit) (for you)?\b",
)
VAGUE_FOLLOW = _rx(
    r"\blet (me|us) know\b",
    r"\b([0-9]+|four|4pm|that|then|[a-z]+day) (is|works|sounds) (fine|good|great)( for me)?\b",
    r"\bkeep me posted\b",
    r"\bfeel free to\b",
    r"\b(reach out|get in touch) if\b",
    r"\bi'?ll let you know (how|if)\b",
    r"\bat some point\b|\bsometime\b|\bsome time\b|\bwhenever\b",
    r"\bif you (ever )?(have|get|find) (time|a minute|a moment|a chance)\b",
    r"\bdoor is (always )?open\b",
)


NOT_MINE = _rx(
    r"\bi'?ll need you to\b",
    r"\b(do|does|did) (they|you|he|she) think i'?ll\b",
    r"\bi'?ll (just )?leave the mistakes\b",
)
CONDITIONAL = _rx(r"^if you\b|\bif you (tell|want|send|let|give)\b")
HEDGE = _rx(
    r"\bwhen i (get|have|find) (a|the) (minute|moment|chance|time)\b|\bif i (have|get|find) "
    r"(the )?time\b|\bwhen i have time\b|\bat some point\b|\beventually\b"
)


def score_next_step(sents: Sequence[Sentence]) -> Mark:
    commits = [s for s in sents if COMMIT.search(s.low) and not NOT_MINE.search(s.low)]
    if not commits:
        return Mark("next_step", 0, "", "There is no action of your own that you commit to.")
    plain = [s for s in commits if not CONDITIONAL.search(s.low) and not HEDGE.search(s.low)]
    timed = [s for s in plain if TIME.search(s.low) and not VAGUE_STEP.search(s.low)]
    concrete = [s for s in plain if not VAGUE_STEP.search(s.low) and len(s.low.split()) >= 6]
    if timed:
        return Mark("next_step", 2, timed[0].text, "A concrete action, with when you'll do it.")
    if concrete:
        return Mark(
            "next_step",
            2,
            concrete[0].text,
            "A concrete action of your own (adding when would make it stronger still).",
        )
    return Mark(
        "next_step",
        1,
        commits[0].text,
        "The commitment is vague or hedged, so neither of you will know when it is done.",
    )


def score_follow_up(sents: Sequence[Sentence]) -> Mark:
    follows = [s for s in sents if FOLLOW.search(s.low)]
    vague = [s for s in sents if VAGUE_FOLLOW.search(s.low)]
    specific = [s for s in follows if TIME.search(s.low) and not VAGUE_FOLLOW.search(s.low)]
    if specific:
        return Mark(
            "follow_up", 2, specific[0].text, "A specific check-back with them, with a time."
        )
    concrete = [
        s
        for s in follows
        if not VAGUE_FOLLOW.search(s.low)
        and re.search(
            r"\b(draft|version|changes|plan|outline|slides?|deck|code|pr|pull request|"
            r"rewrite|revised|updated|fix|next|one-to-one|1:1|meeting|call|review|lesson|class|"
            r"session|shift|sheet|list|results|balance|criteria|run)\b",
            s.low,
        )
    ]
    if concrete:
        return Mark("follow_up", 2, concrete[0].text, "A specific way to close the loop with them.")
    if follows or vague:
        hit = (follows or vague)[0]
        return Mark(
            "follow_up",
            1,
            hit.text,
            "Closing the loop is left open: name what you'll bring back to them, and when.",
        )
    return Mark("follow_up", 0, "", "Nothing proposes coming back to them to close the loop.")


SCORERS: dict[str, Callable[[Sequence[Sentence]], Mark]] = {
    "acknowledge": score_acknowledge,
    "clarify": score_clarify,
    "ownership": score_ownership,
    "composure": score_composure,
    "next_step": score_next_step,
    "follow_up": score_follow_up,
}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", _fold(text))


def repeats(reply: str, feedback: str) -> bool:
    """Is the reply mostly the giver's own words pasted back?"""
    said, given = _words(reply), set(_words(feedback))
    return len(said) >= 8 and sum(w in given for w in said) / len(said) >= 0.8


def score_reply(reply: str, feedback: str = "") -> list[Mark]:
    """All six marks for one reply, in rubric order; each dimension scored on its own.
    ``feedback`` is what the giver said (a reply that pastes it back scores nothing)."""
    if feedback and repeats(reply, feedback):
        why = "This repeats their feedback back to them; write your own reply to it."
        return [Mark(d, 0, "", why) for d in DIMENSIONS]
    sents = sentences(reply)
    return [SCORERS[d](sents) for d in DIMENSIONS]


def is_abusive(reply: str) -> bool:
    return any(ABUSE.search(s.low) and not SELF_INSULT.search(s.low) for s in sentences(reply))
