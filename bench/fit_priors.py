"""How often citizens ask about each procedure, from the labelled development questions
(a question accepting several codes counts a share to each): the matcher's prior.

    .venv/bin/python bench/fit_priors.py [--write]

The matcher adds weight × ln(1 + count) × (100 − score)/100 to a procedure's score, so at nearly equal
evidence the procedure people ask about wins over a rare sibling ("đăng ký khai sinh"
over "đăng ký khai sinh lưu động"). The weight is chosen here by 5-fold
cross-validation (counts from four folds, top-1 on the fifth). On a kiosk the question
log's chosen codes can replace these counts. The blind set is never read.
"""
from __future__ import annotations

import argparse
import collections
import json
import math
import platform
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.evaluate import load_questions  # noqa: E402
from knowledge.match import PRIOR_PATH, Matcher  # noqa: E402
from knowledge.source import load_source  # noqa: E402

WEIGHTS = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0)


def counts(questions) -> dict[str, float]:
    cnt: collections.defaultdict[str, float] = collections.defaultdict(float)
    for q in questions:
        for c in q.codes:
            cnt[c] += 1 / len(q.codes)
    return dict(cnt)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help=f"write {PRIOR_PATH.relative_to(ROOT)}")
    args = ap.parse_args()
    m = Matcher(load_source(ROOT / "assets" / "content").procedures, prior={})
    qs = [q for q in load_questions(ROOT / "tests" / "data" / "questions") if q.codes]
    order = list(range(len(qs)))
    random.Random(5).shuffle(order)
    fold = {i: k % 5 for k, i in enumerate(order)}
    scores = [m.rank(q.question, limit=5).scores for q in qs]
    print(f"{len(qs)} in-scope development questions; {platform.machine()}, Python {platform.python_version()}")
    results = []
    for w in WEIGHTS:
        h1 = h3 = 0
        for k in range(5):
            cnt = counts(q for i, q in enumerate(qs) if fold[i] != k)
            for i, q in enumerate(qs):
                if fold[i] != k:
                    continue
                adj = {c: s + w * math.log1p(cnt.get(c, 0.0)) * (100 - s) / 100 for c, s in scores[i].items()}
                top = sorted(adj, key=lambda c: -adj[c])[:3]
                h1 += bool(top) and top[0] in q.codes
                h3 += any(c in q.codes for c in top)
        print(f"  weight {w:3.1f}: top-1 {100 * h1 / len(qs):5.1f} %, top-3 {100 * h3 / len(qs):5.1f} % (out-of-fold)")
        results.append((w, h1, h3))
    # The smallest weight within half a point of the best top-1: the plateau is flat, and a
    # smaller prior disturbs the evidence less ("khai sinh" must stay Đăng ký khai sinh).
    best = max(h1 for _, h1, _ in results)
    weight = min(w for w, h1, _ in results if h1 >= best - 0.005 * len(qs))
    print(f"chosen weight: {weight}")
    if args.write:
        PRIOR_PATH.write_text(json.dumps({"weight": weight, "counts": {c: round(v, 3) for c, v in sorted(counts(qs).items())},
                                          "note": "bench/fit_priors.py: development questions per procedure"},
                                         ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        print(f"written {PRIOR_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
