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
from knowledge.terms import blend, distinct, posting_sums

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
        self._chars = np.array([sum(map(len, set(t.split()))) for t in self.questions], dtype=np.int32)
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
        toks = distinct(folded.split())
        known = [t for t in toks if t in self._postings]
        overlap, shared, shared_chars = posting_sums([self._postings[t] for t in known], len(cheap),
                                                     [self._idf[t] for t in known], [1.0] * len(known),
                                                     [len(t) for t in known])
        k = 2 * self.params.candidates
        if len(cheap) > 2 * k:
            # a short off-topic question all of whose words the question holds ("mấy giờ")
            # is a token-set match of 100 whatever the rest
            inside = np.flatnonzero(shared == self._ntok)
            cand = np.union1d(np.union1d(np.argpartition(-cheap, k)[:k], np.argpartition(-overlap, k)[:k]), inside)
        else:
            cand = np.arange(len(cheap))
        # Only the best counts: the token-set similarity is computed for the candidates whose
        # bound from word lengths (``token_set_bound``) can still beat the best found so far.
        # The same maximum as over every candidate (tests/test_off_topic.py). Over the labelled
        # sets' 3,956 questions longer than 120 letters: 1.46 → 1.11 ms per score, about a
        # third of the candidates spared (a /tmp script, 2026-12-07).
        share = self.params.set_share
        bound = share * token_set_bound(len(toks), sum(map(len, toks)), self._ntok[cand], self._chars[cand],
                                        shared[cand], shared_chars[cand]) + (1 - share) * cheap[cand]
        order = np.argsort(-bound, kind="stable")
        best = self._best(folded, cand[order[:self._FIRST]], cheap)
        rest = order[self._FIRST:]
        rest = rest[bound[rest] >= best - self._SLACK]
        if not len(rest):
            return best
        # A candidate beats the best only with a token-set similarity above what its cheap
        # score leaves to make up; rapidfuzz skips most of the work for a pair it can tell is
        # below a cutoff (returned as 0, which cannot beat the best either). ~0.4 ms less for
        # a long question.
        idx = cand[rest]
        cutoff = float(np.min(best - (1 - share) * cheap[idx])) / share - self._SLACK
        return max(best, self._best(folded, idx, cheap, max(cutoff, 0.0)))

    # how many candidates (by bound) are scored before the bound prunes the others (speed
    # only: 6, 12 and 24 took the same time); the bound's float arithmetic is not
    # rapidfuzz's, hence the slack
    _FIRST = 12
    _SLACK = 1e-3

    def _best(self, folded: str, idx: np.ndarray, cheap: np.ndarray, cutoff: float = 0.0) -> float:
        texts = [self.questions[i] for i in idx]
        return float(np.max(blend(process.cdist([folded], texts, scorer=fuzz.token_set_ratio, dtype=np.float32,
                                                score_cutoff=cutoff)[0],
                                  cheap[idx], self.params.set_share)))


def token_set_bound(n_a: int, chars_a: int, n_b: np.ndarray, chars_b: np.ndarray, n_shared: np.ndarray,
                    shared_chars: np.ndarray) -> np.ndarray:
    """An upper bound of rapidfuzz's ``fuzz.token_set_ratio`` (0–100) from word counts and
    lengths alone: a question of ``n_a`` distinct words of ``chars_a`` letters against texts of
    ``n_b`` distinct words (``chars_b`` letters), sharing ``n_shared`` words (``shared_chars``
    letters). token_set_ratio is the best of three ratios (rapidfuzz.fuzz_py): the
    intersection against it plus either side's other words, exact from lengths, and the two
    sides' other words against each other, whose indel distance is at least the difference
    of their lengths."""
    n_b = n_b.astype(np.float64)
    chars_b = chars_b.astype(np.float64)
    k = n_shared.astype(np.float64)
    sect = np.where(k > 0, shared_chars + k - 1, 0.0)  # the sorted intersection joined by spaces
    only_a, only_b = n_a - k, n_b - k
    ab = np.where(only_a > 0, chars_a - shared_chars + only_a - 1, 0.0)
    ba = np.where(only_b > 0, chars_b - shared_chars + only_b - 1, 0.0)
    sep = (sect > 0).astype(np.float64)
    sect_ab, sect_ba = sect + sep + ab, sect + sep + ba
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = np.where(sect_ab + sect_ba > 0, 100.0 * (1 - np.abs(ab - ba) / (sect_ab + sect_ba)), 100.0)
        side_a = np.where(sect > 0, 100.0 * (1 - (sep + ab) / (sect + sect_ab)), 0.0)
        side_b = np.where(sect > 0, 100.0 * (1 - (sep + ba) / (sect + sect_ba)), 0.0)
    out = np.maximum(diff, np.maximum(side_a, side_b))
    return np.where((k > 0) & ((only_a == 0) | (only_b == 0)), 100.0, out)
