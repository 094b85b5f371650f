"""Library-mode composition for Ask: an answer built from the guidance itself when no
model is configured. Plain functions over ``Citation``; no clients."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.generation import Citation
from assistant.text import stems

LIBRARY_LABEL = "**Library mode** — composed from our guidance; no AI model is configured."

SENT_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'“(])")
def _words(text: str) -> set[str]:
    return stems(text)


# An article's sentences about itself ("This article covers …") say what it contains, not
# what to do; disclaimers ("This article is not legal advice") stay.
ROADMAP_RE = re.compile(r"^This (?:article|guide) (?:gives|covers|explains|helps|shows|is about)\b")


def _units(text: str) -> list[str]:
    """Sentences and list items of a passage, cleaned of Markdown markup. Sentences that
    only point to another article ("see …") are left out: they are not advice; nor are
    quoted sample messages (lines starting '>'), which read as noise out of context."""
    units: list[str] = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*]|\d+\.)\s)", text):
        block = "\n".join(ln for ln in block.splitlines() if not ln.lstrip().startswith(">"))
        block = re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", block.strip())
        block = re.sub(r"\s*\n\s*", " ", block)
        if not block or block.startswith(("#", "|", "Topics:", ">")):
            continue
        for sentence in SENT_SPLIT_RE.split(block):
            if "](" in sentence:
                continue
            sentence = sentence.strip()
            if sentence:
                units.append(sentence)
    return [
        u
        for u in units
        if 6 <= len(u.split()) <= 60 and not u.startswith("Topics:") and not ROADMAP_RE.match(u)
    ]


ACTION_RE = re.compile(
    r"^(Ask|Write|Start|Keep|Send|Pick|Choose|Name|Try|Make|Set|List|Book|Say|Thank|Offer|"
    r"Use|Tell|Note|Plan|Prepare|Follow|Be|Avoid|Don't|Do)\b"
)


def compose_library_answer(question: str, sources: Sequence[Citation], max_points: int = 7) -> str:
    """A deterministic answer made of the most relevant sentences and steps, each cited."""
    qwords = _words(question)
    scored: list[tuple[float, int, int, str]] = []
    for src in sources:
        for pos, unit in enumerate(_units(src.text)):
            overlap = len(qwords & _words(unit))
            if overlap < (0 if src.n == 1 else 1 if src.n == 2 else 2):
                continue  # lower-ranked sources contribute only what touches the question
            actionable = 0.5 if ACTION_RE.match(unit) else 0.0
            rank_prior = 1.5 / src.n
            scored.append((overlap + actionable + rank_prior - pos * 0.05, src.n, pos, unit))
    scored.sort(key=lambda t: -t[0])
    chosen: list[tuple[int, int, str]] = []
    seen: list[set[str]] = []
    per_source: dict[int, int] = {}
    for _, n, pos, unit in scored:
        w = _words(unit)
        if any(len(w & s) / max(1, len(w | s)) > 0.5 for s in seen):
            continue
        if per_source.get(n, 0) >= (4 if n == 1 else 2):
            continue
        chosen.append((n, pos, unit))
        seen.append(w)
        per_source[n] = per_source.get(n, 0) + 1
        if len(chosen) >= max_points:
            break
    # Keep the guidance in reading order: by source, then position in the passage.
    chosen.sort(key=lambda t: (t[0], t[1]))
    lines = [LIBRARY_LABEL, "", "Here is what our guidance says:", ""]
    lines += [f"- {unit} [{n}]" for n, _, unit in chosen]
    cited = sorted({n for n, _, _ in chosen})
    lines += [
        "",
        "Read more: "
        + "; ".join(f"[{n}] {next(s.title for s in sources if s.n == n)}" for n in cited),
    ]
    return "\n".join(lines)
