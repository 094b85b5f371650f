"""How the practice scorer reads a reply — its sentences (exact substrings, texting spelled
out for matching) — and the cue tables it reads them with (practice_score.py): regular
expressions for time words, thanks, excuses, questions, commitments and so on, one per
kind of evidence. Kept apart so the scoring rules read as rules."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


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


def _first(sents: Sequence[Sentence], pattern: re.Pattern[str]) -> Sentence | None:
    return next((s for s in sents if pattern.search(s.low)), None)


def _all(sents: Sequence[Sentence], pattern: re.Pattern[str]) -> list[Sentence]:
    return [s for s in sents if pattern.search(s.low)]


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


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

SORRY = _rx(r"(sorry|apologi[sz]e|my apologies)")
