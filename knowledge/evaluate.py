"""Measure the matcher on a labelled question set (used by bench/ and the tests)."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.base import KnowledgeBase
from knowledge.model import Decision


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    question: str
    codes: frozenset[str]  # empty = out of scope
    kind: str
    source: str


def load_questions(folder: str | Path) -> list[LabelledQuestion]:
    out: list[LabelledQuestion] = []
    for path in sorted(Path(folder).glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                codes = frozenset(c.strip() for c in (row.get("codes") or "").split(";") if c.strip() and c.strip() != "none")
                out.append(LabelledQuestion(row["question"], codes, (row.get("kind") or "").strip(), path.name))
    return out


@dataclass
class Report:
    in_scope: int = 0
    out_of_scope: int = 0
    top1: int = 0
    top3: int = 0
    answered_right: int = 0
    answered_wrong: int = 0
    clarified_with_right: int = 0
    clarified_without_right: int = 0
    missed: int = 0  # in scope but "none"
    oos_refused: int = 0
    oos_redirected: int = 0  # answered with a redirect entry ("not done here: go to …"), the right outcome
    oos_answered: int = 0
    failures: list[tuple[str, str, list[str], str]] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind → [n, top1]

    def pct(self, n: int, d: int) -> float:
        return 100.0 * n / d if d else 0.0

    def summary(self) -> dict[str, float]:
        return {
            "questions_in_scope": self.in_scope,
            "questions_out_of_scope": self.out_of_scope,
            "top1_pct": round(self.pct(self.top1, self.in_scope), 1),
            "top3_pct": round(self.pct(self.top3, self.in_scope), 1),
            "answered_right_pct": round(self.pct(self.answered_right, self.in_scope), 1),
            "answered_wrong_pct": round(self.pct(self.answered_wrong, self.in_scope), 1),
            "clarify_pct": round(self.pct(self.clarified_with_right + self.clarified_without_right, self.in_scope), 1),
            "missed_pct": round(self.pct(self.missed, self.in_scope), 1),
            "oos_refused_pct": round(self.pct(self.oos_refused, self.out_of_scope), 1),
            "oos_redirected_pct": round(self.pct(self.oos_redirected, self.out_of_scope), 1),
            "oos_refused_or_redirected_pct": round(self.pct(self.oos_refused + self.oos_redirected, self.out_of_scope), 1),
        }


def evaluate(kb: KnowledgeBase, questions: list[LabelledQuestion]) -> Report:
    r = Report()
    for q in questions:
        res = kb.ask(q.question)
        codes = [m.code for m in res.matches]
        if not q.codes:
            r.out_of_scope += 1
            if res.decision is Decision.NONE:
                r.oos_refused += 1
            elif res.decision is Decision.ANSWER and codes and codes[0].startswith("redirect."):
                r.oos_redirected += 1
            else:
                r.oos_answered += 1
                r.failures.append((q.question, "none", codes[:3], res.decision.value))
            continue
        r.in_scope += 1
        kind = r.by_kind.setdefault(q.kind, [0, 0])
        kind[0] += 1
        ok1 = bool(codes) and codes[0] in q.codes
        r.top1 += ok1
        kind[1] += ok1
        r.top3 += any(c in q.codes for c in codes[:3])
        if res.decision is Decision.ANSWER:
            if ok1:
                r.answered_right += 1
            else:
                r.answered_wrong += 1
        elif res.decision is Decision.CLARIFY:
            if any(m.code in q.codes for m in res.choices):
                r.clarified_with_right += 1
            else:
                r.clarified_without_right += 1
        else:
            r.missed += 1
        if not ok1 or res.decision is not Decision.ANSWER:
            r.failures.append((q.question, ";".join(sorted(q.codes)), codes[:3], res.decision.value))
    return r
