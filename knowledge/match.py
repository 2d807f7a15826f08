"""Find the procedure a question is about: rapidfuzz over titles, aliases and keywords.

Every indexed text is kept as two keys (folded, phonetic — see knowledge.normalize).
A query is scored against both with a blend of token-set similarity (word overlap,
robust to extra words) and token-sort similarity (penalises what does not overlap).
The best candidates are then weighted by *coverage*: the IDF-weighted share of the
query's syllables that the candidate contains. Character similarity alone lets one
shared syllable carry a question ("bán bánh mì" ~ "bản chính"); coverage makes words
the kiosk has never seen count against a match, which is what sends out-of-scope
questions to "none". A procedure's score is its best text. Thresholds were tuned on
the labelled question set with ``bench/tune_match.py``; they only mean something for
this scorer.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.model import Decision, Match, Procedure
from knowledge.normalize import keys

# Tuned on tests/data/questions (bench/tune_match.py).
ANSWER_THRESHOLD = 78.0
CLARIFY_THRESHOLD = 60.0
ANSWER_MARGIN = 6.0  # best must beat the runner-up by this much to answer outright
PHONETIC_PENALTY = 4.0  # a match found only through sound-alike merging is a bit less sure
TITLE_WEIGHT = 1.0
KEYWORD_WEIGHT = 0.92
COVERAGE_FLOOR = 0.5  # score multiplier when no query syllable is covered (1.0 when all are)
RESCORE_TOP = 40  # candidate texts re-scored with coverage


@dataclass(frozen=True, slots=True)
class _Entry:
    code: str
    weight: float


def _blend(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return 0.65 * a + 0.35 * b


class Matcher:
    def __init__(
        self,
        procedures: list[Procedure] | tuple[Procedure, ...],
        *,
        answer_threshold: float | None = None,
        clarify_threshold: float | None = None,
        margin: float | None = None,
    ):
        self.answer_threshold = ANSWER_THRESHOLD if answer_threshold is None else answer_threshold
        self.clarify_threshold = CLARIFY_THRESHOLD if clarify_threshold is None else clarify_threshold
        self.margin = ANSWER_MARGIN if margin is None else margin
        self.titles: dict[str, str] = {}
        entries: list[_Entry] = []
        folded: list[str] = []
        phon: list[str] = []
        seen: set[tuple[str, str]] = set()
        for p in procedures:
            if p.retired:
                continue
            self.titles[p.code] = p.title
            texts = [(p.title, TITLE_WEIGHT)] + [(a, 1.0) for a in p.aliases] + [(k, KEYWORD_WEIGHT) for k in p.keywords]
            for text, weight in texts:
                _, f, ph = keys(text)
                if not f or (p.code, f) in seen:
                    continue
                seen.add((p.code, f))
                entries.append(_Entry(p.code, weight))
                folded.append(f)
                phon.append(ph)
        self._entries = entries
        self._folded = folded
        self._phonetic = phon
        self._codes = np.array([e.code for e in entries])
        self._weights = np.array([e.weight for e in entries], dtype=np.float32)
        self._code_ids, self._entry_code_idx = np.unique(self._codes, return_inverse=True)
        self._entry_tokens = [frozenset(ph.split()) for ph in phon]
        # Syllable IDF over procedures (a procedure's texts form one document).
        df: Counter[str] = Counter()
        per_code: dict[str, set[str]] = {}
        for e, toks in zip(entries, self._entry_tokens):
            per_code.setdefault(e.code, set()).update(toks)
        for toks in per_code.values():
            df.update(toks)
        n = max(len(per_code), 1)
        self._idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        self._idf_unknown = math.log((n + 1) / 0.5)

    def _coverage(self, query_tokens: list[str], entry: int) -> float:
        have = self._entry_tokens[entry]
        total = sum(self._idf.get(t, self._idf_unknown) for t in query_tokens)
        if total <= 0:
            return 1.0
        return sum(self._idf.get(t, self._idf_unknown) for t in query_tokens if t in have) / total

    def __len__(self) -> int:
        return len(self.titles)

    def scores(self, text: str) -> np.ndarray:
        """Best score per procedure (aligned with ``self._code_ids``)."""
        _, f, ph = keys(text)
        if not f or not self._entries:
            return np.zeros(len(self._code_ids), dtype=np.float32)
        s_f = _blend(
            process.cdist([f], self._folded, scorer=fuzz.token_set_ratio, dtype=np.float32)[0],
            process.cdist([f], self._folded, scorer=fuzz.token_sort_ratio, dtype=np.float32)[0],
        )
        s_p = _blend(
            process.cdist([ph], self._phonetic, scorer=fuzz.token_set_ratio, dtype=np.float32)[0],
            process.cdist([ph], self._phonetic, scorer=fuzz.token_sort_ratio, dtype=np.float32)[0],
        ) - PHONETIC_PENALTY
        per_entry = np.maximum(s_f, s_p) * self._weights
        top = np.argpartition(-per_entry, min(RESCORE_TOP, len(per_entry) - 1))[:RESCORE_TOP]
        q_tokens = ph.split()
        rescored = np.zeros_like(per_entry)
        for i in top:
            cov = self._coverage(q_tokens, int(i))
            rescored[i] = per_entry[i] * (COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * cov)
        per_entry = rescored
        best = np.zeros(len(self._code_ids), dtype=np.float32)
        np.maximum.at(best, self._entry_code_idx, per_entry)
        return best

    def search(self, text: str, limit: int = 5) -> list[Match]:
        best = self.scores(text)
        if not len(best):
            return []
        order = np.argsort(-best, kind="stable")[:limit]
        return [Match(str(self._code_ids[i]), self.titles[str(self._code_ids[i])], round(float(best[i]), 1)) for i in order]

    def decide(self, matches: list[Match]) -> Decision:
        if not matches or matches[0].score < self.clarify_threshold:
            return Decision.NONE
        runner_up = matches[1].score if len(matches) > 1 else 0.0
        if matches[0].score >= self.answer_threshold and matches[0].score - runner_up >= self.margin:
            return Decision.ANSWER
        return Decision.CLARIFY
