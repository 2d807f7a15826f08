"""Whether a syllable typed without diacritics is a filler or a word that matters, read
from its neighbours.

Folded, a filler and a content word often share one spelling: "co" is "có" (dropped) or
"cô", "cơ"; "o" is "ờ" (dropped) or "ở" ("chỗ ở", "ở nhờ"); "nha" is the particle "nha"
or "nhà"; "hoi" is "hỏi" or "hội", "hồi"; "so" is "sơ" (in "hồ sơ") or "sổ", "số". One
fixed choice per spelling loses one reading or the other. The neighbours tell them apart
("xay nha" is a house, "giup em nha" a particle; "ho so" is a file, "so do" a land
certificate), so the choice is a naive Bayes over the word before and the word after,
counted by bench/fit_plain_readings.py over the accented texts the project holds (content
and labelled question sets, held-out sets left out) and kept in plain_readings.json.
"""
from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

READINGS_PATH = Path(__file__).with_name("plain_readings.json")
START, END = "^", "$"  # the neighbour of the first and of the last word


@dataclass(frozen=True)
class Reading:
    filler: float  # how often the spelling was written as a filler
    content: float  # … and as a word that is kept
    before: dict[str, tuple[float, float]]  # folded word before → (filler, content) counts
    after: dict[str, tuple[float, float]]  # folded word after → (filler, content) counts


def naive_bayes_log_odds(filler: float, content: float, contexts: list[tuple[tuple[float, float], int]],
                         alpha: float) -> float:
    """log P(filler) − log P(kept) from the spelling's two totals and, per side, the context's
    (filler, content) counts with the number of contexts that side smooths over."""
    odds = math.log((filler + alpha) / (content + alpha))
    for (f, c), vocab in contexts:
        odds += math.log((f + alpha) / (filler + alpha * vocab)) - math.log((c + alpha) / (content + alpha * vocab))
    return odds


class PlainReadings:
    def __init__(self, words: dict[str, Reading], alpha: float):
        self.words = words
        self.alpha = alpha

    @classmethod
    def load(cls, path: Path = READINGS_PATH) -> PlainReadings:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            words = {w: Reading(r["filler"], r["content"],
                                {k: (v[0], v[1]) for k, v in r["before"].items()},
                                {k: (v[0], v[1]) for k, v in r["after"].items()})
                     for w, r in data["words"].items()}
            return cls(words, float(data["alpha"]))
        except (OSError, ValueError, KeyError, TypeError, IndexError) as e:
            # without the table every plain spelling keeps its one fixed reading
            log.warning("plain readings %s unreadable (%s): words typed without diacritics keep one reading each", path, e)
            return cls({}, 1.0)

    def log_odds(self, word: str, before: str, after: str) -> float | None:
        """log P(filler) − log P(kept) for the plain ``word`` between folded ``before`` and
        ``after``; None when the word has no counted readings."""
        r = self.words.get(word)
        if r is None or r.filler + r.content == 0:
            return None
        # each side smooths over the contexts seen and one for any unseen
        return naive_bayes_log_odds(r.filler, r.content, [(seen.get(ctx, (0.0, 0.0)), len(seen) + 1)
                                                          for seen, ctx in ((r.before, before), (r.after, after))],
                                    self.alpha)
