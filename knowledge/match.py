"""Find the procedure a question is about: rapidfuzz over titles, aliases and keywords.

Every indexed text is kept as two keys (folded, phonetic — see knowledge.normalize).
A query is scored against both with a blend of token-set similarity (word overlap,
robust to extra words) and token-sort similarity (penalises what does not overlap).
The best candidates are then weighted by *coverage*: the IDF-weighted share of the
query's syllables that the candidate contains. Character similarity alone lets one
shared syllable carry a question ("bán bánh mì" ~ "bản chính"); coverage makes words
the kiosk has never seen count against a match, which is what sends out-of-scope
questions to "none". A procedure's score is its best text, blended with its evidence
bag and how often it is asked about; among the first candidates, the sibling term (a naive
Bayes over each procedure's texts) lowers those the question's words fit less. What to do
with the ranking (answer, clarify, none) is decided in :mod:`knowledge.decide`.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from itertools import compress

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.asked_prior import load_prior
from knowledge.decide import Evidence, Ranking
from knowledge.model import Detail, Match, Procedure
from knowledge.naive_bayes import NaiveBayesIndex, naive_bayes_tables, topic_ratios
from knowledge.normalize import keys
from knowledge.off_topic import OffTopicIndex, load_off_topic
from knowledge.params import DEFAULT, MatchParams
from knowledge.question_keys import Query, clauses, toned
from knowledge.rerank import EVIDENCE, Reranker, load_reranker
from knowledge.terms import blend as _blend
from knowledge.terms import distinct as _distinct
from knowledge.terms import posting_sums
from knowledge.terms import terms as _terms

# The ranking's weights are in knowledge.params.MatchParams (each with how it was set); the
# answer/clarify/none decision is not a score threshold but learned (knowledge.decide).


@dataclass(frozen=True, slots=True)
class _Scored:
    total: np.ndarray  # final score per procedure
    bag: np.ndarray  # procedure-level evidence score per procedure
    folded: str
    phonetic: str
    detail: dict[int, tuple[float, float, float, bool]]
    unknown: float  # IDF-weighted share of the query's syllables the index has never seen
    exact: np.ndarray  # per procedure: one of its texts has exactly the question's words
    terms: tuple[str, ...] = ()  # the question's bag terms the index knows, each once
    nb: np.ndarray | None = None  # per procedure: the naive Bayes' mean log-likelihood (None: no known term)
    toned: tuple[tuple[str, str], ...] = ()  # (accented, folded) syllables of a question typed with marks; () otherwise


@dataclass(frozen=True, slots=True)
class _Entry:
    code: str
    weight: float


# A text scores 100 only with exactly the question's words at full weight (a title, short
# title or alias: examples weigh less); float32 sums land a hair below.
EXACT = 99.95


class Matcher:
    """Ranks the procedures for a question: ``search`` (best first) and ``rank`` (with the
    evidence the decision reads)."""

    def __init__(self, procedures: list[Procedure] | tuple[Procedure, ...], *, prior: dict | None = None,
                 params: MatchParams = DEFAULT, off_topic: tuple[str, ...] | None = None,
                 reranker: Reranker | bool = True):
        """``prior``: how often each procedure is asked about and the weight of that in the
        score (default: knowledge/asked_prior.json; ``{}`` = none); ``params``: the
        ranking's numbers (default: the tuned ones); ``off_topic``: questions about no
        procedure (default: knowledge/off_topic.txt) — how close a question comes to them
        is evidence for the decision, never a match; ``reranker``: the model that re-orders
        the first candidates (True: knowledge/rerank_model.json; False: the score's order)."""
        prior = load_prior() if prior is None else prior
        self.reranker = load_reranker() if reranker is True else (reranker or None)
        self._off_topic = OffTopicIndex(load_off_topic() if off_topic is None else off_topic, params)
        self.params = params
        self.titles: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.bags: dict[str, frozenset[str]] = {}  # code → folded syllables and pairs of all its texts
        curated: dict[str, set[str]] = {}  # code → the same, of its curated texts only
        brief: set[str] = set()
        redirects: set[str] = set()
        entries: list[_Entry] = []
        is_curated: list[bool] = []
        folded: list[str] = []
        phon: list[str] = []
        seen: set[tuple[str, str]] = set()
        forms: dict[str, dict[str, set[str]]] = {}  # code → folded syllable → how its texts mark it
        for p in procedures:
            if p.retired:
                continue
            self.titles[p.code] = p.title
            if p.short_title:
                self.labels[p.code] = p.short_title
            if p.detail is not Detail.FULL:
                brief.add(p.code)
            if p.detail is Detail.REDIRECT:
                redirects.add(p.code)
            texts = ([(p.title, params.title_weight)] + [(p.short_title, 1.0)] * bool(p.short_title)
                     + [(a, 1.0) for a in p.aliases] + [(k, params.keyword_weight) for k in p.keywords]
                     + [(x, params.example_weight) for x in p.examples])
            n_curated = len(texts) - len(p.examples)
            for k, (text, weight) in enumerate(texts):
                accented, f, ph = keys(text)
                for a, b in toned(text, accented, f):
                    forms.setdefault(p.code, {}).setdefault(b, set()).add(a)
                if f and k < n_curated:
                    curated.setdefault(p.code, set()).update(_terms(f))
                if not f or (p.code, f) in seen:
                    continue
                seen.add((p.code, f))
                entries.append(_Entry(p.code, weight))
                is_curated.append(k < n_curated)
                folded.append(f)
                phon.append(ph)
        self._entries = entries
        self._folded = folded
        self._phonetic = phon
        self._codes = np.array([e.code for e in entries])
        self._weights = np.array([e.weight for e in entries], dtype=np.float32)
        self._code_ids, self._entry_code_idx = np.unique(self._codes, return_inverse=True)
        by_code = np.argsort(self._entry_code_idx, kind="stable")
        self._code_entries = np.split(by_code, np.cumsum(np.bincount(self._entry_code_idx,
                                                                     minlength=len(self._code_ids)))[:-1])
        counts = prior.get("counts") or {}
        self.asked_counts: dict[str, float] = {str(k): float(v) for k, v in counts.items()}
        self._prior = (float(prior.get("weight") or 0.0)
                       * np.log1p(np.array([counts.get(str(c), 0.0) for c in self._code_ids], dtype=np.float32)))
        self._title_len = np.array([len(self.titles[str(c)]) for c in self._code_ids])
        self._brief = np.array([str(c) in brief for c in self._code_ids], dtype=np.int8)
        self._unscored_order = np.lexsort((self._title_len, self._brief))
        self._redirect = np.array([str(c) in redirects for c in self._code_ids], dtype=bool)
        self.catalogue_only = frozenset(brief - redirects)  # codes known by a catalogue row only
        self._entry_tokens = [frozenset(ph.split()) for ph in phon]
        # Sorted-syllable strings, sorted once here: plain ratio on them is token-sort
        # similarity, which rapidfuzz's token_sort_ratio would re-sort on every ask.
        self._sorted_phon = np.array([" ".join(sorted(t.split())) for t in phon], dtype=object)
        self._sorted_folded = np.array([" ".join(sorted(t.split())) for t in folded], dtype=object)
        postings: dict[str, list[int]] = {}
        for i, toks in enumerate(self._entry_tokens):
            for t in toks:
                postings.setdefault(t, []).append(i)
        self._postings = {t: np.array(ix, dtype=np.int32) for t, ix in postings.items()}
        # Syllable IDF over procedures (a procedure's texts form one document).
        df: Counter[str] = Counter()
        per_code: dict[str, set[str]] = {}
        for e, toks in zip(entries, self._entry_tokens):
            per_code.setdefault(e.code, set()).update(toks)
        for code_toks in per_code.values():
            df.update(code_toks)
        n = max(len(per_code), 1)
        self._idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        self._idf_unknown = math.log((n + 1) / 0.5)
        self._entry_idf_total = [math.fsum(self._idf[t] for t in toks) for toks in self._entry_tokens]  # exact: any order
        # the same totals as one float32 vector for the candidate search (the list stays for
        # _coverage's per-entry Python arithmetic, whose floats it must not change)
        self._entry_idf_total_arr = np.maximum(np.array(self._entry_idf_total, dtype=np.float32), 1e-6)
        # Procedure-level evidence: every (folded) syllable and syllable pair of all its texts.
        # One alias rarely holds every word a citizen uses ("kết hôn … người Hàn Quốc"
        # needs "kết hôn" from one text and "nước ngoài" context from another).
        code_index = {str(c): i for i, c in enumerate(self._code_ids)}
        bag_df: Counter[str] = Counter()
        bags: dict[int, set[str]] = {}
        for e, fo in zip(entries, folded):
            bags.setdefault(code_index[e.code], set()).update(_terms(fo))
        for terms in bags.values():
            bag_df.update(terms)
        self.bags = {str(self._code_ids[ci]): frozenset(t) for ci, t in bags.items()}
        # What tells a family's members apart (knowledge.families) comes from the curated
        # texts (title, short title, aliases, keywords) only: a citizen's example tells its
        # story too ("con tôi", "ngân hàng"), and with thousands of them nearly every word
        # became "distinguishing" and broad questions were no longer asked back.
        self.curated_bags: dict[str, frozenset[str]] = {c: frozenset(t) for c, t in curated.items()}
        self._bag_idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in bag_df.items()}
        self._bag_idf_max = math.log((n + 1) / 0.5)
        # A multinomial naive Bayes between the first candidates (knowledge.naive_bayes).
        nb = naive_bayes_tables(((code_index[e.code], fo, cur) for e, fo, cur in zip(entries, folded, is_curated)),
                                vocab=len(bag_df), alpha=params.nb_alpha, curated_weight=params.nb_curated)
        self._nb_logp, self._nb_unseen, self._nb_logprior = nb.logp, nb.unseen, nb.logprior
        # Whether a question's words read like the procedures' texts or like questions about
        # no procedure is evidence for the decision ("mèo đi lạc" shares no rare word with
        # anything, but its words are chit-chat's).
        self._topic_lr = topic_ratios(nb.term_counts, [_terms(q) for q in self._off_topic.questions], params.nb_alpha)
        # … kept as postings: one question's log-likelihoods for every procedure at once
        self._nb_index = NaiveBayesIndex(self._nb_logp, self._nb_unseen, self._nb_logprior, len(self._code_ids))
        bag_postings: dict[str, list[int]] = {}
        for ci, terms in bags.items():
            for t in terms:
                bag_postings.setdefault(t, []).append(ci)
        self._bag_postings = {t: np.array(ix, dtype=np.int32) for t, ix in bag_postings.items()}
        # How each procedure's texts written with diacritics mark each syllable ("sổ đỏ", "vé
        # số"): a question typed with marks shares "so do" with both once they are folded.
        self._forms: list[dict[str, frozenset[str]]] = [
            {b: frozenset(a) for b, a in forms.get(str(c), {}).items()} for c in self._code_ids]

    def off_topic_score(self, folded: str) -> float:
        """0–100: how close the question (its folded key, ``normalize.keys(text)[1]``) comes to
        one the kiosk has seen about no procedure."""
        return self._off_topic.score(folded)

    def topic_ratio(self, folded: str) -> float:
        """Mean log-likelihood ratio per known term: procedures' texts against questions
        about no procedure (> 0: reads like a question about a procedure)."""
        lr = [self._topic_lr[t] for t in _terms(folded) if t in self._topic_lr]
        return sum(lr) / len(lr) if lr else 0.0

    def _concept_cover(self, terms: tuple[str, ...], first: list[str]) -> dict[str, float]:
        """Whether the first candidates hold what the question is about, not only its
        paperwork words. A need the ward does not handle ("giấy chuyển viện", "ký túc xá")
        shares "giấy", "đăng ký", "cần gì" with many procedures, and its own rare words
        with none of the first: the IDF share of the question's syllable pairs found in the
        first candidate's texts, the rarest and second-rarest known syllables it lacks
        (0–1, of the largest IDF), and the share found in the first three's texts together.
        With training set 7's questions as rows, the offer model refitted on them refuses
        35.9 % of off-topic set 3 (never fitted on) instead of 18.5 %, for 0.6 → 1.4 % of
        training set 10's in-scope questions refused (docs/matching-history.md, 2026-12-06)."""
        if not terms or not first:
            return {}
        idf = self._bag_idf
        bags = [self.bags.get(c, frozenset()) for c in first]
        bag1 = bags[0]
        pairs = [t for t in terms if "_" in t]
        p_total = sum(idf[t] for t in pairs)
        missed = sorted((idf[t] for t in terms if "_" not in t and t not in bag1), reverse=True) + [0.0, 0.0]
        total = sum(idf[t] for t in terms)
        return {
            "pair_coverage": sum(idf[t] for t in pairs if t in bag1) / p_total if p_total > 0 else 1.0,
            "missed_rarest": missed[0] / self._bag_idf_max,
            "missed_second": missed[1] / self._bag_idf_max,
            "top3_coverage": sum(idf[t] for t in terms if any(t in b for b in bags)) / total,
        }

    def _bag_terms(self, folded: str) -> tuple[str, ...]:
        """The question's bag terms (syllables and pairs) the index knows, each once."""
        return tuple(t for t in _distinct(_terms(folded)) if t in self._bag_idf)

    def _bag_scores(self, terms: tuple[str, ...]) -> np.ndarray:
        """0–100: IDF-weighted share of the query's known terms (``_bag_terms``) found in each
        procedure's bag."""
        n = len(self._code_ids)
        total = sum(self._bag_idf[t] for t in terms)
        if total <= 0:
            return np.zeros(n, dtype=np.float32)
        out = posting_sums([self._bag_postings[t] for t in terms], n, [self._bag_idf[t] for t in terms])[0]
        return (out * (100.0 / total)).astype(np.float32)

    def _coverage(self, query: Query, entry: int) -> tuple[float, float]:
        """IDF-weighted overlap, both ways: a long question containing a whole alias, or a
        short question contained in a title, both count; shared rare words count most.
        A long story told in clauses ("vợ tôi mới sinh đôi, …, giờ làm giấy khai sinh thì
        cần gì") is covered as well as its best-covered clause: the story around the
        request is not evidence against it."""
        have = self._entry_tokens[entry]
        found = [t in have for t in query.terms]
        shared = sum(compress(query.weights, found))
        e_total = self._entry_idf_total[entry]
        q_cov = shared / query.total if query.total > 0 else 1.0
        for idx, c_weights, c_total in query.clauses:
            if c_total > 0:
                q_cov = max(q_cov, sum(compress(c_weights, map(found.__getitem__, idx))) / c_total)
        e_cov = shared / e_total if e_total > 0 else 1.0
        return q_cov, e_cov

    def __len__(self) -> int:
        return len(self.titles)

    def _candidates(self, ph: str, codes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Entry indices worth full scoring: best by shared rare syllables ∪ the texts of
        ``codes`` (procedure indices) sharing the most rare syllables; and their token-sort
        similarity to the question."""
        n = len(self._entries)
        k = self.params.candidates
        if n <= 2 * k:
            cand = np.arange(n)
        else:
            # IDF shared with each text
            known = [t for t in _distinct(ph.split()) if t in self._postings]
            overlap = posting_sums([self._postings[t] for t in known], n, [self._idf[t] for t in known])[0]
            overlap = overlap.astype(np.float32)
            # Shared rare syllables alone tie thousands of texts for a short question ("khai
            # sinh"); among equals, the texts most of whose words it holds go first (a
            # tie-break only: the smallest IDF is far above 1e-3).
            key = overlap + np.float32(1e-3) * (overlap / self._entry_idf_total_arr)
            cand = np.argpartition(-key, k)[:k]
            if codes is not None and len(codes):
                m = self.params.bag_texts
                extra = []
                for c in codes:
                    ents = self._code_entries[c]
                    extra.append(ents if len(ents) <= m else ents[np.argpartition(-key[ents], m)[:m]])
                cand = np.union1d(cand, np.concatenate(extra))
        query = " ".join(sorted(ph.split()))
        return cand, process.cdist([query], self._sorted_phon[cand].tolist(), scorer=fuzz.ratio, dtype=np.float32)[0]

    def _score(self, text: str) -> "_Scored":
        prm = self.params
        best = np.zeros(len(self._code_ids), dtype=np.float32)
        n, f, ph = keys(text)
        if not f or not self._entries:
            return _Scored(best, best, f, ph, {}, 0.0, best > 0)
        bag_terms = self._bag_terms(f)
        bag_all = self._bag_scores(bag_terms)
        # A long story's fuzzy scores favour short generic texts all of whose words it holds;
        # the procedures whose whole vocabulary holds most of it are scored too (params.py).
        kb = prm.bag_candidates
        topc = np.argpartition(-bag_all, kb)[:kb] if kb and len(bag_all) > kb else np.zeros(0, dtype=np.int64)
        topc = topc[bag_all[topc] > 0]
        cand, sorted_ratio = self._candidates(ph, topc)
        folded = [self._folded[i] for i in cand]
        phon = [self._phonetic[i] for i in cand]
        s_f = _blend(
            process.cdist([f], folded, scorer=fuzz.token_set_ratio, dtype=np.float32)[0],
            process.cdist([" ".join(sorted(f.split()))], self._sorted_folded[cand].tolist(), scorer=fuzz.ratio,
                          dtype=np.float32)[0], prm.set_share,
        )
        s_p = _blend(
            process.cdist([ph], phon, scorer=fuzz.token_set_ratio, dtype=np.float32)[0], sorted_ratio, prm.set_share
        ) - prm.phonetic_penalty
        # Merging sounds repairs a mis-heard syllable or two; on its own it makes short
        # unrelated phrases collide ("mấy giờ" ~ "mai táng"), hence the cap.
        raw = np.maximum(s_f, np.minimum(s_p, s_f + prm.phonetic_lift)) * self._weights[cand]
        top = np.argsort(-raw)[:prm.rescore_top]
        if len(topc):  # each of them is re-scored with its best text, whatever the others' scores
            codes_c = self._entry_code_idx[cand]
            more = []
            for c in topc:
                js = np.flatnonzero(codes_c == c)
                if len(js):
                    more.append(int(js[np.argmax(raw[js])]))
            top = np.union1d(top, np.array(more, dtype=np.int64))
        query_idf = {t: self._idf.get(t, self._idf_unknown) for t in _distinct(ph.split())}
        q_total = sum(query_idf.values())
        query = Query.of(query_idf, q_total, clauses(text, query_idf, prm.clause_min))
        final = np.zeros_like(raw)
        # Per procedure, the evidence behind its best text: (score, query coverage,
        # text coverage, found only by sound-alike merging) — the decision's features.
        detail: dict[int, tuple[float, float, float, bool]] = {}
        for j in top:
            e = int(cand[j])
            q_cov, e_cov = self._coverage(query, e)
            final[j] = raw[j] * (prm.coverage_floor + (1 - prm.coverage_floor) * (
                prm.query_coverage_share * q_cov + (1 - prm.query_coverage_share) * e_cov))
            ci = int(self._entry_code_idx[e])
            if ci not in detail or final[j] > detail[ci][0]:
                detail[ci] = (float(final[j]), q_cov, e_cov, bool(s_p[j] > s_f[j]))
        np.maximum.at(best, self._entry_code_idx[cand], final)
        unknown = sum(w for t, w in query_idf.items() if t not in self._idf) / q_total if q_total > 0 else 1.0
        # Only procedures with a well-matching text get the bag bonus, so a question
        # that merely shares scattered words with a big bag cannot win on its own.
        bag = bag_all * (best > 0)
        total = (1 - prm.bag_weight) * best + prm.bag_weight * bag
        # How often a procedure is asked about tips near-equal evidence towards it
        # (bench/fit_priors.py), most in the uncertain middle and not at all at 100, so a
        # score stays within 0–100 and a perfect match is never overtaken.
        total = total + self._prior * (total > 0) * (100.0 - total) / 100.0
        exact = best >= EXACT
        nb_terms = [t for t in _terms(f) if t in self._bag_idf]  # each time it occurs
        nb = self._nb_index.mean_loglik(nb_terms) if nb_terms else None
        if prm.nb_weight > 0 and nb is not None:
            total = self._sibling_term(nb, total, exact=exact)
        return _Scored(total, bag, f, ph, detail, unknown, exact, bag_terms, nb, toned(text, n, f))

    def _sibling_term(self, nb: np.ndarray, total: np.ndarray, exact: np.ndarray | None = None) -> np.ndarray:
        """``nb``: the naive Bayes' mean log-likelihood of the question per procedure
        (``_Scored.nb``). ``exact``: procedures one of whose texts (title, alias) has exactly
        the question's words. The texts' word statistics tell siblings apart when no text settles it; a text
        written for a procedure with exactly the citizen's words settles it, and is not lowered
        (before that rule, "Đăng ký khai sinh", asked as the title reads, ranked the rarer
        "Khai sinh cho người đã có giấy tờ" first: its texts are shorter, so each word weighs
        more in them)."""
        prm = self.params
        k = min(prm.nb_top, len(total))
        top = np.argpartition(-total, k - 1)[:k] if k < len(total) else np.arange(len(total))
        top = top[total[top] > 0]
        if len(top) < 2:
            return total
        z = nb[top] / prm.nb_temperature
        post = np.exp(z - z.max())
        post /= post.sum()
        # Only lowers: a candidate the question's words fit less than the likeliest one loses
        # a share of its score. Raising the likeliest instead (tried) narrowed the margin of a
        # perfect match over its siblings, and "làm giấy khai sinh cho con" was asked back.
        out = total.copy()
        lowered = total[top] * (1.0 - prm.nb_weight * (post.max() - post))
        out[top] = lowered if exact is None else np.where(exact[top], total[top], lowered)
        return out

    def scores(self, text: str) -> np.ndarray:
        """Best score per procedure (aligned with ``self._code_ids``)."""
        return self._score(text).total

    def _order(self, total: np.ndarray, limit: int) -> np.ndarray:
        # Equal evidence: a written-up procedure before a catalogue-only one (it gives
        # the full answer), then the shorter, more general title ("Đăng ký khai sinh"
        # before "Đăng ký khai sinh có yếu tố nước ngoài").
        key = -np.round(total, 1)
        if (key > 0).any():
            return np.lexsort((self._title_len, self._brief, key))[:limit]
        # The procedures without a score keep a fixed order: only the scored ones (a few dozen
        # at most) are sorted. The same order as sorting all; ~0.1 ms less at 2,000.
        ahead = np.flatnonzero(key < 0)
        ahead = ahead[np.lexsort((self._title_len[ahead], self._brief[ahead], key[ahead]))]
        if len(ahead) >= limit:
            return ahead[:limit]
        fill = self._unscored_order[:limit + len(ahead)]
        return np.concatenate([ahead, fill[key[fill] == 0]])[:limit]

    def _match(self, i: int, total: np.ndarray) -> Match:
        code = str(self._code_ids[i])
        return Match(code, self.titles[code], round(float(total[i]), 1), self.labels.get(code, ""))

    def search(self, text: str, limit: int = 5) -> list[Match]:
        """The procedures that best fit ``text`` (any spelling: accents, none, misheard
        syllables), best first, at most ``limit``; each with a score 0–100. Procedures
        with no evidence at all may still fill the list with a score of 0."""
        return self.rank(text, limit).matches

    def _candidate_evidence(self, sc: "_Scored", idx: np.ndarray) -> np.ndarray:
        """What the ranking knows about each of the procedures ``idx`` (best first): one row
        per procedure, columns ``knowledge.rerank.EVIDENCE``."""
        if not len(idx):
            return np.zeros((0, len(EVIDENCE)))
        nb = sc.nb if sc.nb is not None else np.zeros(len(sc.total))
        cand_nb = nb[idx]
        detail = np.array([sc.detail.get(int(ci), (0.0, 0.0, 0.0, False)) for ci in idx], dtype=np.float64).reshape(-1, 4)
        total = sc.total[idx].astype(np.float64)
        return np.column_stack([
            total, total[0] - total, np.arange(len(idx)), detail, sc.bag[idx], cand_nb, nb.max() - cand_nb,
            np.log1p((nb[None, :] > cand_nb[:, None]).sum(axis=1)),  # procedures the naive Bayes puts before it
            self._prior[idx], self._redirect[idx], self._brief[idx], sc.exact[idx],
            self._tone_misses(sc.toned, idx),
        ]).astype(np.float64)

    def _tone_misses(self, toned: tuple[tuple[str, str], ...], idx: np.ndarray) -> list[float]:
        """Per procedure of ``idx``, 0–1: of the syllables a question typed with diacritics
        shares with its texts once both are folded (IDF-weighted), the share its texts never
        write with the question's marks — "về sổ đỏ" shares "ve so do" with "vé số" (a lottery
        ticket) but marks none of it that way. 0 for a question typed without marks, or a
        procedure whose texts carry none."""
        if not toned:
            return [0.0] * len(idx)
        idf = self._bag_idf
        weighted = [(a, b, idf.get(b, 0.0)) for a, b in toned]
        out = []
        for ci in idx:
            forms = self._forms[ci]
            shared = missed = 0.0
            for a, b, w in weighted:
                marks = forms.get(b)
                if marks is not None:
                    shared += w
                    if a not in marks:
                        missed += w
            out.append(missed / shared if shared > 0 else 0.0)
        return out

    def candidates(self, text: str, top: int) -> tuple[list[str], np.ndarray]:
        """The first ``top`` procedures with a score, in the score's order, and their evidence
        (``_candidate_evidence``): what ``bench/fit_rerank.py`` fits the re-ranking on."""
        sc = self._score(text)
        order = self._order(sc.total, top) if len(sc.total) else np.zeros(0, dtype=np.int64)
        order = order[sc.total[order] > 0]
        return [str(self._code_ids[i]) for i in order], self._candidate_evidence(sc, order)

    def rank(self, text: str, limit: int = 5) -> "Ranking":
        """``search`` plus what the decision needs: every procedure's score and the
        evidence behind the best ones. ``DecisionModel.decide(ranking)`` (knowledge.decide)
        turns it into answer / clarify / none; ``KnowledgeBase.ask`` does both. The matches
        and the evidence are the score's; ``Ranking.reranked`` holds the first candidates as
        ``self.reranker`` orders them, for the choices of a question the kiosk asks back."""
        sc = self._score(text)
        if not len(sc.total):
            return Ranking([], {}, Evidence.empty())
        top_k = self.reranker.top if self.reranker is not None else 0
        order = self._order(sc.total, max(limit, 4, top_k))
        matches = [self._match(int(i), sc.total) for i in order[:limit]]
        reranked: tuple[Match, ...] = ()
        if self.reranker is not None:
            head = order[:top_k][sc.total[order[:top_k]] > 0]
            if len(head) > 1:
                moved = self.reranker.order(self._candidate_evidence(sc, head))
                if (moved != np.arange(len(head))).any():
                    shown = np.concatenate([head[moved], order[len(head):]])[:limit]
                    reranked = tuple(self._match(int(i), sc.total) for i in shown)
        top = [float(sc.total[i]) for i in order] + [0.0] * 4
        d1 = sc.detail.get(int(order[0]), (0.0, 0.0, 0.0, False))
        ev = Evidence(
            score1=top[0], score2=top[1], score3=top[2], score4=top[3],
            query_coverage=d1[1], text_coverage=d1[2], bag=float(sc.bag[order[0]]),
            unknown_share=sc.unknown, tokens=len(sc.folded.split()), phonetic_only=d1[3],
            brief=bool(self._brief[order[0]]), redirect=bool(self._redirect[order[0]]),
            off_topic=self.off_topic_score(sc.folded), topic=self.topic_ratio(sc.folded),
            exact=bool(sc.exact[order[0]]),
            **self._concept_cover(sc.terms, [str(self._code_ids[i]) for i in order[:3]]),
        )
        scores = {str(self._code_ids[i]): float(sc.total[i]) for i in np.flatnonzero(sc.total > 0)}
        return Ranking(matches, scores, ev, sc.folded, reranked)
