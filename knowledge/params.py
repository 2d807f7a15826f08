"""Every number of matching and deciding, in one frozen record, each with how it was set.

The matcher (knowledge.match), the family index (knowledge.families), the knowledge
base (knowledge.base) and the app's search screen read them from a ``MatchParams``;
``bench/tune_match.py`` tries other values by passing another one. What the decision
learned (knowledge/decision_model.json, bench/fit_decision.py) and how often each
procedure is asked (knowledge/asked_prior.json, bench/fit_priors.py) are fitted data,
not hand-set numbers, and stay in their files.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class MatchConfig:
    """The ``[match]`` section of kiosk.toml (``KIOSK_MATCH_*``): optional score floors on
    top of the learned decision."""

    answer_threshold: float | None = None
    """Override the tuned thresholds (knowledge.match); None = tuned defaults."""
    clarify_threshold: float | None = None


@dataclass(frozen=True, slots=True)
class MatchParams:
    # -- ranking (knowledge.match): set by hand on the development questions (tests/data/questions,
    #    issue 3) and checked with bench/match_accuracy.py; the blind set never took part.
    phonetic_penalty: float = 4.0  # issue 3: a text found only by sound-alike merging is a bit less sure
    phonetic_lift: float = 10.0  # commit 14ab0c0: merging may raise a score by at most this ("mấy giờ" ~ "mai táng")
    title_weight: float = 1.0  # issue 3: the title counts as an alias
    # A citizen's whole question (knowledge.examples) against an alias. Measured leaving one
    # labelled set out (examples from the other two), top-1 on the first blind set / the
    # second: 0.85 → 87.6 / 79.2 %, 0.95 → 88.0 / 80.1 %, 1.0 → 88.0 / 79.5 %, 1.05 → 87.2 / 78.8 %.
    example_weight: float = 0.95
    keyword_weight: float = 0.92  # issue 3: a bare keyword is weaker evidence than a phrasing (dev set)
    set_share: float = 0.65  # issue 3: blend of token-set (robust to extra words) and token-sort similarity (dev set)
    coverage_floor: float = 0.6  # c4ef56f: score multiplier when nothing is covered (1.0 when all is), dev set
    query_coverage_share: float = 0.5  # c4ef56f: coverage = this × query covered + rest × text covered, dev set
    rescore_top: int = 25  # c4ef56f: candidate texts re-scored with coverage; more changed no dev answer
    candidates: int = 50  # 00b76a5: texts kept by shared rare syllables (and the off-topic filter); smaller lost none of the dev set
    # Candidates by the procedure's whole vocabulary: the ``bag_candidates`` procedures whose
    # evidence bags (syllables and pairs of all their texts) hold most of the question, each
    # with its ``bag_texts`` texts sharing the most rare syllables, are scored too. A long
    # story's fuzzy scores favour short generic texts all of whose words it holds, so before
    # this the right procedure ("xài ma túy … giờ chịu cai": its pair "ma túy" is rare, its
    # syllables are not) often got no score at all. Measured 2026-12-04 (ranking, each set
    # left out of the examples; mean top-1 of blind–blind4 and train6, then top-3):
    # none 91.2 / 96.8 %, 6 × 8 → 91.7 / 97.3 % (3–10 procedures × 4, 8, 16 or all texts:
    # 91.4–91.7 %); training set 9 top-1 49.4 → 50.6 %, set 10 82.4 → 83.5 %, authored
    # 77.2 → 77.9 %. Only for questions of 12 syllables or more (tried, everything refitted):
    # the same on the sets left out, but training set 9's short questions lost the gain
    # (offered 75.6 → 67.2 %); not kept.
    bag_candidates: int = 6
    bag_texts: int = 8
    bag_weight: float = 0.3  # 14ab0c0: share of the procedure-level evidence in the score (dev set)
    # The sibling term (Matcher._sibling_term): a multinomial naive Bayes over each
    # procedure's texts (a curated text's terms count ``nb_curated`` times a citizen's
    # example's; class prior: its number of texts), among the first ``nb_top`` candidates;
    # a candidate less likely than the likeliest loses weight × (difference of posteriors) of
    # its score. Chosen by bench/fit_sibling.py on 2026-12-02 13:05 (ranking, leaving each
    # labelled set out; best mean top-1 of the first three blind sets and the authored set,
    # to a tenth, then top-3): none 84.4 / 95.2 % → 87.1 / 95.4 % (weights 0.1–0.3: 85.6–87.1;
    # 0.3 is the grid's edge). Raising the likeliest instead reached 87.3 % but narrowed a
    # perfect match's margin ("làm giấy khai sinh cho con" was asked back).
    nb_weight: float = 0.3
    nb_top: int = 8  # candidates it reorders: siblings sit within the first eight
    nb_temperature: float = 0.3  # of the mean log-likelihood per term
    nb_alpha: float = 0.1  # additive smoothing of the term counts
    nb_curated: float = 30.0  # title, short title, aliases, keywords: what defines the procedure
    clause_min: int = 2  # 576beed: syllables; a one-word clause ("ạ", "giờ") says nothing (dev top-1 88.6 → 89.6 %)
    # -- families (knowledge.families): a broad question names a family without a member's own words.
    family_common_divisor: int = 10  # ab7d2f6: the lowest 1/10 of IDF ("về", "tiền", "cho") names no procedure
    family_distinct_divisor: int = 3  # ab7d2f6: a word of at most 1/3 of the members tells them apart
    # -- what a reply holds (knowledge.base, knowledge.decide): screen space, not tuning.
    # Choices on a clarify screen: four big buttons plus "Không phải" fit any screen (a family's
    # four already do). Leaving one blind set out, right procedure offered with 3 → 4
    # choices: 93.4 → 94.2 % (first set), 88.5 → 89.4 % (second); one tap either way.
    offered: int = 4
    family_choices: int = 4  # a family can have seven members; four big buttons plus "Không phải" still fit
    min_matches: int = 3  # `kiosk ask --json` promises at least three matches (README)
    # -- the app's search screen (kiosk.app.flow): set by hand in issue 5 on typed searches;
    #    below it the list showed unrelated procedures.
    search_floor: float = 55.0
    # -- optional floors on top of the learned decision (kiosk.toml [match]); None: none.
    answer_floor: float | None = None  # below it the kiosk asks back instead of answering
    offer_floor: float | None = None  # below it the kiosk offers nothing

    def with_config(self, match: MatchConfig) -> "MatchParams":
        """These numbers with the floors of the ``[match]`` config section."""
        return dataclasses.replace(self, answer_floor=match.answer_threshold, offer_floor=match.clarify_threshold)


DEFAULT = MatchParams()
