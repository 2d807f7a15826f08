"""Which of the normaliser's phrases (knowledge/words.py DIALECT, CONCEPTS) may also be read
when typed without diacritics.

    .venv/bin/python bench/fold_ambiguity.py [--share 0.10]

A phrase written with marks ("giấy chứng tử", "công chứng", "Việt kiều") is mapped to the
titles' word only as written; typed plain ("giay chung tu") it was not mapped at all, so the
unaccented question missed what the accented one found. knowledge.normalize also maps the
plain spelling of every phrase of two or more syllables — unless that plain spelling is
another phrase as well: "cho ở" (let stay) for "chỗ ở", "tự ký" (sign oneself) for "tự kỷ",
"giấy để" for "giấy đẻ". Those are listed in words.FOLD_AMBIGUOUS.

This script counts, over every accented text the project holds that is not held out (the
content's titles, aliases, keywords and examples, and the labelled question sets), how the
phrase's plain spelling is written with marks. A phrase is ambiguous when other spellings
make up more than ``--share`` of those written the phrase's own way (the fully plain ones say
nothing and are not counted). It prints each phrase, its counts and the verdict, then the
ambiguous ones as words.FOLD_AMBIGUOUS should hold them. Single syllables are never mapped
plain ("mô" is "mở", "mồ", "mộ"…) and are not listed.
"""
from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.evaluate import load_questions  # noqa: E402
from knowledge.examples import HELD_OUT_SETS  # noqa: E402
from knowledge.normalize import fold, tokenize  # noqa: E402
from knowledge.source import load_source  # noqa: E402
from knowledge.words import CONCEPTS, DIALECT, FOLD_AMBIGUOUS  # noqa: E402


def accented_texts() -> list[list[str]]:
    texts: list[str] = []
    for p in load_source(ROOT / "assets" / "content").procedures:
        texts += [p.title, p.short_title or "", *p.aliases, *p.keywords, *p.examples]
    for f in sorted((ROOT / "tests" / "data").glob("*/questions.csv")):
        if f.parent.name not in HELD_OUT_SETS:
            texts += [q.question for q in load_questions(f.parent)]
    tokenized = (tokenize(t) for t in texts if t)
    return [t for t in tokenized if any(not w.isascii() for w in t)]


def spellings(phrase: str, texts: list[list[str]]) -> collections.Counter[str]:
    want = [fold(w) for w in phrase.split()]
    n = len(want)
    out: collections.Counter[str] = collections.Counter()
    for t in texts:
        folded = [fold(w) for w in t]
        for i in range(len(t) - n + 1):
            if folded[i:i + n] == want:
                out[" ".join(t[i:i + n])] += 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--share", type=float, default=0.10, help="other spellings above this share of the phrase's own: ambiguous")
    args = ap.parse_args()
    texts = accented_texts()
    print(f"{len(texts)} accented texts (content and labelled sets, held-out sets left out)")
    ambiguous = []
    for table in (DIALECT, CONCEPTS):
        for phrase in table:
            plain = fold(phrase)
            if plain == phrase or plain in table or len(phrase.split()) < 2:
                continue
            counts = spellings(phrase, texts)
            own = counts.pop(phrase, 0)
            counts.pop(plain, None)
            other = sum(counts.values())
            verdict = "ambiguous" if other > args.share * own else "mapped plain"
            if verdict == "ambiguous":
                ambiguous.append(phrase)
            print(f"{phrase!r:28} own {own:4d}  other {other:3d} {dict(counts.most_common(3))}  → {verdict}")
    print("\nFOLD_AMBIGUOUS should hold:", sorted(ambiguous))
    if set(ambiguous) != set(FOLD_AMBIGUOUS):
        print("… it holds:", sorted(FOLD_AMBIGUOUS))


if __name__ == "__main__":
    main()
