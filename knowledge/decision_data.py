"""Labelled rows for fitting and measuring the decision (bench/fit_decision.py,
bench/match_accuracy.py): typed questions and their spoken (espeak-ng → Whisper)
transcripts, each turned into the matcher's evidence and what was right."""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from knowledge.base import KnowledgeBase
from knowledge.decide import OFFERED, Evidence, Hearing
from knowledge.evaluate import LabelledQuestion
from knowledge.normalize import fold

# Neutral openings citizens put before the question (dev augmentation only: the blind
# set showed nothing here). They teach the decision that a long question is not an
# unsure one.
PREAMBLES = (
    "dạ cho tôi hỏi chút", "em chào chị, em ở tổ 5 khu phố 2", "tôi năm nay bảy mươi tuổi rồi, mắt kém",
    "hôm trước tôi có lên đây một lần rồi mà chưa rõ", "chào anh, nhà em ở gần chợ", "con trai tôi dặn hỏi giùm",
)


@dataclass(frozen=True, slots=True)
class Row:
    group: int  # rows from one labelled question share a group (cross-validation folds)
    text: str
    codes: frozenset[str]
    kind: str
    hearing: Hearing | None
    evidence: Evidence
    top: tuple[str, ...]  # ranked codes
    original: bool  # not an augmentation

    @property
    def in_scope(self) -> bool:
        return bool(self.codes)

    @property
    def right_first(self) -> bool:
        # An out-of-scope question whose best match is a redirect ("go to the court") is
        # rightly answered with it: on the development set every such case was the right
        # office (checked by hand, 2026-12-02).
        if not self.codes:
            return bool(self.top) and self.top[0].startswith("redirect.")
        return bool(self.top) and self.top[0] in self.codes

    @property
    def right_offered(self) -> bool:
        if not self.codes:
            return self.right_first
        return any(c in self.codes for c in self.top[:OFFERED])


def load_spoken(path: Path) -> dict[str, dict]:
    if not path.is_file():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["question"]: r for r in rows}


def hearing_of(spoken: dict, prefix: str = "") -> Hearing | None:
    if spoken.get(prefix + "avg_logprob") is None:
        return None
    return Hearing(float(spoken[prefix + "avg_logprob"]), float(spoken[prefix + "no_speech_prob"]))


def hearings_of(spoken: dict) -> list[tuple[str, Hearing | None]]:
    """The kiosk's hearings of a cached spoken question: the first, and the second when
    the kiosk would make one (bench/spoken_questions.py --second)."""
    out = [(spoken["transcript"], hearing_of(spoken))]
    if spoken.get("second"):
        out.append((spoken["second"], hearing_of(spoken, "second_")))
    return out


def keyword_questions(kb: KnowledgeBase, *, seed: int = 7, per_procedure: int = 1) -> list[LabelledQuestion]:
    """Two-to-four-word searches ("tạm trú", "sao y") as typed in the search box: a
    keyword or the head of an alias of each written-up procedure. They teach the
    decision that a short question whose words are all known is not out of scope."""
    from knowledge.model import Detail

    rng = random.Random(seed)
    out = []
    for p in kb.content.procedures:
        if p.detail is not Detail.FULL or p.retired:
            continue
        pool = list(p.keywords) + [" ".join(a.split()[:rng.choice((2, 3, 4))]) for a in p.aliases]
        for text in rng.sample(pool, min(per_procedure, len(pool))):
            hits = kb.matcher.search(text, limit=1)
            # a head shared by several procedures is labelled by whichever contains it
            codes = frozenset({p.code} | {c for c in (h.code for h in hits) if text in " ".join(
                (kb.procedure(c).title, *kb.procedure(c).aliases, *kb.procedure(c).keywords))})
            out.append(LabelledQuestion(text, codes, "keyword", "content"))
    return out


def rows_for(kb: KnowledgeBase, questions: list[LabelledQuestion], spoken: dict[str, dict] | None = None, *,
             augment: bool = False, seed: int = 7) -> list[Row]:
    rng = random.Random(seed)
    out: list[Row] = []

    def add(group: int, text: str, q: LabelledQuestion, hearing: Hearing | None, original: bool,
            heard: list | None = None) -> None:
        if heard:
            r, hearing = kb.rank_heard(heard, limit=4)
        else:
            r = kb.matcher.rank(text, limit=4)
        out.append(Row(group, text, q.codes, q.kind, hearing, r.evidence, tuple(m.code for m in r.matches), original))

    for g, q in enumerate(questions):
        add(g, q.question, q, None, True)
        if augment:
            folded = fold(q.question)
            if folded != q.question:
                add(g, folded, q, None, False)
            add(g, f"{rng.choice(PREAMBLES)}, {q.question}", q, None, False)
        s = (spoken or {}).get(q.question)
        if s is not None and s.get("transcript"):
            add(g, s["transcript"], q, hearing_of(s), True, hearings_of(s))
    return out
