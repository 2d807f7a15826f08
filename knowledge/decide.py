"""Answer, ask back, or give up: a decision learned from labelled questions.

The matcher ranks; this module decides what to do with the ranking. Two logistic
models read the same evidence (scores, margins, coverage, unknown words, length, and
for a spoken question the recogniser's confidence):

- ``p_answer``: how likely the first procedure is the one the citizen means;
- ``p_offer``: how likely the question is about anything the kiosk knows (a procedure or
  a redirect), so that the first ``OFFERED`` (what a clarify screen shows) are worth showing.

Answer when ``p_answer`` is high enough; otherwise offer the choices when ``p_offer``
is; "none" only when nothing is plausible. A refusal costs the citizen the visit and a
choice costs one tap, so the offer bar is low: it is set only to keep chit-chat and
out-of-scope questions out. Both models and both bars are fitted by
``bench/fit_decision.py`` on the development questions (k-fold cross-validated, the
bars chosen on out-of-fold probabilities) and stored in ``decision_model.json``; the
blind set never takes part.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.model import Decision, Match
from knowledge.params import DEFAULT

MODEL_PATH = Path(__file__).with_name("decision_model.json")
OFFERED = DEFAULT.offered  # choices on a clarify screen (knowledge.params); the offer model is fitted for it


@dataclass(frozen=True, slots=True)
class Hearing:
    """How sure the recogniser was of a spoken question (faster-whisper segment values)."""

    avg_logprob: float  # mean token log-probability, duration-weighted over segments
    no_speech_prob: float  # highest probability that a segment held no speech

    @classmethod
    def from_segments(cls, segments: Iterable[Any]) -> "Hearing | None":
        """From objects with ``start``, ``end``, ``avg_logprob``, ``no_speech_prob``."""
        segs = list(segments)
        if not segs:
            return None
        weights = [max(s.end - s.start, 0.01) for s in segs]
        lp = sum(s.avg_logprob * w for s, w in zip(segs, weights)) / sum(weights)
        return cls(float(lp), float(max(s.no_speech_prob for s in segs)))


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the matcher saw for its best candidate (scores 0–100)."""

    score1: float
    score2: float
    score3: float
    score4: float
    query_coverage: float  # IDF share of the question found in the best text of candidate 1
    text_coverage: float  # IDF share of that text found in the question
    bag: float  # procedure-level evidence of candidate 1 (0–100)
    unknown_share: float  # IDF share of the question's syllables the index has never seen
    tokens: int  # syllables left after normalisation
    phonetic_only: bool  # candidate 1 was found only by sound-alike merging
    brief: bool  # candidate 1 is catalogue-only
    redirect: bool = False  # candidate 1 is a redirect ("not done here: go to …")
    off_topic: float = 0.0  # closeness (0–100) to a question seen about no procedure (Matcher.off_topic_score)
    topic: float = 0.0  # its words: procedures' against chit-chat's, log-likelihood ratio (Matcher.topic_ratio)
    exact: bool = False  # a text of candidate 1 (title, alias) has exactly the question's words
    # Whether the first candidates hold what the question is about (Matcher._concept_cover):
    pair_coverage: float = 1.0  # IDF share of the question's syllable pairs in candidate 1's texts
    missed_rarest: float = 0.0  # the rarest known syllable of the question candidate 1 lacks (IDF, 0–1)
    missed_second: float = 0.0  # the second rarest
    top3_coverage: float = 1.0  # IDF share of the question's terms in the first three candidates' texts

    @classmethod
    def empty(cls) -> "Evidence":
        return cls(0, 0, 0, 0, 0, 0, 0, 1, 0, False, False)

    def features(self, hearing: Hearing | None = None) -> dict[str, float]:
        spoken = hearing is not None
        lp = min(max(hearing.avg_logprob, -3.0), 0.0) if hearing is not None else 0.0
        return {
            "score1": self.score1 / 100,
            "gap12": (self.score1 - self.score2) / 100,
            "gap13": (self.score1 - self.score3) / 100,
            "gap14": (self.score1 - self.score4) / 100,
            "query_coverage": self.query_coverage,
            "text_coverage": self.text_coverage,
            "bag": self.bag / 100,
            "unknown_share": self.unknown_share,
            "log_tokens": math.log1p(self.tokens),
            "phonetic_only": float(self.phonetic_only),
            "brief": float(self.brief),
            "redirect": float(self.redirect),
            "off_topic": self.off_topic / 100,
            "off_topic_gap": (self.score1 - self.off_topic) / 100,
            "topic": min(max(self.topic, -5.0), 5.0),
            "spoken": float(spoken),
            "asr_logprob": lp,
            "asr_no_speech": hearing.no_speech_prob if hearing is not None else 0.0,
            "spoken_score1": self.score1 / 100 if spoken else 0.0,
            "exact": float(self.exact),
            "pair_coverage": self.pair_coverage,
            "missed_rarest": self.missed_rarest,
            "missed_second": self.missed_second,
            "top3_coverage": self.top3_coverage,
        }


@dataclass(frozen=True, slots=True)
class Ranking:
    matches: list[Match]  # best first
    scores: dict[str, float]  # every procedure with a score > 0
    evidence: Evidence
    folded: str = ""  # the normalised, unaccented question
    # the matches as the re-ranking (knowledge.rerank) orders them; () when it keeps the score's order
    reranked: tuple[Match, ...] = ()


@dataclass(frozen=True, slots=True)
class Logistic:
    weights: tuple[float, ...]
    bias: float

    def __call__(self, x: np.ndarray) -> float:
        z = float(np.dot(self.weights, x) + self.bias)
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


@dataclass(frozen=True)
class DecisionModel:
    """Two fitted logistic models over a ranking's :class:`Evidence` (knowledge/decision.json):
    the probability that answering is right, and that the right procedure is among the
    offered choices; their thresholds turn a ranking into answer, clarify or none."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    answer: Logistic
    offer: Logistic
    answer_p: float  # answer outright at or above this probability
    offer_p: float  # offer choices at or above this probability; below: "none"
    note: dict = field(default_factory=dict, compare=False)  # how and on what it was fitted
    offer_p_spoken: float | None = None  # the offer bar for a spoken question (None: offer_p)

    def _x(self, ev: Evidence, hearing: Hearing | None) -> np.ndarray:
        f = ev.features(hearing)
        return (np.array([f[k] for k in self.features]) - np.array(self.mean)) / np.array(self.scale)

    def probabilities(self, ev: Evidence, hearing: Hearing | None = None) -> tuple[float, float]:
        """(p_answer, p_offer), each from its own model. p_offer may be below p_answer: the
        answer model does not read the topic evidence, the offer model does. Until the
        thirty-seventh session p_offer was raised to p_answer, and "hôm nay trời đẹp quá"
        (offer model ~0.00, answer model 0.65 for the water-supply redirect) was asked back
        with water, the health station, a bank and death registration. Development sets
        (kiosk outcomes, 6,249 questions): 126 questions were asked back only by that rule —
        118 out of scope (now refused), 3 in scope with the right procedure among the
        choices (now refused too)."""
        x = self._x(ev, hearing)
        return self.answer(x), self.offer(x)

    def decide(self, ranking: Ranking, hearing: Hearing | None = None) -> tuple[Decision, float, float]:
        """(decision, p_answer, p_offer) for a ranking (``Matcher.rank``): answer when the
        first procedure is likely enough and not tied, offer the choices when one of the
        first ``OFFERED`` likely is (or the question is wholly inside a text of the first),
        else none. ``hearing``: the recogniser's confidence for a spoken question."""
        if not ranking.matches or ranking.evidence.score1 <= 0:
            return Decision.NONE, 0.0, 0.0
        p_answer, p_offer = self.probabilities(ranking.evidence, hearing)
        ev = ranking.evidence
        # Two procedures with the same evidence: answering would pick one by the
        # tie-break (hassil's rule: equal intents are "unmatched", not guessed).
        tied = round(ev.score1, 1) == round(ev.score2, 1)
        if p_answer >= self.answer_p and not tied:
            return Decision.ANSWER, p_answer, p_offer
        bar = self.offer_p if hearing is None or self.offer_p_spoken is None else self.offer_p_spoken
        if p_offer >= bar or self.plausible(ranking.evidence):
            return Decision.CLARIFY, p_answer, p_offer
        return Decision.NONE, p_answer, p_offer

    @staticmethod
    def plausible(ev: Evidence) -> bool:
        """Every word of the question is in one text of the first candidate ("đăng ký",
        "hộ khẩu"): whatever the model thinks of so short a question, it is about a
        procedure, and offering the choices is never wrong."""
        # … unless it is closer still to a question seen about no procedure ("mấy giờ rồi":
        # both words are in a citizen's example of reporting a guest's stay).
        return ev.tokens > 0 and ev.unknown_share == 0.0 and ev.query_coverage >= 0.999 and ev.off_topic < ev.score1

    def answer_in(self, features: tuple[str, ...], mean: np.ndarray, scale: np.ndarray) -> Logistic:
        """This model's answer model, exactly, over other standardised features (a feature
        it lacks gets weight 0): to refit the offer model alone and keep the answers."""
        old = {f: (w, m, s) for f, w, m, s in zip(self.features, self.answer.weights, self.mean, self.scale)}
        weights, bias = [], self.answer.bias
        for f, m, s in zip(features, mean, scale):
            w, m0, s0 = old.get(f, (0.0, 0.0, 1.0))
            weights.append(float(w * s / s0))  # w·(x − m0)/s0 = w·s/s0 · (x − m)/s + w·(m − m0)/s0
            bias += w * (m - m0) / s0
        return Logistic(tuple(weights), float(bias))

    def to_json(self) -> dict:
        return {
            "features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
            "answer": {"weights": list(self.answer.weights), "bias": self.answer.bias},
            "offer": {"weights": list(self.offer.weights), "bias": self.offer.bias},
            "answer_p": self.answer_p, "offer_p": self.offer_p, "offer_p_spoken": self.offer_p_spoken,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, d: dict) -> "DecisionModel":
        return cls(
            tuple(d["features"]), tuple(d["mean"]), tuple(d["scale"]),
            Logistic(tuple(d["answer"]["weights"]), d["answer"]["bias"]),
            Logistic(tuple(d["offer"]["weights"]), d["offer"]["bias"]),
            float(d["answer_p"]), float(d["offer_p"]), d.get("note") or {},
            None if d.get("offer_p_spoken") is None else float(d["offer_p_spoken"]),
        )

    def save(self, path: Path = MODEL_PATH) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        tmp.replace(path)  # a reader never sees half a model


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> DecisionModel:
    return DecisionModel.from_json(json.loads(path.read_text(encoding="utf-8")))


# ------------------------------------------------------------------ fitting


def fit_logistic(x: np.ndarray, y: np.ndarray, *, l2: float = 1.0, iters: int = 200) -> Logistic:
    """L2-regularised logistic regression by Newton's method (x already standardised)."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[-1] = 0.0  # the bias is not shrunk
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -40, 40)))
        g = xb.T @ (p - y) + reg * w
        h = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(reg) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(h, g)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return Logistic(tuple(float(v) for v in w[:-1]), float(w[-1]))


def standardise(rows: list[dict[str, float]], names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.array([[r[k] for k in names] for r in rows], dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return (x - mean) / scale, mean, scale


__all__ = ["DecisionModel", "Evidence", "Hearing", "Logistic", "OFFERED", "Ranking", "fit_logistic",
           "load_model", "standardise"]
