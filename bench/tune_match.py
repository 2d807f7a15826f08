"""Try other matching numbers on the development questions: a MatchParams in, the figures out.

Usage: .venv/bin/python bench/tune_match.py [--set NAME=VALUE …] [--try NAME=V1,V2,…]

Each setting is a field of ``knowledge.params.MatchParams`` (the defaults are what ships).
``--set`` changes a number for every run; ``--try`` runs once per value. The questions go
through the kiosk's own path (``KnowledgeBase(content, params=…)`` → ``Matcher.rank`` →
``DecisionModel.decide``), nothing is patched. Only the development set
(tests/data/questions): the blind set is never tuned on. The decision model stays the
fitted one; after changing the ranking for good, refit it (bench/fit_decision.py).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.evaluate import evaluate, load_questions  # noqa: E402
from knowledge.params import DEFAULT, MatchParams  # noqa: E402
from knowledge.source import load_source  # noqa: E402

FIGURES = ("top1_pct", "top3_pct", "answered_right_pct", "answered_wrong_pct", "clarify_pct",
           "oos_refused_or_redirected_pct", "broad_clarified_pct")


def _value(params: MatchParams, name: str, text: str):
    """``text`` as the type of the field ``name`` (int, float, or None)."""
    fields = {f.name for f in dataclasses.fields(MatchParams)}
    if name not in fields:
        sys.exit(f"không có tham số {name!r} / no such MatchParams field; có / have: {', '.join(sorted(fields))}")
    current = getattr(params, name)
    if text.lower() == "none":
        return None
    return int(text) if isinstance(current, int) and not isinstance(current, bool) else float(text)


def figures(params: MatchParams, content, questions) -> dict[str, float]:
    """The development-set figures for ``params`` (the kiosk's own ask path)."""
    report = evaluate(KnowledgeBase(content, params=params), questions)
    summary = report.summary()
    return {k: summary[k] for k in FIGURES if k in summary}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="change a number for every run")
    ap.add_argument("--try", dest="tries", action="append", default=[], metavar="NAME=V1,V2",
                    help="one run per value")
    ap.add_argument("--content", default=str(ROOT / "assets" / "content"))
    args = ap.parse_args()
    base = DEFAULT
    for item in args.set:
        name, _, text = item.partition("=")
        base = dataclasses.replace(base, **{name: _value(base, name, text)})
    runs: list[tuple[str, MatchParams]] = [("shipped" if base == DEFAULT else "--set", base)]
    for item in args.tries:
        name, _, texts = item.partition("=")
        for text in texts.split(","):
            runs.append((f"{name}={text}", dataclasses.replace(base, **{name: _value(base, name, text)})))
    content = load_source(args.content)
    questions = load_questions(ROOT / "tests" / "data" / "questions")
    print(f"development set: {len(questions)} questions")
    for label, params in runs:
        print(f"{label:<28}", json.dumps(figures(params, content, questions)))


if __name__ == "__main__":
    main()
