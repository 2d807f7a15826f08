"""Broad questions: a family of procedures named without what tells its members apart.

"Cho hỏi về giấy phép xây dựng" names the building-permit family (build, repair,
move, extend…) but not which one; answering with the best-scoring member would be a
guess. A question is *broad* for a family when it contains one of the family's terms
and none of the words that distinguish one member from the others. Distinguishing
words are learned from the content itself: the syllables and syllable pairs of a
member's texts (title, short title, aliases, keywords) that fewer than half of the
family's members share, and that are not everyday words (their IDF over all
procedures is at least the median of the vocabulary — a common word such as "con" or
"nhà" names no procedure).
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass

from knowledge.match import Matcher, _terms
from knowledge.model import Family, Match
from knowledge.normalize import keys


@dataclass(frozen=True, slots=True)
class _Indexed:
    family: Family
    terms: tuple[tuple[str, ...], ...]  # folded token sequences
    members: tuple[str, ...]  # codes present in the matcher
    distinguishing: frozenset[str]  # bag terms that tell members apart


def _contains(tokens: list[str], seq: tuple[str, ...]) -> bool:
    n = len(seq)
    return any(tuple(tokens[i:i + n]) == seq for i in range(len(tokens) - n + 1))


class FamilyIndex:
    def __init__(self, families: tuple[Family, ...] | list[Family], matcher: Matcher):
        self.matcher = matcher
        idf = matcher._bag_idf
        common = statistics.median(idf.values()) if idf else 0.0
        self._families: list[_Indexed] = []
        for f in families:
            members = tuple(m for m in f.members if m in matcher.bags)
            if len(members) < 2:
                continue
            seqs = tuple(tuple(keys(t)[1].split()) for t in f.terms if keys(t)[1])
            named = {t for seq in seqs for t in _terms(" ".join(seq))}
            share: dict[str, int] = {}
            for m in members:
                for t in matcher.bags[m]:
                    share[t] = share.get(t, 0) + 1
            distinct = frozenset(
                t for t, n in share.items()
                if n < len(members) / 2 and t not in named and idf.get(t, 0.0) >= common
            )
            self._families.append(_Indexed(f, seqs, members, distinct))

    def __len__(self) -> int:
        return len(self._families)

    def broad(self, folded: str) -> Family | None:
        """The family a question names without saying which member, if any."""
        tokens = folded.split()
        if not tokens:
            return None
        query_terms = set(_terms(folded))
        for fam in self._families:
            if any(_contains(tokens, seq) for seq in fam.terms) and not (query_terms & fam.distinguishing):
                return fam.family
        return None

    def choices(self, family: Family, scores: dict[str, float], limit: int) -> list[Match]:
        """The family's members as choices: best-scoring first, then the content's order."""
        members = [m for m in family.members if m in self.matcher.titles]
        order = sorted(range(len(members)), key=lambda i: (-round(scores.get(members[i], 0.0), 1), i))
        out = []
        for i in order[:limit]:
            code = members[i]
            out.append(Match(code, self.matcher.titles[code], round(scores.get(code, 0.0), 1),
                             self.matcher.labels.get(code, "")))
        return out
