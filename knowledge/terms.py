"""Small helpers over folded question keys, shared by the matcher and the off-topic index."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def terms(folded_key: str) -> list[str]:
    """Bag terms: folded syllables and syllable pairs. Not the sound-alike key: merged
    single syllables collide too easily ("máy"~"mai", "giờ"~"độ")."""
    toks = folded_key.split()
    return toks + [f"{a}_{b}" for a, b in zip(toks, toks[1:])]


def distinct(tokens: list[str]) -> list[str]:
    """Each token once, in the order of first appearance. Not a set: sums of weights over a
    set run in an order that changes with Python's string hashing from one start of the
    kiosk to the next, and the last bits of the float sums with it; a tie among candidates
    then broke differently, and a question's choices could change after a restart."""
    return list(dict.fromkeys(tokens))


def posting_sums(postings: list[np.ndarray], n: int, *weights: Sequence[float]) -> list[np.ndarray]:
    """Per item 0…n−1, for each ``weights`` (one weight per postings list): the sum of the
    weights of the lists that hold it, all in one ``np.bincount`` pass (an add per list cost
    about twice as much for a long question)."""
    ix = np.concatenate(postings) if postings else np.zeros(0, dtype=np.int64)
    lengths = [len(p) for p in postings]
    return [np.bincount(ix, weights=np.repeat(np.asarray(w, dtype=np.float64), lengths), minlength=n)
            for w in weights]


def blend(a: np.ndarray, b: np.ndarray, set_share: float) -> np.ndarray:
    """Token-set and token-sort similarity mixed (``MatchParams.set_share``)."""
    return set_share * a + (1 - set_share) * b
