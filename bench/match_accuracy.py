"""Accuracy of question → procedure matching on the labelled set in tests/data/questions.

Usage: .venv/bin/python bench/match_accuracy.py [--failures]
Prints top-1/top-3 accuracy, the decision breakdown, and the out-of-scope refusal rate.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.evaluate import evaluate, load_questions  # noqa: E402
from knowledge.source import load_source  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--failures", action="store_true", help="list the questions not answered right")
    ap.add_argument("--content", default=str(ROOT / "assets" / "content"))
    ap.add_argument("--questions", default=str(ROOT / "tests" / "data" / "questions"))
    args = ap.parse_args()
    kb = KnowledgeBase(load_source(args.content))
    questions = load_questions(args.questions)
    report = evaluate(kb, questions)
    print(f"content: {len(kb.matcher)} procedures indexed; questions: {len(questions)}")
    print(json.dumps(report.summary(), ensure_ascii=False, indent=2))
    print("top-1 by kind:", {k: f"{v[1]}/{v[0]} ({100 * v[1] / v[0]:.0f}%)" for k, v in sorted(report.by_kind.items())})
    if args.failures:
        for q, want, got, decision in report.failures:
            print(f"  [{decision:7}] want {want:<20} got {','.join(got):<30} {q}")


if __name__ == "__main__":
    main()
