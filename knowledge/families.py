"""Broad questions: a family of procedures named without what tells its members apart.

"Cho hỏi về giấy phép xây dựng" names the building-permit family (build, repair,
move, extend…) but not which one; answering with the best-scoring member would be a
guess. A question is *broad* for a family when it contains one of the family's terms
and none of the words that distinguish one member from the others. Distinguishing
words are learned from the content itself: the syllables and syllable pairs of a
member's texts (title, short title, aliases, keywords) that at most a third of the
family's members share (for a family of two: one), other than the family's own terms
and the most common words of the whole index; and the phrases the content names for it
(``Family.tells_apart``) where the members' own words are too common to count ("bản sao",
"sổ gốc" for a lost birth certificate: a copy while the register is kept, registering again
when it is lost too).
"làm giấy khai sinh cho con" is not broad: "cho con" is in the aliases of the plain
birth registration and of few of its siblings.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from knowledge.match import Matcher
from knowledge.model import Family, Match
from knowledge.normalize import family_term_tokens, keys
from knowledge.terms import terms as _terms


@dataclass(frozen=True, slots=True)
class _Indexed:
    family: Family
    terms: tuple[tuple[str, ...], ...]  # folded token sequences
    members: tuple[str, ...]  # codes present in the matcher
    distinguishing: frozenset[str]  # bag terms that tell members apart
    tells_apart: tuple[tuple[str, ...], ...]  # folded token sequences named in the content (Family.tells_apart)


def _contains(tokens: list[str], seq: tuple[str, ...]) -> bool:
    n = len(seq)
    return any(tuple(tokens[i:i + n]) == seq for i in range(len(tokens) - n + 1))


class FamilyIndex:
    def __init__(self, families: tuple[Family, ...] | list[Family], matcher: Matcher):
        self.matcher = matcher
        # The most common words of the whole index ("về", "tiền", "cho": the lowest
        # tenth of IDF) name no procedure even when few family members use them. A
        # catalogue entry counts with its curated texts only: its story-like examples
        # (catalogue.csv "examples") made "sửa" common, and "giấy phép xây dựng để sửa
        # nhà" was asked back within the family; leaving sets out, counting every
        # catalogue text instead cost broad questions asked back (docs/matching-history.md,
        # eighteenth session).
        prm = matcher.params
        df: dict[str, int] = {}
        for code, bag in matcher.bags.items():
            for t in matcher.curated_bags.get(code, frozenset()) if code in matcher.catalogue_only else bag:
                df[t] = df.get(t, 0) + 1
        n_bags = len(matcher.bags)
        index_idf = {t: math.log((n_bags + 1) / (c + 0.5)) for t, c in df.items()}
        idf = sorted(index_idf.values())
        common = idf[len(idf) // prm.family_common_divisor] if idf else 0.0
        self._families: list[_Indexed] = []
        for f in families:
            members = tuple(m for m in f.members if m in matcher.curated_bags)
            if len(members) < 2:
                continue
            # A term the normaliser shortens to one word would name the family in too many
            # questions ("so hong" → "so"); `kiosk content validate` tells the clerk
            # (knowledge.source_office.idle_family_terms).
            seqs = tuple(seq for t in f.terms if (seq := family_term_tokens(t)))
            named = {t for seq in seqs for t in _terms(" ".join(seq))}
            share: dict[str, int] = {}
            for m in members:
                for t in matcher.curated_bags[m]:
                    share[t] = share.get(t, 0) + 1
            limit = max(1, len(members) // prm.family_distinct_divisor)
            distinct = frozenset(t for t, n in share.items()
                                 if n <= limit and t not in named and index_idf.get(t, 0.0) > common)
            apart = tuple(tuple(keys(t)[1].split()) for t in f.tells_apart if keys(t)[1])
            self._families.append(_Indexed(f, seqs, members, distinct, apart))

    def __len__(self) -> int:
        return len(self._families)

    def broad(self, folded: str, firsts: tuple[str, ...] | None = None) -> Family | None:
        """The family a question names without saying which member, if any. ``firsts``:
        the matcher's first procedures — a family is only meant when the ranking agrees,
        one of them being a member ("mất sổ đỏ" names the land family, but its procedure,
        re-issuing a lost certificate, may not be one of the family's listed members)."""
        tokens = folded.split()
        if not tokens:
            return None
        query_terms = set(_terms(folded))
        for fam in self._families:
            if firsts is not None and not any(b in fam.members for b in firsts):
                continue
            if (any(_contains(tokens, seq) for seq in fam.terms) and not (query_terms & fam.distinguishing)
                    and not any(_contains(tokens, seq) for seq in fam.tells_apart)):
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
