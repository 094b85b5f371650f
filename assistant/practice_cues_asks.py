"""The practice scorer's cues for what a reply asks and commits to: questions (specific,
generic, rhetorical, reassurance-seeking), next steps, check-backs and hedges. The tone
cues (thanks, excuses, sarcasm…) are in practice_cues.py."""

from __future__ import annotations

from assistant.practice_cues import _rx

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

PARTIAL_OWN = _rx(
    r"\b(probably|maybe|perhaps|i guess|sort of|kind of|a bit|might have)\b",
    r"\bi didn'?t (mean|realise|realize|know|intend)\b",
)

LECTURE = _rx(r"\bthere'?s no need to\b|\bcalm down\b|\bdon'?t talk to me\b")

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
