"""KnowledgeBase: the few verbs the kiosk, the CLI and the admin use."""
from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.answer import compose_answer
from knowledge.match import Matcher
from knowledge.model import Answer, Category, Content, Decision, Detail, Match, Procedure
from knowledge.errors import UnknownProcedure
from knowledge.normalize import fold

MIN_MATCHES = 3
CLARIFY_MAX = 4


@dataclass(frozen=True, slots=True)
class AskResult:
    query: str
    decision: Decision
    matches: list[Match]  # best first
    answer: Answer | None
    transcript: str | None = None
    choices: list[Match] = field(default_factory=list)  # what a clarify screen offers

    def to_json(self) -> dict:
        """The `kiosk ask --json` contract (shared/DESIGN.md)."""
        return {
            "query": self.query,
            "transcript": self.transcript,
            "decision": self.decision.value,
            "matches": [{"code": m.code, "title": m.title, "score": m.score} for m in self.matches],
            "answer": None if self.answer is None else {
                "code": self.answer.code, "title": self.answer.title, "text": self.answer.text,
                "kind": self.answer.kind,
            },
            "choices": [{"code": m.code, "title": m.title, "score": m.score} for m in self.choices],
        }


class KnowledgeBase:
    def __init__(self, content: Content, *, answer_threshold: float | None = None,
                 clarify_threshold: float | None = None):
        self.content = content
        self._by_code = {p.code: p for p in content.procedures}
        self.matcher = Matcher(content.procedures, answer_threshold=answer_threshold,
                               clarify_threshold=clarify_threshold)

    @property
    def version(self) -> str | None:
        return self.content.version

    def procedure(self, code: str) -> Procedure:
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownProcedure(f"không có thủ tục mã {code} / unknown procedure code") from None

    def answer_for(self, code: str) -> Answer:
        return compose_answer(self.procedure(code), self.content.office)

    def ask(self, text: str, *, transcript: str | None = None, limit: int = 5) -> AskResult:
        matches = self.matcher.search(text, limit=max(limit, MIN_MATCHES))
        decision = self.matcher.decide(matches)
        answer = self.answer_for(matches[0].code) if decision is Decision.ANSWER else None
        choices: list[Match] = []
        if decision is Decision.CLARIFY:
            floor = self.matcher.clarify_threshold
            choices = [m for m in matches[:CLARIFY_MAX] if m.score >= floor - 10] or matches[:2]
        return AskResult(text, decision, matches, answer, transcript, choices)

    def vocabulary(self) -> list[str]:
        """Domain phrases to bias speech recognition, most general first: short titles of
        written-up procedures, then their keywords (the recogniser keeps what fits its
        prompt budget)."""
        full = [p for p in self.content.procedures if p.detail is Detail.FULL and not p.retired]
        seen: dict[str, None] = {}
        for p in sorted(full, key=lambda p: len(p.title)):
            seen.setdefault(p.title, None)
        for p in full:
            for k in p.keywords:
                seen.setdefault(k, None)
        return list(seen)

    def categories(self) -> list[Category]:
        return sorted(self.content.categories, key=lambda c: c.order)

    def procedures_in(self, category: str, *, include_brief: bool = False) -> list[Procedure]:
        """Procedures of a field for the touch path: written-up ones first, then by title."""
        out = [p for p in self.content.procedures
               if p.category == category and not p.retired and (include_brief or p.detail is Detail.FULL)]
        # Vietnamese alphabetical order: compare without diacritics ("Đ" among the "D"s).
        return sorted(out, key=lambda p: (p.detail is not Detail.FULL, fold(p.title).lower(), p.title))
