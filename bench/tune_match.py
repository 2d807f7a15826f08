"""Tune the matcher's coverage weighting and decision thresholds on the labelled questions.

For each coverage setting, every question is scored once; thresholds are then searched
on the stored top matches. The objective follows issue #3: no more than 3 % of in-scope
questions answered with a wrong procedure, at least 90 % of out-of-scope refused, then
as many right answers (and as few "none" for in-scope questions) as possible.
Usage: .venv/bin/python bench/tune_match.py
"""
from __future__ import annotations

import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import knowledge.match as match  # noqa: E402
from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.evaluate import load_questions  # noqa: E402
from knowledge.source import load_source  # noqa: E402


def decide(scores, answer_t, clarify_t, margin):
    if not scores or scores[0] < clarify_t:
        return "none"
    if scores[0] >= answer_t and scores[0] - scores[1] >= margin:
        return "answer"
    return "clarify"


def main() -> None:
    content = load_source(ROOT / "assets" / "content")
    questions = load_questions(ROOT / "tests" / "data" / "questions")
    n_in = sum(bool(q.codes) for q in questions)
    n_out = len(questions) - n_in
    best_overall = None
    for floor, share, bag in itertools.product((0.5, 0.6), (0.5, 0.75), (0.3,)):
        match.COVERAGE_FLOOR, match.QUERY_COVERAGE_SHARE, match.BAG_WEIGHT = floor, share, bag
        kb = KnowledgeBase(content)
        rows = []
        for q in questions:
            ms = kb.matcher.search(q.question, limit=4)
            rows.append((q, [m.code for m in ms], [m.score for m in ms]))
        best = None
        for answer_t, clarify_t, margin in itertools.product(range(60, 96, 2), range(30, 76, 3), (0, 2, 4, 6, 8, 10, 12)):
            if clarify_t > answer_t:
                continue
            right = wrong = none_in = refused = clar_ok = 0
            for q, codes, scores in rows:
                d = decide(scores, answer_t, clarify_t, margin)
                if not q.codes:
                    refused += d == "none"
                    continue
                if d == "answer":
                    right += codes[0] in q.codes
                    wrong += codes[0] not in q.codes
                elif d == "clarify":
                    clar_ok += any(c in q.codes for c in codes[:4])
                else:
                    none_in += 1
            if wrong > 0.03 * n_in or refused < 0.9 * n_out:
                continue
            key = (right + 0.8 * clar_ok - none_in, -wrong)
            if best is None or key > best[0]:
                best = (key, (answer_t, clarify_t, margin), right, wrong, clar_ok, none_in, refused)
        top1 = sum(codes[0] in q.codes for q, codes, _ in rows if q.codes)
        if best:
            _, th, right, wrong, clar_ok, none_in, refused = best
            print(f"floor={floor} share={share} bag={bag}: top1 {100*top1/n_in:.1f}%  thresholds answer/clarify/margin={th}  "
                  f"answered right {100*right/n_in:.1f}%, wrong {100*wrong/n_in:.1f}%, clarify-with-right {100*clar_ok/n_in:.1f}%, "
                  f"none {100*none_in/n_in:.1f}%; out-of-scope refused {100*refused/n_out:.1f}%")
            if best_overall is None or best[0] > best_overall[0]:
                best_overall = (best[0], floor, share, bag, th)
        else:
            print(f"floor={floor} share={share} bag={bag}: top1 {100*top1/n_in:.1f}%  no thresholds meet the constraints")
    if best_overall:
        print("best:", best_overall)


if __name__ == "__main__":
    main()
