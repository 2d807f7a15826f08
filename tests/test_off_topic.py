"""The off-topic closeness (knowledge.off_topic): its shortcuts, the bound that spares many of
the token-set similarities and the cutoff that lets rapidfuzz stop early on the rest, must give
the same maximum as computing every one of them."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

from knowledge.evaluate import load_questions
from knowledge.normalize import keys
from knowledge.off_topic import OffTopicIndex, load_off_topic, token_set_bound
from knowledge.params import MatchParams
from knowledge.terms import blend

ROOT = Path(__file__).resolve().parents[1]



def _bound(a: str, b: str) -> float:
    ta, tb = set(a.split()), set(b.split())
    both = ta & tb
    return float(token_set_bound(len(ta), sum(map(len, ta)), np.array([len(tb)]), np.array([sum(map(len, tb))]),
                                 np.array([len(both)]), np.array([sum(map(len, both))]))[0])


def test_the_bound_is_never_below_rapidfuzz_and_is_exact_when_one_side_holds_the_other():
    rng = random.Random(3)
    words = "giay khai sinh cho con can gi lam o dau phuong tam tru ho kinh doanh chung thuc a bo".split()
    pairs = [(" ".join(rng.choices(words, k=rng.randint(1, 30))), " ".join(rng.choices(words, k=rng.randint(1, 12))))
             for _ in range(3000)]
    pairs += [("khai sinh cho con", "khai sinh"), ("abc", "xyz"), ("mot hai", "mot hai")]
    for a, b in pairs:
        assert _bound(a, b) >= fuzz.token_set_ratio(a, b) - 1e-6, (a, b)
    assert _bound("khai sinh cho con", "khai sinh") == fuzz.token_set_ratio("khai sinh cho con", "khai sinh") == 100
    # tight enough to spare work: a long story against a short unrelated question
    assert _bound("con toi moi sinh doi o benh vien gio lam giay khai sinh the nao", "may gio roi") < 50


def test_pruning_by_the_bound_changes_no_score():
    index = OffTopicIndex(load_off_topic(), MatchParams())
    every = OffTopicIndex(load_off_topic(), MatchParams())
    every._FIRST = 10**9  # every candidate's token-set similarity computed
    questions = [q.question for q in load_questions(ROOT / "tests" / "data" / "questions")]
    folded = [f for f in (keys(q)[1] for q in questions) if f]
    assert len(folded) > 500
    pruned = [f for f in folded if index.score(f) != every.score(f)]
    assert pruned == []
    # and the score is one of the true similarities, not the bound
    f = keys("con tôi mới sinh đôi ở bệnh viện, giờ làm giấy khai sinh thế nào, mấy giờ phường mở cửa")[1]
    values = blend(np.array([fuzz.token_set_ratio(f, q) for q in every.questions], dtype=np.float32),
                   np.array([fuzz.ratio(" ".join(sorted(f.split())), s) for s in every._sorted], dtype=np.float32),
                   every.params.set_share)
    assert np.isclose(values, index.score(f), atol=1e-4).any()
