"""How a question is read for scoring: its syllables' weights, its clauses, its tones.

Built once per question by :class:`knowledge.match.Matcher` and read for every candidate
text it scores (coverage per clause, the tone evidence of a question typed with marks).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.normalize import keys
from knowledge.terms import distinct as _distinct


@dataclass(frozen=True, slots=True)
class Query:
    """A question's phonetic syllables as ``_coverage`` reads them for every text it scores."""
    terms: tuple[str, ...]  # each once, in the order said
    weights: tuple[float, ...]  # their IDF
    total: float
    clauses: tuple[tuple[tuple[int, ...], tuple[float, ...], float], ...]  # per clause: indices into terms, their IDF, its total

    @staticmethod
    def of(query_idf: dict[str, float], total: float, clauses: tuple[tuple[str, ...], ...]) -> "Query":
        index = {t: i for i, t in enumerate(query_idf)}
        return Query(tuple(query_idf), tuple(query_idf.values()), total, tuple(
            (tuple(index[t] for t in c), tuple(query_idf[t] for t in c), sum(query_idf[t] for t in c))
            for c in clauses))


CLAUSE_SPLIT = re.compile(r"[,.;:!?\n]+")
# A text or question counts as written with diacritics when at least half its syllables carry
# one: what it does not mark says nothing about its tones. (The development sets' questions
# gave the same tone evidence gain with 0.3, 0.5 or 0.7 here, a /tmp prototype, 2026-12-07.)
TONED_SHARE = 0.5


def toned(written: str, accented: str, folded: str) -> tuple[tuple[str, str], ...]:
    """The (accented, folded) syllable pairs of a text's keys when the text as written carries
    diacritics (not its expansions: "doi cccd het han" becomes "… căn cước công dân …"), else ()."""
    words = [w for w in written.split() if any(ch.isalpha() for ch in w)]
    acc, fol = accented.split(), folded.split()
    if not words or not acc or len(acc) != len(fol) or sum(not w.isascii() for w in words) < TONED_SHARE * len(words):
        return ()
    return tuple(zip(acc, fol))


def clauses(text: str, query_idf: dict[str, float], clause_min: int) -> tuple[tuple[str, ...], ...]:
    """The phonetic syllables of each clause of a question of several clauses (each once, in
    the order said: see ``knowledge.terms.distinct``)."""
    parts = [p for p in CLAUSE_SPLIT.split(text) if p.strip()]
    if len(parts) < 2:
        return ()
    out = []
    for p in parts:
        toks = tuple(t for t in _distinct(keys(p)[2].split()) if t in query_idf)
        if len(toks) >= clause_min:
            out.append(toks)
    return tuple(out)
