"""Citizens' own questions as evidence: labelled questions → ``Procedure.examples``.

An alias is a phrase someone wrote for the kiosk; an example is a whole question a citizen
asked (or a persona author wrote without seeing the content), with its story, its
regional words and its typos. The matcher indexes examples like aliases at
``MatchParams.example_weight``. ``bench/write_examples.py`` writes them into the
procedure files from the labelled question sets; ``bench/fit_decision.py`` scores every
training question with a matcher that holds only the *other* folds' examples, so the
decision learns what an unseen question's evidence looks like.
"""
from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from knowledge.evaluate import LabelledQuestion, load_questions
from knowledge.model import Content, Detail

# The labelled sets under tests/data whose questions the content holds as examples
# (bench/write_examples.py) and the decision is fitted on (bench/fit_decision.py). Never
# blind5, blind6, blind7 or blind8: the held-out measures (blind3 was until 2026-12-02 11:25, when blind4 was frozen;
# blind4 until 16:47, when blind5 was).
# train7 (needs no entry covers) since 2026-12-06: with the evidence of what a question is
# about (decide.Evidence.pair_coverage …), its rows taught the offer model to refuse them.
# redirect_stories (since 2026-12-06): six questions for each redirect entry no labelled set
# asked about; measured on the development sets, tests/data/redirect_stories/README.md.
EXAMPLE_SETS = ("questions", "blind", "blind2", "blind3", "blind4", "train4", "train6", "off_topic", "off_topic2",
                "train7", "redirect_stories")
# The held-out set: nothing is written, fitted or chosen from it.
HELD_OUT_SET = "blind5"
# Every held-out set: blind5, blind6 (frozen 2026-12-02 20:01: out-of-remit needs only,
# chosen by someone who saw nothing of the content, to measure "out of scope handled"), and
# blind7 (frozen 2026-12-03 10:17: a mixed set like blind5, written after blind5's and
# blind6's out-of-scope needs had been read), blind8 (frozen 2026-12-03 19:10, likewise,
# after blind7 had been measured with the thirteenth session's changes) and blind9 (frozen
# 2026-12-04 07:30, after blind8 had been measured twice) and blind10 (frozen 2026-12-06 04:05,
# after blind9 had been measured at twelve states of the kiosk) and blind11 (frozen 2026-12-06
# 08:48, after blind10 had been measured at two sessions' ends) and blind12 (frozen 2026-12-06
# 12:36, after blind11 had been measured at its freeze and two sessions' ends) and blind13
# (frozen 2026-12-06 14:55, after blind12 had been measured at its freeze and one session's end)
# and blind14 (frozen 2026-12-07 03:09, after blind13 had been measured at five sessions' ends)
# and blind15 (frozen 2026-12-07 09:55, after blind14 had been measured at its freeze and three
# sessions' ends).
HELD_OUT_SETS = (HELD_OUT_SET, "blind6", "blind7", "blind8", "blind9", "blind10", "blind11", "blind12", "blind13",
                 "blind14", "blind15")
# The earlier blind sets: each is left out in turn to choose between designs and to check
# the decision's bars (bench/leave_one_out.py, fit_decision.py, fit_priors.py, fit_sibling.py).
EARLIER_BLIND_SETS = ("blind", "blind2", "blind3", "blind4")
# Development sets measured, never written into the content or fitted on: train9 (180
# questions about catalogue-only procedures) judges the names those procedures carry;
# train10 (960 questions, 2026-12-04) asks about common needs in unusual circumstances;
# off_topic3 (270, 2026-12-04) about paperwork that belongs to neither the ward nor a
# redirect entry; off_topic4 (300, 2026-12-06) remarks and small talk that sound like
# paperwork (as examples or as rows they refused more in-scope questions, docs/matching.md);
# train11 (480, 2026-12-06) new authors as hard as the eleventh blind set's; train12 (480,
# 2026-12-06) vague questions: half name a family or a life event without saying which paper;
# train13 (399, 2026-12-06) a mixed set by four new authors, made like the blind sets;
# train14 (400, 2026-12-07) likewise, four more new authors.
DEVELOPMENT_SETS = ("train9", "train10", "off_topic3", "off_topic4", "train11", "train12", "train13", "train14")
# What the re-ranking of the first candidates (knowledge/rerank.py) is fitted on, leaving each
# set out in turn for its figures (bench/fit_rerank.py): sets neither in the content nor held
# out — training sets 5 (the remit's edge) and 8 (needs another office handles), the
# development sets with in-scope questions, and the authored set. Their figures through the
# whole kiosk are in sample from then on; the fit's left-out figures are not.
RERANK_SETS = ("train5", "train8", "train9", "train10", "train11", "train12", "train13", "train14", "authored")

# Kinds that name one procedure: a broad question names a family (the decision must ask
# back, an example would teach one member), an out-of-scope one names none.
_NOT_EXAMPLES = frozenset({"broad", "out_of_scope"})


@dataclass(frozen=True, slots=True)
class Example:
    code: str
    text: str
    group: str  # questions of one group are held out together (cross-validation)


def examples_of(questions: Iterable[LabelledQuestion], set_name: str) -> list[Example]:
    """One example per labelled question that names a procedure: its first code (the
    labels list the main procedure first, "1.001193;3.000722"). Grouped by situation
    where the set has one (several authors wrote about it), else by file, procedure and
    persona, else by file and procedure: paraphrases of one question must not be each
    other's evidence in a fold."""
    out = []
    for q in questions:
        if q.kind in _NOT_EXAMPLES or not q.codes:
            continue
        code = q.primary
        if q.situation:
            group = f"{set_name}/{q.situation}"
        elif q.persona:  # each of a procedure's questions imagined by another persona
            group = f"{set_name}/{q.source}/{code}/{q.persona}"
        else:
            group = f"{set_name}/{q.source}/{code}"
        out.append(Example(code, q.question, group))
    return out


def off_topic_of(questions: Iterable[LabelledQuestion], set_name: str) -> list[Example]:
    """The questions labelled as about no procedure (small talk, the weather, the toilet),
    as ``Matcher``'s off-topic evidence (code ""). Grouped like ``examples_of``."""
    return [Example("", q.question, f"{set_name}/{q.situation or q.persona or q.source}")
            for q in questions if not q.codes and q.kind != "broad"]


def with_examples(content: Content, examples: Iterable[Example], *, replace: bool = True) -> Content:
    """``content`` whose written-up procedures and redirects hold ``examples`` (codes not in
    the content, or catalogue-only, are skipped: a catalogue entry's examples are its own
    column of catalogue.csv, written for it, not drawn from the labelled sets).
    ``replace``: drop the examples the content had; else add to them."""
    by_code: dict[str, list[str]] = {}
    for e in examples:
        by_code.setdefault(e.code, []).append(e.text)
    procs = []
    for p in content.procedures:
        if p.detail is Detail.BRIEF:
            procs.append(p)
            continue
        kept = () if replace else p.examples
        new = tuple(dict.fromkeys(kept + tuple(by_code.get(p.code, ()))))
        procs.append(dataclasses.replace(p, examples=new) if new != p.examples else p)
    return dataclasses.replace(content, procedures=tuple(procs))


@dataclass(frozen=True)
class ExampleFolds:
    """The content with every example of ``pool`` (what the kiosk ships) and, per fold of
    the pool's groups, the content without that fold's examples — to score a labelled
    question the way an unseen one would be (bench/fit_decision.py, bench/fit_priors.py).
    Examples the content holds that are not in the pool (written by staff) stay in all."""

    full: Content
    full_off_topic: tuple[str, ...]
    folds: tuple[tuple[Content, tuple[str, ...]], ...]  # per fold: content, off-topic questions
    fold_of: dict[str, int]  # group → the fold that holds it out

    def fold(self, group: str) -> int:
        """The fold that holds ``group`` out; -1: none (not in the pool)."""
        return self.fold_of.get(group, -1)


def example_folds(content: Content, pool: list[Example], *, folds: int = 5, seed: int = 5) -> ExampleFolds:
    """``pool``'s groups dealt into ``folds`` at random (``seed``), and the contents of
    :class:`ExampleFolds`."""
    texts = {e.text for e in pool}
    keep = [Example(p.code, x, "content") for p in content.procedures for x in p.examples if x not in texts]
    groups = sorted({e.group for e in pool})
    random.Random(seed).shuffle(groups)
    fold_of = {g: n % folds for n, g in enumerate(groups)}

    def build(examples: list[Example]) -> tuple[Content, tuple[str, ...]]:
        return (with_examples(content, [e for e in examples if e.code]),
                tuple(e.text for e in examples if not e.code))

    full, off = build(keep + pool)
    per = tuple(build(keep + [e for e in pool if fold_of[e.group] != k]) for k in range(folds)) if pool else ()
    return ExampleFolds(full, off, per, fold_of)


def labelled_pool(folder: Path, names: Iterable[str]) -> list[Example]:
    """Examples and off-topic questions of the labelled sets ``names`` under ``folder``."""
    out: list[Example] = []
    for name in names:
        qs = load_questions(folder / name)
        out += examples_of(qs, name) + off_topic_of(qs, name)
    return out
