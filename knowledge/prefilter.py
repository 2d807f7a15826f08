"""Plain similarity (rapidfuzz ``fuzz.ratio``) of one string against many, computed only
where it can reach the best ``k``.

The ratio of strings of lengths a and b is at most 200·min(a, b)/(a + b): the edit
distance is at least the difference of the lengths. Strings kept sorted by length, the
ones that can reach a bar are one contiguous slice; the slice is widened bar by bar until
at least ``k`` of the scored ones reach the bar, and no string left out can then enter the
best ``k``. A long question against 17,000 short texts was the most costly step of an ask
(bench/match_latency.py).
"""
from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz, process

# Bars tried from the top. Any descending sequence ending in 0 gives the same result; these
# keep the typical question to two or three slices (measured on the development questions
# at 2,000 procedures: 1.3 → 0.7 ms a question for this step).
_BARS = (80.0, 60.0, 40.0, 20.0, 0.0)


class BoundedRatio:
    def __init__(self, texts: Sequence[str], weights: Sequence[int] | np.ndarray | None = None) -> None:
        """``weights[i]``: how many entries ``texts[i]`` stands for (texts shared by several)."""
        lengths = np.array([len(t) for t in texts], dtype=np.int64)
        self._order = np.argsort(lengths, kind="stable")
        self._position = np.empty(len(texts), dtype=np.int64)
        self._position[self._order] = np.arange(len(texts))
        self._texts = [texts[i] for i in self._order]
        self._lengths = lengths[self._order].tolist()
        w = np.ones(len(texts), dtype=np.int64) if weights is None else np.asarray(weights, dtype=np.int64)
        self._weights = w[self._order]

    def __len__(self) -> int:
        return len(self._texts)

    def scores(self, query: str, k: int) -> np.ndarray:
        """Ratio (0–100) of ``query`` to each text, in the order given; exact wherever it is
        among the ``k`` best (counting weights), 0 for texts that cannot be."""
        n = len(self._texts)
        by_length = np.zeros(n, dtype=np.float32)
        size = len(query)
        lo = hi = bisect.bisect_left(self._lengths, size)
        for bar in _BARS:
            if bar > 0 and size > 0:
                new_lo = bisect.bisect_left(self._lengths, size * bar / (200 - bar))
                new_hi = bisect.bisect_right(self._lengths, size * (200 - bar) / bar)
            else:
                new_lo, new_hi = 0, n
            if new_lo < lo:
                by_length[new_lo:lo] = process.cdist([query], self._texts[new_lo:lo], scorer=fuzz.ratio,
                                                     dtype=np.float32)[0]
            if new_hi > hi:
                by_length[hi:new_hi] = process.cdist([query], self._texts[hi:new_hi], scorer=fuzz.ratio,
                                                     dtype=np.float32)[0]
            lo, hi = min(lo, new_lo), max(hi, new_hi)
            if int(self._weights[lo:hi][by_length[lo:hi] >= bar].sum()) > k:
                break
        out = np.empty(n, dtype=np.float32)
        out[self._order] = by_length
        return out

    def exact(self, query: str, indices: np.ndarray) -> np.ndarray:
        """The ratio of ``query`` to the texts at ``indices`` (in the order given), whether or
        not they could be among the best."""
        texts = [self._texts[i] for i in self._position[indices]]
        return process.cdist([query], texts, scorer=fuzz.ratio, dtype=np.float32)[0]
