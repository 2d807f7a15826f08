"""Fit the re-ranking of the first candidates (knowledge/rerank.py) on labelled questions.

    .venv/bin/python bench/fit_rerank.py [--top 12] [--sets SET,…] [--write]

Rows: every in-scope question (the right procedures) and every question about another
office's business (the right redirect entries) of ``knowledge.examples.RERANK_SETS`` —
development sets that are neither in the content as examples nor held out. Each is ranked
by the shipped matcher with the re-ranking off; its first ``--top`` candidates' evidence is
a row (``Matcher.candidates``). Questions whose right procedure is not among them teach
nothing and are left out of the fit, not of the figures.

Prints, leaving each set out in turn (fitted on the others): how often the right
procedure is first and among the first four before and after the re-ranking, for in-scope
questions and for redirects. ``--write`` stores the model fitted on every set in
knowledge/rerank_model.json, with those figures in its note. The held-out sets are never
read.
"""
from __future__ import annotations

import argparse
import collections
import datetime
import platform
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.evaluate import load_questions  # noqa: E402
from knowledge.examples import EXAMPLE_SETS, HELD_OUT_SETS, RERANK_SETS  # noqa: E402
from knowledge.match import Matcher  # noqa: E402
from knowledge.rerank import FEATURES, RERANK_PATH, Reranker, fit_listwise  # noqa: E402
from knowledge.source import load_source  # noqa: E402

DATA = ROOT / "tests" / "data"
# A question about another office weighs less than one about a ward procedure: with equal
# weight the redirect rows (a third of them, most from training set 8) pulled the model
# towards redirects, and in-scope questions, left out by set, gained nothing first
# (77.1 → 77.1 %); at 0.3: 77.1 → 78.0 %, redirects first 82.3 → 83.2 %; at 0.1 redirects
# fell to 78.1 % (2026-12-06, K = 12, prototype of this script).
REDIRECT_WEIGHT = 0.3


def rows_of(matcher: Matcher, sets: tuple[str, ...], top: int) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    """(set, kind, evidence, which candidates are right) per labelled question."""
    out = []
    for name in sets:
        for q in load_questions(DATA / name):
            if q.kind == "in_scope":
                right = {c for c in q.codes if not c.startswith("redirect.")}
            elif q.kind == "redirect":
                right = set(q.codes)
            else:
                continue
            codes, evidence = matcher.candidates(q.question, top)
            out.append((name, q.kind, evidence, np.array([c in right for c in codes], dtype=bool)))
    return out


def fit(rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    usable = [(e, r, REDIRECT_WEIGHT if kind == "redirect" else 1.0) for _, kind, e, r in rows if r.any()]
    return fit_listwise(usable)


def as_reranker(model: tuple[np.ndarray, np.ndarray, np.ndarray], top: int, note: dict | None = None) -> Reranker:
    w, mean, scale = model
    return Reranker(FEATURES, tuple(map(float, mean)), tuple(map(float, scale)), tuple(map(float, w)), top, note or {})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--top", type=int, default=12, help="candidates re-ordered (default: %(default)s)")
    ap.add_argument("--sets", default=",".join(RERANK_SETS), help="question sets under tests/data (default: %(default)s)")
    ap.add_argument("--write", action="store_true", help=f"store the model in {RERANK_PATH.relative_to(ROOT)}")
    args = ap.parse_args()
    sets = tuple(args.sets.split(","))
    if clash := set(sets) & (set(EXAMPLE_SETS) | set(HELD_OUT_SETS)):
        sys.exit(f"không được học trên bộ câu hỏi đã làm ví dụ hay bộ giữ kín / example or held-out sets may not be fitted on: {sorted(clash)}")
    if args.write and set(sets) != set(RERANK_SETS):
        sys.exit("--write chỉ dùng với đúng các bộ RERANK_SETS / --write fits on knowledge.examples.RERANK_SETS only")
    matcher = Matcher(load_source(ROOT / "assets" / "content").procedures, reranker=False)
    rows = rows_of(matcher, sets, args.top)
    print(f"{len(rows)} questions from {', '.join(sets)}; first {args.top} candidates")
    totals: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    table = []
    for held in sets:
        model = as_reranker(fit([r for r in rows if r[0] != held]), args.top)
        for kind in ("in_scope", "redirect"):
            c: collections.Counter = collections.Counter()
            for _, _, evidence, right in (r for r in rows if r[0] == held and r[1] == kind):
                after = right[model.order(evidence)] if len(right) else right
                c["n"] += 1
                c["first"] += bool(right[:1].any())
                c["first_after"] += bool(after[:1].any())
                c["four"] += bool(right[:4].any())
                c["four_after"] += bool(after[:4].any())
            if c["n"]:
                totals[kind].update(c)
                table.append((held, kind, c))
    pct = lambda c, k: round(100 * c[k] / c["n"], 1)  # noqa: E731
    print(f"{'left out':10s} {'kind':9s} {'n':>5s}  first before → after   first four before → after")
    for held, kind, c in table + [("all", k, totals[k]) for k in ("in_scope", "redirect")]:
        print(f"{held:10s} {kind:9s} {c['n']:5d}  {pct(c, 'first'):5.1f} → {pct(c, 'first_after'):5.1f}"
              f"          {pct(c, 'four'):5.1f} → {pct(c, 'four_after'):5.1f}")
    if args.write:
        note = {
            "fitted": datetime.date.today().isoformat(), "by": "bench/fit_rerank.py", "sets": list(sets),
            "questions": len(rows), "redirect_weight": REDIRECT_WEIGHT, "machine": f"{platform.machine()}, Python {platform.python_version()}",
            "left_out": {f"{held}/{kind}": {"n": c["n"], "first": [pct(c, "first"), pct(c, "first_after")],
                                            "first_four": [pct(c, "four"), pct(c, "four_after")]} for held, kind, c in table},
        }
        as_reranker(fit(rows), args.top, note).save()
        print(f"written {RERANK_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
