"""Choose the sibling term's numbers (``MatchParams.nb_*``): ranking measured leaving one set out.

    .venv/bin/python bench/fit_sibling.py [--sets blind,blind2,blind3,authored]

The sibling term (knowledge.match, ``Matcher._sibling_term``) is a multinomial naive Bayes
over each procedure's texts, read among the first candidates: it tells siblings apart by
the words their citizens use ("bên Malaysia" → the foreign-element birth, "xóa" → ending a
registration). Its weight, temperature and smoothing are chosen here, on ranking alone
(top-1, top-3 of the in-scope questions): each labelled set is taken out of the content's
examples in turn and its questions ranked by a matcher built from the rest, as an unseen
author's would be. The setting with the best mean top-1 (to a tenth of a point), then top-3, wins. The held-out set
(tests/data/blind5) is refused.
"""
from __future__ import annotations

import argparse
import dataclasses
import itertools
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from leave_one_out import content_without  # noqa: E402

from knowledge.evaluate import LabelledQuestion, load_questions  # noqa: E402
from knowledge.examples import EARLIER_BLIND_SETS, EXAMPLE_SETS, HELD_OUT_SETS  # noqa: E402
from knowledge.match import Matcher  # noqa: E402
from knowledge.model import Content  # noqa: E402
from knowledge.params import DEFAULT  # noqa: E402
from knowledge.source import load_source  # noqa: E402

DATA = ROOT / "tests" / "data"
WEIGHTS = (0.1, 0.2, 0.3)
TEMPERATURES = (0.2, 0.3)
ALPHAS = (0.1,)
CURATED = (10.0, 30.0)


def without(content: Content, left: str) -> tuple[Content, tuple[str, ...], list[LabelledQuestion]]:
    """``content`` holding the examples of every set but ``left``; off-topic lines; ``left``'s
    in-scope questions."""
    qs = load_questions(DATA / left)
    full, off_topic = content_without(content, qs, [s for s in EXAMPLE_SETS if s != left])
    return full, off_topic, [q for q in qs if q.kind == "in_scope"]


def ranked(matcher: Matcher, qs: list[LabelledQuestion]) -> tuple[float, float]:
    t1 = t3 = 0
    for q in qs:
        got = [m.code for m in matcher.search(q.question, 3)]
        t1 += bool(got) and got[0] in q.codes
        t3 += any(c in q.codes for c in got)
    return 100 * t1 / len(qs), 100 * t3 / len(qs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default=",".join((*EARLIER_BLIND_SETS, "authored")))
    args = ap.parse_args()
    sets = args.sets.split(",")
    if held := ", ".join(sorted(set(sets) & set(HELD_OUT_SETS))):
        sys.exit(f"{held} is a held-out set: never choose with it")
    content = load_source(ROOT / "assets" / "content")
    left_out = {s: without(content, s) for s in sets}
    grid = [(0.0, 1.0, 1.0, 1.0)] + list(itertools.product(WEIGHTS, TEMPERATURES, ALPHAS, CURATED))
    print(f"{platform.machine()}, Python {platform.python_version()}; top-1 / top-3 of in-scope questions, %")
    print(f"{'weight':>6} {'temp':>5} {'alpha':>5} {'curated':>7}" + "".join(f"{s:>14}" for s in sets) + f"{'mean':>14}")
    results = []
    for w, t, a, sh in grid:
        prm = dataclasses.replace(DEFAULT, nb_weight=w, nb_temperature=t, nb_alpha=a, nb_curated=sh)
        row = [ranked(Matcher(c.procedures, params=prm, off_topic=o), qs) for c, o, qs in left_out.values()]
        mean = (sum(r[0] for r in row) / len(row), sum(r[1] for r in row) / len(row))
        # to a tenth of a point: one question is 0.2–0.5 points of a set, less is not a difference
        results.append(((round(mean[0], 1), round(mean[1], 1)), (w, t, a, sh)))
        print(f"{w:>6} {t:>5} {a:>5} {sh:>7}" + "".join(f"{r[0]:>7.1f}/{r[1]:<6.1f}" for r in row)
              + f"{mean[0]:>7.1f}/{mean[1]:<6.1f}", flush=True)
    (m1, m3), (w, t, a, sh) = max(results)
    print(f"best: nb_weight={w} nb_temperature={t} nb_alpha={a} nb_curated={sh} (mean top-1 {m1:.1f} %, top-3 {m3:.1f} %)")


if __name__ == "__main__":
    main()
