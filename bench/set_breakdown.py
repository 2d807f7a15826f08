"""A held-out set's figures by group, without printing a question: by persona, and for the
in-scope questions by what the content holds about their main procedure (a written-up
file, or a catalogue row only). What a set says about the kiosk can then be read without
anyone working on the kiosk reading the set's questions.

    .venv/bin/python bench/set_breakdown.py --set blind9 [--spoken]
"""
from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.decision_data import hearings_of, load_spoken  # noqa: E402
from knowledge.evaluate import LabelledQuestion, evaluate, load_questions  # noqa: E402
from knowledge.model import Detail  # noqa: E402
from knowledge.source import load_source  # noqa: E402

SHOWN = ("top1_pct", "offered_right_pct", "offered_two_pages_pct", "answered_wrong_pct", "oos_refused_or_redirected_pct")


def group_rows(kb: KnowledgeBase, groups: dict[str, list[LabelledQuestion]], heard) -> list[str]:
    rows = []
    for name, qs in sorted(groups.items()):
        s = evaluate(kb, qs, heard=heard).summary()
        cells = "  ".join(f"{s[k]:6.1f}" for k in SHOWN)
        rows.append(f"  {name:<34} {len(qs):5}  {cells}")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", dest="qset", required=True, help="a folder under tests/data")
    ap.add_argument("--spoken", action="store_true", help="as heard (tests/data/spoken/<set>.jsonl)")
    ap.add_argument("--content", default=str(ROOT / "assets" / "content"))
    args = ap.parse_args()
    content = load_source(args.content)
    kb = KnowledgeBase(content)
    questions = load_questions(ROOT / "tests" / "data" / args.qset)
    heard = None
    if args.spoken:
        spoken = load_spoken(ROOT / "tests" / "data" / "spoken" / f"{args.qset}.jsonl")
        questions = [q for q in questions if q.question in spoken]
        heard = {q: hearings_of(s) for q, s in spoken.items()}
    written = {p.code for p in content.procedures if p.detail is Detail.FULL}
    by_persona: dict[str, list[LabelledQuestion]] = {}
    by_content: dict[str, list[LabelledQuestion]] = {}
    for q in questions:
        by_persona.setdefault(q.persona or "?", []).append(q)
        if q.kind == "in_scope":
            where = "redirect" if q.primary.startswith("redirect.") else "written up" if q.primary in written else "catalogue only"
            by_content.setdefault(f"in scope, {where}", []).append(q)
        else:
            by_content.setdefault(q.kind, []).append(q)
    print(f"{args.qset}{' (spoken)' if args.spoken else ''}: {len(questions)} questions; {platform.machine()}, "
          f"Python {platform.python_version()}")
    print(f"  {'group':<34} {'n':>5}  {'top-1':>6}  {'offer':>6}  {'2 page':>6}  {'wrong':>6}  {'oos ok':>6}")
    for rows in (group_rows(kb, by_content, heard), group_rows(kb, by_persona, heard)):
        print("\n".join(rows))


if __name__ == "__main__":
    main()
