"""Small helpers over folded question keys, shared by the matcher and the off-topic index."""
from __future__ import annotations

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


def blend(a: np.ndarray, b: np.ndarray, set_share: float) -> np.ndarray:
    """Token-set and token-sort similarity mixed (``MatchParams.set_share``)."""
    return set_share * a + (1 - set_share) * b
