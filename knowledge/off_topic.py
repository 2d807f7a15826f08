"""How close a question comes to one seen about no procedure (greetings, the weather, needs
nobody at the ward handles): evidence for the decision (``Evidence.off_topic``), never a
match. The questions are ``knowledge/off_topic.txt``, written by bench/write_examples.py
from the labelled sets."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.normalize import keys
from knowledge.params import MatchParams
from knowledge.terms import blend, distinct

OFF_TOPIC_PATH = Path(__file__).with_name("off_topic.txt")


def load_off_topic(path: Path = OFF_TOPIC_PATH) -> tuple[str, ...]:
    """Questions people put to the kiosk that are about no procedure (bench/write_examples.py)."""
    if not path.is_file():
        return ()
    return tuple(line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#"))


class OffTopicIndex:
    """The off-topic questions, folded, with what ``score`` needs to find the closest fast."""

    def __init__(self, questions: tuple[str, ...], params: MatchParams):
        self.params = params
        self.questions = sorted({keys(t)[1] for t in questions} - {""})  # folded keys
        self._sorted = [" ".join(sorted(t.split())) for t in self.questions]
        postings: dict[str, list[int]] = {}
        for i, t in enumerate(self.questions):
            for w in set(t.split()):
                postings.setdefault(w, []).append(i)
        self._postings = {w: np.array(ix, dtype=np.int32) for w, ix in postings.items()}
        self._ntok = np.array([len(set(t.split())) for t in self.questions], dtype=np.int32)
        self._idf = {w: math.log((len(self.questions) + 1) / (len(ix) + 0.5)) for w, ix in postings.items()}

    def score(self, folded: str) -> float:
        """0–100: how close the question (its folded key, ``normalize.keys(text)[1]``) comes to
        one of them."""
        if not self.questions or not folded:
            return 0.0
        # (token-sort similarity is plain ratio on sorted syllables, computed here ~15x cheaper;
        # the costly token-set similarity only for the questions closest by it or sharing the
        # most syllables, as for procedures: ~1 ms saved per ask with 785 off-topic questions)
        cheap = process.cdist([" ".join(sorted(folded.split()))], self._sorted, scorer=fuzz.ratio,
                              dtype=np.float32)[0]
        k = 2 * self.params.candidates
        if len(cheap) > 2 * k:
            overlap = np.zeros(len(cheap), dtype=np.float32)
            shared = np.zeros(len(cheap), dtype=np.int32)
            for t in distinct(folded.split()):
                ix = self._postings.get(t)
                if ix is not None:
                    overlap[ix] += self._idf[t]
                    shared[ix] += 1
            # a short off-topic question all of whose words the question holds ("mấy giờ")
            # is a token-set match of 100 whatever the rest
            inside = np.flatnonzero(shared == self._ntok)
            cand = np.union1d(np.union1d(np.argpartition(-cheap, k)[:k], np.argpartition(-overlap, k)[:k]), inside)
        else:
            cand = np.arange(len(cheap))
        texts = [self.questions[i] for i in cand]
        return float(np.max(blend(
            process.cdist([folded], texts, scorer=fuzz.token_set_ratio, dtype=np.float32)[0], cheap[cand],
            self.params.set_share)))
