"""Count how each filler's plain spelling is written with diacritics, by its neighbours:
the table knowledge.plain_readings reads to tell "co" (có, dropped) from "co" (cô, kept) in
a question typed without diacritics.

    .venv/bin/python bench/fit_plain_readings.py [--write]

Every accented text the project holds that is not held out (content titles, short titles,
aliases, keywords, examples; the labelled question sets) is normalised up to the filler
step. Each word whose folded spelling is also a filler's ("co", "o", "nha", "hoi", "so"…)
counts as a filler reading when written as one ("có", "ờ", "hỏi", "sơ"; or the particles
"nha", "nghe" that have no marks) and as a content reading otherwise ("cô", "ở", "nhà",
"hội", "sổ"), with the folded word before and after it. The smoothing is the one with the
best leave-one-out accuracy over those readings (each reading scored without its own
counts); the script prints it, the accuracy of the one-reading-per-spelling rule it
replaces, and per spelling how the readings split.
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fold_ambiguity import accented_texts  # noqa: E402

from knowledge.normalize import fold, normalize_text, without_filler_phrases  # noqa: E402
from knowledge.plain_readings import END, READINGS_PATH, START, naive_bayes_log_odds  # noqa: E402
from knowledge.words import FILLER_WORDS  # noqa: E402

# A syllable seen at least MARKED_MIN times and written plain at most MARKED_PLAIN_SHARE of
# them is one careful writers always mark: a text holding it plain was typed (partly) without
# diacritics. Not tuned: 2 % leaves room for the odd typo in an accented text, 20 sightings
# keep a rare syllable from deciding.
MARKED_MIN = 20
MARKED_PLAIN_SHARE = 0.02
ALPHAS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)

Sample = tuple[str, str, str, bool]  # plain word, folded word before, folded word after, filler?


def always_marked(texts: list[list[str]]) -> frozenset[str]:
    """Folded syllables that accented texts nearly always write with marks ("giay", "nguoi",
    "duoc"): one written plain shows a text typed partly without diacritics."""
    plain: collections.Counter[str] = collections.Counter()
    seen: collections.Counter[str] = collections.Counter()
    for words in texts:
        for w in words:
            f = fold(w)
            seen[f] += 1
            plain[f] += w == f
    return frozenset(f for f, n in seen.items() if n >= MARKED_MIN and plain[f] <= MARKED_PLAIN_SHARE * n)


def readings(texts: list[list[str]]) -> list[Sample]:
    spellings = {fold(w) for w in FILLER_WORDS}
    marked = always_marked(texts)
    out: list[Sample] = []
    for words in texts:
        tokens = without_filler_phrases(normalize_text(" ".join(words), drop_fillers=False).split())
        folded = [fold(t) for t in tokens]
        careful = not any(t == f and f in marked for t, f in zip(tokens, folded))
        for i, (t, f) in enumerate(zip(tokens, folded)):
            if f not in spellings or (t == f and t not in FILLER_WORDS and not careful):
                # typed plain in a text typed partly without diacritics: which reading is
                # not known. In a text written with care a plain syllable is the plain word
                # ("di" in "di chúc", "do" in "do đâu").
                continue
            before = folded[i - 1] if i else START
            after = folded[i + 1] if i + 1 < len(tokens) else END
            out.append((f, before, after, t in FILLER_WORDS))
    return out


def table(samples: list[Sample]) -> dict[str, dict]:
    words: dict[str, dict] = {}
    for w, b, a, filler in samples:
        r = words.setdefault(w, {"filler": 0, "content": 0, "before": {}, "after": {}})
        k = 0 if filler else 1
        r["filler" if filler else "content"] += 1
        for side, ctx in (("before", b), ("after", a)):
            r[side].setdefault(ctx, [0, 0])[k] += 1
    return words


def loo_log_odds(r: dict, b: str, a: str, filler: bool, alpha: float) -> float:
    """The model's log odds for one reading with that reading's own counts taken out."""
    k = 0 if filler else 1
    n = [r["filler"], r["content"]]
    n[k] -= 1
    contexts = []
    for side, ctx in (("before", b), ("after", a)):
        c = list(r[side].get(ctx, [0, 0]))
        c[k] -= 1
        # as knowledge.plain_readings smooths: the contexts seen without this reading, plus one
        seen = len(r[side]) - (1 if sum(c) == 0 else 0)
        contexts.append(((c[0], c[1]), seen + 1))
    return naive_bayes_log_odds(n[0], n[1], contexts, alpha)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help=f"write {READINGS_PATH.relative_to(ROOT)}")
    args = ap.parse_args()
    samples = readings(accented_texts())
    words = table(samples)
    # the rule replaced: one reading per spelling, the commoner one
    fixed = sum(max(r["filler"], r["content"]) for r in words.values())
    print(f"{len(samples)} readings of {len(words)} plain spellings; one reading per spelling: "
          f"{100 * fixed / len(samples):.2f} % right")
    best = None
    for alpha in ALPHAS:
        right = sum((loo_log_odds(words[w], b, a, f, alpha) > 0) == f for w, b, a, f in samples)
        print(f"  alpha {alpha:<5} leave-one-out {100 * right / len(samples):.2f} % right")
        if best is None or right > best[1]:
            best = (alpha, right)
    assert best is not None
    print(f"alpha {best[0]}")
    for w, r in sorted(words.items(), key=lambda x: -(x[1]["filler"] + x[1]["content"])):
        wrong = [(b, a) for ww, b, a, f in samples if ww == w and (loo_log_odds(r, b, a, f, best[0]) > 0) != f]
        print(f"  {w:7} filler {r['filler']:5d} content {r['content']:5d}  leave-one-out wrong {len(wrong):4d}")
    if args.write:
        READINGS_PATH.write_text(json.dumps({"alpha": best[0], "words": words}, ensure_ascii=False, sort_keys=True,
                                            separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {READINGS_PATH}")


if __name__ == "__main__":
    main()
