"""Accuracy of question → procedure matching and of the answer/clarify/none decision.

Usage: .venv/bin/python bench/match_accuracy.py [--set dev|blind|blind2|blind3|blind4|blind5|authored] [--spoken] [--failures]

``--set blind5`` (tests/data/blind5, written by authors who never saw the content or the
code; never tuned on, never written into the content) gives the figures to report. The
development set and the first four blind sets are the content's examples (bench/write_examples.py)
and the decision's training rows: their figures are in-sample. ``authored``: phrasings of
every procedure written from its title (not used as examples). ``--spoken``: the same
questions as heard through espeak-ng → Whisper base (transcripts cached by
bench/spoken_questions.py in tests/data/spoken/). Prints top-1/top-3, the decision
breakdown, the share of in-scope questions whose right procedure the kiosk offered (answer
or clarify choices; ``offered_two_pages_pct``: or on the clarify screen's second page, after
"Không phải"), broad questions clarified, out-of-scope refused or redirected.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.decision_data import hearings_of, load_spoken  # noqa: E402
from knowledge.evaluate import evaluate, load_questions  # noqa: E402
from knowledge.examples import DEVELOPMENT_SETS, EXAMPLE_SETS, HELD_OUT_SETS  # noqa: E402
from knowledge.source import load_source  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--failures", action="store_true", help="list the questions not answered right")
    # the development set is the folder "questions"; the labelled sets' names come from
    # knowledge.examples, so a set frozen or moved to training needs no edit here
    sets = ["dev", *(s for s in EXAMPLE_SETS if s != "questions"), *DEVELOPMENT_SETS, *HELD_OUT_SETS, "authored",
            "train7", "train8"]
    ap.add_argument("--set", dest="qset", choices=sets, default="dev",
                    help=f"{', '.join(HELD_OUT_SETS)}: the held-out sets; {', '.join(DEVELOPMENT_SETS)}: measured, "
                         "not in the content; the others are examples in the content (in-sample), except authored, "
                         "train7 and train8 (written, not used)")
    ap.add_argument("--blind", action="store_const", dest="qset", const="blind", help="same as --set blind")
    ap.add_argument("--spoken", action="store_true", help="as heard through espeak-ng → Whisper (cached transcripts)")
    ap.add_argument("--content", default=str(ROOT / "assets" / "content"))
    args = ap.parse_args()
    kb = KnowledgeBase(load_source(args.content))
    folder = ROOT / "tests" / "data" / ("questions" if args.qset == "dev" else args.qset)
    questions = load_questions(folder)
    heard = None
    if args.spoken:
        cache = ROOT / "tests" / "data" / "spoken" / f"{args.qset}.jsonl"
        spoken = load_spoken(cache)
        if not spoken:
            sys.exit(f"no transcripts in {cache}: run bench/spoken_questions.py {folder} {cache}")
        questions = [q for q in questions if q.question in spoken]
        heard = {q: hearings_of(s) for q, s in spoken.items()}
    report = evaluate(kb, questions, heard=heard)
    print(f"{'development' if args.qset == 'dev' else args.qset} set{' (spoken)' if args.spoken else ''}: {len(questions)} questions; "
          f"content: {len(kb.matcher)} procedures indexed; {platform.machine()}, Python {platform.python_version()}")
    print(json.dumps(report.summary(), ensure_ascii=False, indent=2))
    print("top-1 by kind:", {k: f"{v[1]}/{v[0]} ({100 * v[1] / v[0]:.0f}%)" for k, v in sorted(report.by_kind.items())})
    if args.failures:
        for q, want, got, decision in report.failures:
            print(f"  [{decision:7}] want {want:<20} got {','.join(got):<30} {q}")


if __name__ == "__main__":
    main()
