"""Measure the matcher on a labelled question set (used by bench/ and the tests)."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.base import KnowledgeBase
from knowledge.model import Decision, ReplyKind


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    question: str
    codes: frozenset[str]  # empty = out of scope
    kind: str
    source: str
    primary: str = ""  # the first code of the label: the main procedure ("1.001193;3.000722")
    situation: str = ""  # blind sets: the situation the authors wrote from
    persona: str = ""  # who wrote it (blind and authored sets)


def load_questions(folder: str | Path) -> list[LabelledQuestion]:
    out: list[LabelledQuestion] = []
    for path in sorted(Path(folder).glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                listed = [c.strip() for c in (row.get("codes") or "").split(";") if c.strip() and c.strip() != "none"]
                out.append(LabelledQuestion(row["question"], frozenset(listed), (row.get("kind") or "").strip(), path.name,
                                            listed[0] if listed else "", (row.get("situation") or "").strip(),
                                            (row.get("persona") or "").strip()))
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
    # of clarified_without_right and answered_wrong: the right procedure on the page a
    # "Không phải" brings (the clarify screen's second page, an answer's alternatives)
    second_page_right: int = 0
    missed: int = 0  # in scope but "none"
    oos_refused: int = 0  # "none"
    oos_redirected: int = 0  # answered with a redirect entry ("not done here: go to …"), the right outcome
    oos_answered: int = 0
    # of oos_redirected: questions labelled with a redirect entry but sent to another one (still
    # counted as handled, like the "refused or redirected", but a citizen sent to the wrong office)
    oos_redirected_elsewhere: int = 0
    # of oos_redirected: questions labelled with no redirect entry (no office covers the
    # need) sent to one anyway; with oos_redirected_elsewhere, the citizens sent to a wrong office
    oos_redirected_unlabelled: int = 0
    broad: int = 0  # questions that name a family without saying which member
    broad_clarified: int = 0  # … answered with a choice that holds a right member
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
            "oos_redirected_elsewhere_pct": round(self.pct(self.oos_redirected_elsewhere, self.out_of_scope), 1),
            "oos_sent_wrong_pct": round(self.pct(self.oos_redirected_elsewhere + self.oos_redirected_unlabelled,
                                                 self.out_of_scope), 1),
            "offered_right_pct": round(self.pct(self.answered_right + self.clarified_with_right, self.in_scope), 1),
            "offered_two_pages_pct": round(self.pct(self.answered_right + self.clarified_with_right + self.second_page_right,
                                                    self.in_scope), 1),
            "broad_questions": self.broad,
            "broad_clarified_pct": round(self.pct(self.broad_clarified, self.broad), 1),
        }


def _scope(q: LabelledQuestion) -> frozenset[str]:
    """Codes that make an answer right; redirect labels are out of the ward's scope."""
    return frozenset(c for c in q.codes if not c.startswith("redirect."))


def evaluate(kb: KnowledgeBase, questions: list[LabelledQuestion], *, heard: dict[str, list] | None = None) -> Report:
    """``heard``: question → the kiosk's hearings [(transcript, Hearing), …] to measure
    spoken questions; a question heard as nothing is missed (the kiosk says "không nghe rõ")."""
    r = Report()
    for q in questions:
        scope = _scope(q)
        if heard is not None:
            hearings = heard.get(q.question) or [("", None)]
            transcript = hearings[0][0]
            if not transcript:
                if scope:
                    r.in_scope += 1
                    r.missed += 1
                    r.by_kind.setdefault(q.kind, [0, 0])[0] += 1
                    r.failures.append((q.question, ";".join(sorted(scope)), [], "unheard"))
                else:
                    r.out_of_scope += 1
                    r.oos_refused += 1
                continue
            res = kb.ask_heard(hearings)
        else:
            res = kb.ask(q.question)
        codes = [m.code for m in res.matches]
        if not scope:
            r.out_of_scope += 1
            if res.decision is Decision.NONE:
                r.oos_refused += 1
            elif res.decision is Decision.ANSWER and res.answer is not None and res.answer.kind is ReplyKind.REDIRECT:
                r.oos_redirected += 1
                labelled = {c for c in q.codes if c.startswith("redirect.")}
                r.oos_redirected_elsewhere += bool(labelled) and res.answer.code not in labelled
                r.oos_redirected_unlabelled += not labelled
            else:
                r.oos_answered += 1
                r.failures.append((q.question, "none", codes[:3], res.decision.value))
            continue
        r.in_scope += 1
        kind = r.by_kind.setdefault(q.kind, [0, 0])
        kind[0] += 1
        ok1 = bool(codes) and codes[0] in scope
        r.top1 += ok1
        kind[1] += ok1
        r.top3 += any(c in scope for c in codes[:3])
        if q.kind == "broad":
            r.broad += 1
            r.broad_clarified += res.decision is Decision.CLARIFY and any(m.code in scope for m in res.choices)
        if res.decision is Decision.ANSWER:
            if ok1:
                r.answered_right += 1
            else:
                r.answered_wrong += 1
                r.second_page_right += any(m.code in scope for m in res.more_choices)
        elif res.decision is Decision.CLARIFY:
            if any(m.code in scope for m in res.choices):
                r.clarified_with_right += 1
            else:
                r.clarified_without_right += 1
                r.second_page_right += any(m.code in scope for m in res.more_choices)
        else:
            r.missed += 1
        if not ok1 or res.decision is not Decision.ANSWER:
            r.failures.append((q.question, ";".join(sorted(scope)), codes[:3], res.decision.value))
    return r
