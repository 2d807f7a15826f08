"""Re-order the first candidates with a model learned from labelled questions.

The matcher's score is a hand-built blend (fuzzy similarity × coverage, evidence bag,
how often a procedure is asked, the sibling term). For 3–9 % of the development sets'
in-scope questions it ranks the right procedure fifth to twelfth, and a clarify screen shows
four. A listwise logistic
model (a softmax over each question's first ``top`` candidates) reads the evidence the
matcher already has for each candidate, plus a naive Bayes over the whole index (the
sibling term reads it among the first eight only), and puts the likeliest first.

It is fitted by ``bench/fit_rerank.py`` on development questions that are neither in the
content as examples nor held out, and stored in ``rerank_model.json``. Leaving each of
those sets out in turn, the right procedure was among the first four for 92.0 → 94.4 % of
3,510 in-scope questions, and a redirect first for 81.3 → 82.7 % of 1,466 questions about
another office (docs/matching-history.md, thirty-third to thirty-sixth sessions).

The decision (knowledge.decide) still reads the matcher's own ranking, which its model was
fitted on, and an answer is the score's first candidate. A typed question the kiosk asks
back (or cannot place) is shown the candidates in the re-ranking's order
(``Ranking.reranked``): the clarify screen's four choices are then more often the right
ones. A heard question keeps the score's order: on transcripts the model did not help.
"""
from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

RERANK_PATH = Path(__file__).with_name("rerank_model.json")

# What the matcher knows about each candidate (Matcher._candidate_evidence): its score, the
# gap to the first, its place, its best text's score and coverage both ways, found only by
# sound, its evidence bag, the whole-index naive Bayes (mean log-likelihood per term, the
# gap to the likeliest, the log of its place), how often it is asked, redirect,
# catalogue-only, a text with exactly the question's words, and for a question typed with
# diacritics how much of what it shares with the candidate its texts never mark that way.
EVIDENCE = ("score", "gap", "rank", "text_score", "query_coverage", "text_coverage", "phonetic_only", "bag",
            "nb", "nb_gap", "nb_rank", "prior", "redirect", "brief", "exact", "tone_miss")
# … and what the model reads: the evidence, and products where one piece of evidence means
# more beside another (a redirect's score against a procedure's, coverage of a high score).
FEATURES = EVIDENCE + ("score_x_query_coverage", "score_x_text_coverage", "nb_gap_squared", "redirect_x_score",
                       "redirect_x_nb_gap", "redirect_x_nb", "redirect_x_bag")


def features(evidence: np.ndarray) -> np.ndarray:
    """The model's inputs (columns ``FEATURES``) from the candidates' evidence (rows:
    candidates, columns ``EVIDENCE``)."""
    e = {name: evidence[:, i] for i, name in enumerate(EVIDENCE)}
    return np.column_stack([evidence, e["score"] * e["query_coverage"], e["score"] * e["text_coverage"],
                            e["nb_gap"] ** 2, e["redirect"] * e["score"], e["redirect"] * e["nb_gap"],
                            e["redirect"] * e["nb"], e["redirect"] * e["bag"]])


@dataclass(frozen=True)
class Reranker:
    """A fitted listwise model: ``order`` puts a question's candidates likeliest first."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    top: int  # how many of the matcher's first candidates it re-orders
    note: dict = field(default_factory=dict, compare=False)  # how and on what it was fitted
    _w: np.ndarray = field(init=False, repr=False, compare=False)
    _offset: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the model as one vector and one offset over the raw features, computed once
        w = np.array(self.weights) / np.array(self.scale)
        object.__setattr__(self, "_w", w)
        object.__setattr__(self, "_offset", float(np.array(self.mean) @ w))

    def order(self, evidence: np.ndarray) -> np.ndarray:
        """A permutation of the rows of ``evidence`` (columns ``EVIDENCE``), likeliest first;
        equal scores keep the matcher's order."""
        return np.argsort(-(features(evidence) @ self._w - self._offset), kind="stable")

    def to_json(self) -> dict:
        return {"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                "weights": list(self.weights), "top": self.top, "note": self.note}

    @classmethod
    def from_json(cls, d: dict) -> "Reranker":
        names = tuple(d["features"])
        if names != FEATURES:
            raise ValueError(f"features {list(names)} are not this code's {list(FEATURES)}")
        cols = [tuple(float(v) for v in d[k]) for k in ("mean", "scale", "weights")]
        if any(len(c) != len(names) for c in cols) or not all(math.isfinite(v) for c in cols for v in c):
            raise ValueError("mean, scale and weights must hold one finite number per feature")
        if any(s <= 0 for s in cols[1]):
            raise ValueError("every scale must be positive")
        top = int(d["top"])
        if top < 2:
            raise ValueError("top must be at least 2")
        return cls(names, cols[0], cols[1], cols[2], top, dict(d.get("note") or {}))

    def save(self, path: Path = RERANK_PATH) -> None:
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def load_reranker(path: Path = RERANK_PATH) -> Reranker | None:
    """The fitted model, or None (the matcher's own order) when the file is missing or
    unreadable: a damaged file costs the re-ranking, never the kiosk."""
    try:
        return Reranker.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        log.warning("no re-ranking model at %s: candidates keep the matcher's order", path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("re-ranking model %s unreadable (%s): candidates keep the matcher's order", path, exc)
    return None


def fit_listwise(rows: list[tuple[np.ndarray, np.ndarray, float]], *, l2: float = 1.0, iters: int = 300,
                 step: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(weights, mean, scale) of a softmax over each question's candidates. ``rows``: per
    question, its candidates' evidence (columns ``EVIDENCE``), which of them are right (at
    least one), and the question's weight. Full-batch gradient descent on standardised
    features, L2-penalised; the loss is convex, so the result does not depend on a seed. The
    penalty and the steps are the prototype's, not tuned: bench/fit_rerank.py's left-out
    figures are the check on them."""
    xs = [features(e) for e, _, _ in rows]
    stacked = np.vstack(xs)
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0)
    scale[scale < 1e-9] = 1.0
    xs = [(x - mean) / scale for x in xs]
    targets = [right / right.sum() for _, right, _ in rows]
    weights = np.array([w for _, _, w in rows])
    w = np.zeros(stacked.shape[1])
    for _ in range(iters):
        grad = np.zeros_like(w)
        for x, t, qw in zip(xs, targets, weights):
            z = x @ w
            p = np.exp(z - z.max())
            grad += qw * (x.T @ (p / p.sum() - t))
        w -= step * (grad + l2 * w) / weights.sum()
    return w, mean, scale
