"""The pre-filter's bounded similarity finds the same best texts as scoring every one."""
from __future__ import annotations

import random

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.prefilter import BoundedRatio

SYLLABLES = "dang ky khai sinh ket hon tam tru chung thuc ban sao giay phep xay dung nha o dat ho kinh doanh".split()


def _texts(rng: random.Random, n: int) -> list[str]:
    return [" ".join(sorted(rng.choices(SYLLABLES, k=rng.randint(1, 14)))) for _ in range(n)]


def test_best_texts_and_their_scores_match_scoring_every_text() -> None:
    rng = random.Random(3)
    texts = sorted(set(_texts(rng, 3000)))
    weights = [rng.randint(1, 3) for _ in texts]
    ratio = BoundedRatio(texts, weights)
    entries = np.repeat(np.arange(len(texts)), weights)  # texts shared by several entries
    k = 50
    for query in _texts(rng, 200) + ["", "x"]:
        full = process.cdist([query], texts, scorer=fuzz.ratio, dtype=np.float32)[0]
        bounded = ratio.scores(query, k)
        kth = np.sort(full[entries])[::-1][k - 1]
        # every text that can be among the best k is scored exactly, the rest are below it
        assert np.array_equal(bounded[full >= kth], full[full >= kth])
        assert np.all(bounded <= full)
        assert np.all(bounded[full < kth] < kth)
        some = np.array([0, len(texts) // 2, len(texts) - 1])
        assert np.array_equal(ratio.exact(query, some), full[some])


def test_long_questions_score_only_texts_long_enough_to_compete() -> None:
    texts = ["a" * n for n in range(1, 400)]
    ratio = BoundedRatio(texts)
    scores = ratio.scores("a" * 300, 5)
    # the five best reach 99; a text under 200 characters cannot reach 80 against 300
    assert not scores[:199].any()
    assert set(np.argsort(-scores)[:5]) == {297, 298, 299, 300, 301}
