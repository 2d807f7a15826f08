"""Measure a design on each earlier blind set left out: the figures that choose between designs.

    .venv/bin/python bench/leave_one_out.py [--sets blind,blind2,blind3,blind4] [--spoken] [--failures] [--answer-p P]

The development and the first four blind sets are the content's examples and the
decision's training rows, so their own figures are in-sample, and the fifth blind set
(tests/data/blind5) is the held-out measure that must not choose anything. This script
takes one earlier blind set out of both — its questions removed from the examples, the
decision refitted without it (bench/fit_decision.py --no-calibrate in a subprocess) —
and measures the kiosk's own ask path on it, as an unseen author's questions.

``--answer-p`` and ``--offer-p`` (default: the shipped model's bars) replace the refitted
model's, as the shipped ones were set by the same check (fit_decision's calibration).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.decide import MODEL_PATH, DecisionModel  # noqa: E402
from knowledge.decision_data import hearings_of, load_spoken  # noqa: E402
from knowledge.evaluate import LabelledQuestion, evaluate, load_questions  # noqa: E402
from knowledge.examples import EARLIER_BLIND_SETS, EXAMPLE_SETS, HELD_OUT_SETS, example_folds, labelled_pool  # noqa: E402
from knowledge.model import Content  # noqa: E402
from knowledge.source import load_source  # noqa: E402

DATA = ROOT / "tests" / "data"
FIT_FOLDS = 5  # as bench/fit_decision.py


@dataclasses.dataclass(frozen=True)
class LeftOut:
    """One earlier blind set taken out of the examples and the decision's fit."""
    name: str
    questions: list[LabelledQuestion]
    model: DecisionModel  # fitted on the other sets
    content: Content  # the other sets' examples only
    off_topic: tuple[str, ...]

    def kb(self, answer_p: float | None = None, offer_p: float | None = None) -> KnowledgeBase:
        model = self.model if answer_p is None else dataclasses.replace(self.model, answer_p=answer_p)
        if offer_p is not None:
            model = dataclasses.replace(model, offer_p=offer_p, offer_p_spoken=min(offer_p, model.offer_p_spoken or offer_p))
        return KnowledgeBase(self.content, model=model, off_topic=self.off_topic)


def leave_out(content: Content, left: str, *, train: list[str] | None = None, examples: list[str] | None = None,
              content_dir: Path | None = None, keep_answer: bool = False) -> LeftOut:
    """``left``'s questions out of ``content``'s examples and out of a decision refitted on
    the rest (``train``/``examples`` default to the shipped sets)."""
    rest_train = [s for s in (train or EXAMPLE_SETS) if s != left]
    rest_examples = [s for s in (examples or EXAMPLE_SETS) if s and s != left]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "model.json"
        cmd = [sys.executable, str(ROOT / "bench" / "fit_decision.py"), "--write", "--no-calibrate", "--out", str(out),
               "--train", ",".join(rest_train), "--examples", ",".join(rest_examples)]
        if content_dir is not None:
            cmd += ["--content", str(content_dir)]
        if keep_answer:  # the shipped answer model, the offer model fitted without ``left``
            cmd += ["--keep-answer"]
        subprocess.run(cmd, check=True, capture_output=True)
        model = DecisionModel.from_json(json.loads(out.read_text(encoding="utf-8")))
    questions = load_questions(DATA / left)
    full, off_topic = content_without(content, questions, rest_examples)
    return LeftOut(left, questions, model, full, off_topic)


def content_without(content: Content, questions: list[LabelledQuestion],
                    examples: list[str]) -> tuple[Content, tuple[str, ...]]:
    """``content`` holding the examples of the sets ``examples`` but none of ``questions``,
    and the off-topic lines of those sets."""
    texts = {q.question for q in questions}
    base = dataclasses.replace(content, procedures=tuple(
        dataclasses.replace(p, examples=tuple(x for x in p.examples if x not in texts)) for p in content.procedures))
    folds = example_folds(base, labelled_pool(DATA, examples), folds=FIT_FOLDS)
    return folds.full, folds.full_off_topic


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default=",".join(EARLIER_BLIND_SETS), help="earlier blind sets to leave out in turn (default: %(default)s)")
    ap.add_argument("--spoken", action="store_true", help="also the same questions as heard (tests/data/spoken/<set>.jsonl)")
    ap.add_argument("--failures", action="store_true", help="list the questions not answered right")
    ap.add_argument("--answer-p", type=float, default=None,
                    help="answer bar for the refitted model (default: the shipped model's)")
    ap.add_argument("--offer-p", type=float, default=None,
                    help="offer bar for the refitted model (default: the shipped model's; the spoken bar never above it)")
    ap.add_argument("--train", default=",".join(EXAMPLE_SETS), help="sets the decision is fitted on (default: %(default)s)")
    ap.add_argument("--examples", default=",".join(EXAMPLE_SETS),
                    help="sets whose questions the content holds as examples (default: %(default)s)")
    ap.add_argument("--content", default=str(ROOT / "assets" / "content"))
    args = ap.parse_args()
    if held := ", ".join(sorted(set(args.sets.split(",")) & set(HELD_OUT_SETS))):
        sys.exit(f"{held} is a held-out set: measure it with bench/match_accuracy.py --set {held},"
                 " never choose with it")
    content_dir = Path(args.content)
    content = load_source(content_dir)
    shipped = DecisionModel.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
    answer_p = args.answer_p if args.answer_p is not None else shipped.answer_p
    offer_p = args.offer_p if args.offer_p is not None else shipped.offer_p
    print(f"answer bar {answer_p}, offer bar {offer_p}; {platform.machine()}, Python {platform.python_version()}")
    keys = ("top1_pct", "top3_pct", "answered_right_pct", "answered_wrong_pct", "clarify_pct", "missed_pct",
            "offered_right_pct", "oos_refused_or_redirected_pct", "oos_redirected_elsewhere_pct", "oos_sent_wrong_pct",
            "broad_clarified_pct")
    labels = ("top-1", "top-3", "answered", "wrong", "clarify", "none", "offered", "oos handled", "elsewhere", "wrong office",
              "broad asked")
    print(f"{'left out (%)':<16}" + "".join(f"{k:>13}" for k in labels))
    for left in args.sets.split(","):
        lo = leave_out(content, left, train=args.train.split(","), examples=args.examples.split(","),
                       content_dir=content_dir)
        kb = lo.kb(answer_p, offer_p)
        runs = [("typed", evaluate(kb, lo.questions))]
        if args.spoken:
            spoken = load_spoken(DATA / "spoken" / f"{left}.jsonl")
            if spoken:
                qs = [q for q in lo.questions if q.question in spoken]
                runs.append(("spoken", evaluate(kb, qs, heard={q: hearings_of(s) for q, s in spoken.items()})))
        for how, report in runs:
            s = report.summary()
            print(f"{left + ' ' + how:<16}" + "".join(f"{s[k]:>13}" for k in keys))
            if args.failures:
                for q, want, got, decision in report.failures:
                    print(f"    [{decision:7}] want {want:<20} got {','.join(got):<30} {q}")


if __name__ == "__main__":
    main()
