"""What a search returns: passages, one result per article, the filters that applied (chosen
or inferred), and the retrieval as a whole (rejected or not, its confidence, 'closest', the
parts of a long post); the Retriever protocol the features take."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from assistant.knowledge import Card

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class Passage:
    chunk_id: str
    text: str
    heading: str
    score: float


@dataclass(frozen=True)
class Result:
    doc_id: str
    title: str
    stage: str
    path: str
    score: float
    passages: tuple[Passage, ...]
    card: Card | None = None  # the document's answer card, for library mode

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.passages)

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "stage": self.stage,
            "path": self.path,
            "score": round(self.score, 4),
            "text": self.text,
            "passages": [
                {
                    "chunk_id": p.chunk_id,
                    "heading": p.heading,
                    "text": p.text,
                    "score": round(p.score, 4),
                }
                for p in self.passages
            ],
        }


@dataclass(frozen=True)
class Filters:
    """The filters the user chose, and the hints inferred from the question: a stage and
    industries it names are boosts, never filters (an industry word in a post's
    background must not push the right general article out)."""

    stage: str | None = None
    industry: str | None = None
    inferred_stage: str | None = None
    inferred_industry: str | None = None
    industries: tuple[str, ...] = ()  # every industry the question names (boosted)
    stages: tuple[str, ...] = ()  # the stages boosted (a long post's question may name two)
    mentor_side: bool = False  # asks about mentoring others: mentor-side articles shown

    @property
    def industry_filter(self) -> str | None:
        return self.industry


@dataclass
class Retrieval:
    query: str
    results: list[Result]
    rejected: bool
    confidence: float
    filters: Filters = field(default_factory=Filters)
    reason: str = ""
    # Just above the floor: the library covers the question only partly, and the answer
    # is labelled "Closest guidance we have".
    closest: bool = False
    parts: tuple[str, ...] = ()  # the roles of the parts searched (query.py)
    part_confidences: tuple[float, ...] = ()  # each part's own confidence

    @property
    def kind(self) -> str:
        return "rejected" if self.rejected else "closest" if self.closest else "answer"

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "rejected": self.rejected,
            "kind": self.kind,
            "confidence": round(self.confidence, 4),
            "parts": list(self.parts),
            "filters": {
                "stage": self.filters.stage,
                "industry": self.filters.industry_filter,
                "inferred_stage": self.filters.inferred_stage,
                "boosted_industries": list(self.filters.industries),
                "mentor_side": self.filters.mentor_side,
            },
            "results": [r.to_dict() for r in self.results],
        }


class Retriever(Protocol):
    def retrieve(
        self,
        query: str,
        k: int = 5,
        stage: str | None = None,
        industry: str | None = None,
    ) -> Retrieval: ...


def _filters(plan: Any, stage: str | None, industry: str | None) -> Filters:
    """What the user chose (a filter) and what the post names (boosts, never filters)."""
    return Filters(
        stage,
        industry,
        inferred_stage=None if stage else (plan.stages[0] if plan.stages else None),
        inferred_industry=(
            plan.industries[0] if len(plan.industries) == 1 and not industry else None
        ),
        industries=() if industry else plan.industries,
        stages=() if stage else plan.stages,
        mentor_side=plan.mentoring_others or stage == "paying-it-forward",
    )
