"""Fit the answer/clarify/none decision (knowledge/decide.py) on labelled questions.

    .venv/bin/python bench/fit_decision.py [--write]

Rows: every question of the training sets (default: tests/data/questions, blind, blind2, off_topic)
typed as written, without diacritics, with a neutral opening sentence, and (when
tests/data/spoken/<set>.jsonl exists, made by bench/spoken_questions.py) as heard through
espeak-ng → Whisper; plus short keyword searches from the content and the catalogue-only
procedures' examples (each scored without its fold's examples). The content holds
these sets' questions as examples (bench/write_examples.py), so each question is scored
by a matcher that lacks its own fold's examples and off-topic questions (5 folds of
situations; ``--examples``): its evidence then looks like an unseen citizen's, not like
a question the kiosk has stored word for word.

Two L2 logistic models are fitted, scored with 5-fold cross-validation grouped by
question, and the two bars are chosen on the out-of-fold probabilities:

- ``answer``: the probability that the first candidate is right. Its bar is the lowest
  at which typed questions answered with a wrong procedure stay ≤ 2 % (spoken ≤ 4 %) —
  the issue allows 3 % and 5 % on unseen questions;
- ``offer``: the probability that the question is about something the kiosk knows (a
  procedure or a redirect). Its bar is the lowest at which each earlier blind set, left
  out of the examples and the fit, still refuses or sends on ≥ 90 % of its out-of-scope
  questions (the issue asks ≥ 90 %); everything above it is offered as choices, not
  refused. (With ``--no-calibrate``: the lowest at which ≥ 90 % of the pooled typed
  out-of-scope questions not sent on are refused out of fold.) A spoken question has its
  own offer bar, at which ≥ 75 % of spoken out-of-scope questions are refused: a garbled transcript of a real question
  looks much like chit-chat, and three choices cost one tap where a refusal costs the visit.

``--write`` stores the model fitted on all rows in knowledge/decision_model.json.
``--keep-answer`` refits the offer model and its bars only: the shipped answer model and
answer bar are kept exactly (re-expressed over the new features' standardisation), so
what the kiosk answers outright does not move.

The held-out sets (tests/data/blind5, blind6) are never read here.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import platform
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.decide import MODEL_PATH, DecisionModel, Logistic, fit_logistic, standardise  # noqa: E402
from knowledge.decision_data import Row, keyword_questions, load_spoken, rows_for  # noqa: E402
from knowledge.evaluate import LabelledQuestion, load_questions  # noqa: E402
from knowledge.examples import EARLIER_BLIND_SETS, EXAMPLE_SETS, example_folds, examples_of, labelled_pool, off_topic_of  # noqa: E402
from knowledge.model import Detail  # noqa: E402
from knowledge.source import load_source  # noqa: E402

FEATURES = ("score1", "gap12", "gap13", "gap14", "query_coverage", "text_coverage", "bag", "unknown_share",
            "log_tokens", "phonetic_only", "brief", "redirect", "off_topic", "off_topic_gap", "topic", "spoken", "asr_logprob", "asr_no_speech", "spoken_score1", "exact",
            "pair_coverage", "missed_rarest", "missed_second", "top3_coverage")
FOLDS = 5
L2 = 1.0
WRONG_TYPED, WRONG_SPOKEN, OOS_REFUSED, OOS_REFUSED_SPOKEN = 0.02, 0.04, 0.90, 0.75


def _placeholder() -> DecisionModel:
    z = Logistic(tuple(0.0 for _ in FEATURES), 0.0)
    return DecisionModel(FEATURES, tuple(0.0 for _ in FEATURES), tuple(1.0 for _ in FEATURES), z, z, 1.0, 1.0)


# The direction some evidence must push, whatever the sample says: a surer hearing
# (higher mean log-probability, lower no-speech probability) never makes the kiosk less
# sure. On espeak-ng's robot voice the fit once gave a garbled transcript (−2.5) a higher
# probability of being right than a clean one (−0.2): a quirk of that voice, not of speech.
SIGNS = {"asr_logprob": +1, "asr_no_speech": -1}


# Evidence for the offer model only: whether a question reads like one about a procedure at
# all says nothing about which one; in the answer model it lowered a greeting followed by a
# question ("cảm ơn, cho hỏi làm giấy khai sinh cho con cần gì": asked back).
OFFER_ONLY = frozenset({"topic", "pair_coverage", "missed_rarest", "missed_second", "top3_coverage"})


def fit_signed(x: np.ndarray, y: np.ndarray, drop: frozenset[str] = frozenset()) -> Logistic:
    """``fit_logistic``, refitted without any feature of ``SIGNS`` whose weight came out
    against its sign (its weight is then 0); features in ``drop`` are left out (weight 0)."""
    keep = [i for i, name in enumerate(FEATURES) if name not in drop]
    while True:
        m = fit_logistic(x[:, keep], y, l2=L2)
        bad = [keep[i] for i, w in enumerate(m.weights) if FEATURES[keep[i]] in SIGNS and w * SIGNS[FEATURES[keep[i]]] < 0]
        if not bad:
            weights = [0.0] * len(FEATURES)
            for i, w in zip(keep, m.weights):
                weights[i] = w
            return Logistic(tuple(weights), m.bias)
        keep = [i for i in keep if i not in bad]


# Written to cover every procedure (train4, the catalogue-only procedures' examples) or the
# edge of the ward's remit (train6: 55 of its 70 situations out of remit), not to follow what
# citizens ask most: their rows train the models, but the bars' rates are estimated on
# questions asked the way citizens ask.
COVERAGE_SETS = ("train4", "train6", "catalogue")
WRONG_HELD_OUT = 0.03  # the bound on wrong answers, on questions by authors the fit never saw
OOS_HELD_OUT = 0.90  # the bound on out-of-scope questions refused or sent on, likewise
HELD_OUT_SETS = EARLIER_BLIND_SETS
OFFER_SCAN_FROM = 0.30  # where the set-by-set offer bar search starts (the out-of-fold trade-off's lowest row)


def calibrated_bars(content, content_dir: Path, train: list[str], examples: list[str],
                    start: float, offer_start: float, keep_answer: bool = False) -> tuple[float, float, dict]:
    """The lowest answer bar ≥ ``start`` at which each earlier blind set, left out of the
    examples and of the fit (its decision refitted on the rest), is answered wrongly at
    most ``WRONG_HELD_OUT``. Out-of-fold estimates are optimistic: folds share authors and
    situations, a citizen does not (2026-12-02: 2 % out of fold was 3.8 % on the second
    blind set left out). Then, at that answer bar, the lowest offer bar ≥ ``offer_start`` at
    which each of them refuses or sends on ≥ ``OOS_HELD_OUT`` of its out-of-scope
    questions (2026-12-02: the out-of-fold 90 % was 88.3 % on the second set left out)."""
    from leave_one_out import leave_out

    from knowledge.evaluate import evaluate

    grid = [round(t, 2) for t in np.arange(start, 0.995, 0.01)]
    wrong: dict[str, dict[str, float]] = {}
    left_out = []
    for left in (s for s in HELD_OUT_SETS if s in train):
        lo = leave_out(content, left, train=train, examples=examples, content_dir=content_dir, keep_answer=keep_answer)
        left_out.append(lo)
        if keep_answer:  # the answer bar is the shipped one: nothing to choose
            continue
        wrong[left] = {}
        for t in grid:
            wrong[left][f"{t:.2f}"] = evaluate(lo.kb(t), lo.questions).summary()["answered_wrong_pct"]
            if wrong[left][f"{t:.2f}"] <= 100 * WRONG_HELD_OUT:
                break
    # each set's first bar within the bound (raising the bar further answers fewer)
    firsts = [next((float(k) for k, v in w.items() if v <= 100 * WRONG_HELD_OUT), grid[-1]) for w in wrong.values()]
    floor = max(firsts, default=start)
    for left, w in wrong.items():
        print(f"  {left} left out: wrong answers by answer bar " + ", ".join(f"{k} → {v} %" for k, v in w.items()))
    handled: dict[str, dict[str, float]] = {}
    offer_floor = offer_start
    for lo in left_out:
        oos = [q for q in lo.questions if q.kind in ("redirect", "out_of_scope")]
        handled[lo.name] = {}
        reached = floor  # a set that never reaches the bound below the answer bar: refuse all but answers
        for t in (round(t, 2) for t in np.arange(offer_start, floor, 0.01)):
            pct = evaluate(lo.kb(floor, t), oos).summary()["oos_refused_or_redirected_pct"]
            handled[lo.name][f"{t:.2f}"] = pct
            if pct >= 100 * OOS_HELD_OUT:
                reached = t
                break
        offer_floor = max(offer_floor, reached)
        print(f"  {lo.name} left out: out of scope handled by offer bar "
              + ", ".join(f"{k} → {v} %" for k, v in handled[lo.name].items()))
    return floor, offer_floor, {"wrong": wrong, "oos_handled": handled}


def catalogue_rows(folds, model0: DecisionModel, seed: int = 13) -> list[Row]:
    """Rows for the catalogue-only procedures' examples, each scored by a matcher whose
    content lacks its own fold's examples (the procedures dealt into ``FOLDS`` at random).

    Without them the offer model saw almost no question about a catalogue-only procedure
    and learned that a brief first candidate means "nothing the kiosk knows" (weight
    −0.61): training set 9 (catalogue-only questions) had 4 refusals with the right
    procedure first ("dam cuoi dung rap ngoai hem 2 ngay co can xin phep ko", p_offer
    0.47–0.48 against the bar 0.49). They train the offer model only (see main)."""
    briefs = [p for p in folds.full.procedures if p.detail is Detail.BRIEF and p.examples]
    order = np.random.default_rng(seed).permutation(len(briefs))
    out: list[Row] = []
    for k in range(FOLDS):
        held = {briefs[i].code for i in order[k::FOLDS]}
        content = dataclasses.replace(folds.full, procedures=tuple(
            dataclasses.replace(p, examples=()) if p.code in held else p for p in folds.full.procedures))
        kb = KnowledgeBase(content, model=model0, off_topic=folds.full_off_topic)
        qs = [LabelledQuestion(x, frozenset({p.code}), "in_scope", "catalogue")
              for p in briefs if p.code in held for x in p.examples]
        base = max((r.group for r in out), default=-1) + 1
        out += [dataclasses.replace(r, group=r.group + base) for r in rows_for(kb, qs, augment=True)]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help="write the model (to --out)")
    ap.add_argument("--out", default=str(MODEL_PATH), help="where --write writes (default: %(default)s)")
    ap.add_argument("--no-calibrate", action="store_true",
                    help="skip the bars' check on each earlier blind set left out (see calibrated_bars)")
    ap.add_argument("--keep-answer", action="store_true",
                    help="keep the shipped answer model and bar; fit the offer model and its bars only")
    ap.add_argument("--content", default=str(ROOT / "assets" / "content"))
    ap.add_argument("--train", default=",".join(EXAMPLE_SETS),
                    help="question sets under tests/data to fit on (comma-separated; default: %(default)s)")
    ap.add_argument("--examples", default=",".join(EXAMPLE_SETS),
                    help="question sets whose questions the content holds as examples (bench/write_examples.py); "
                         "each training question is scored without its own fold's examples (default: %(default)s)")
    args = ap.parse_args()
    content = load_source(args.content)
    folds = example_folds(content, labelled_pool(ROOT / "tests" / "data", filter(None, args.examples.split(","))),
                          folds=FOLDS)
    model0 = _placeholder()
    kb = KnowledgeBase(folds.full, model=model0, off_topic=folds.full_off_topic)
    kbs = [KnowledgeBase(c, model=model0, off_topic=o) for c, o in folds.folds]
    rows: list[Row] = []
    row_set: list[str] = []  # the question set each row comes from
    for name in args.train.split(","):
        questions = load_questions(ROOT / "tests" / "data" / name)
        spoken = load_spoken(ROOT / "tests" / "data" / "spoken" / f"{'dev' if name == 'questions' else name}.jsonl")
        held = {e.text: e.group for e in examples_of(questions, name) + off_topic_of(questions, name)}
        by_kb: dict[int, list] = {}
        for q in questions:
            by_kb.setdefault(folds.fold(held[q.question]) if q.question in held else -1, []).append(q)
        for k, qs in sorted(by_kb.items()):
            base = max((r.group for r in rows), default=-1) + 1
            scorer = kb if k == -1 else kbs[k]
            new = rows_for(scorer, qs, spoken, augment=True)
            rows += [dataclasses.replace(r, group=r.group + base) for r in new]
            row_set += [name] * len(new)
    base = max(r.group for r in rows) + 1
    new = rows_for(kb, keyword_questions(kb))
    rows += [dataclasses.replace(r, group=r.group + base) for r in new]
    row_set += ["keywords"] * len(new)
    base = max(r.group for r in rows) + 1
    new = catalogue_rows(folds, model0)
    rows += [dataclasses.replace(r, group=r.group + base) for r in new]
    row_set += ["catalogue"] * len(new)
    feats = [r.evidence.features(r.hearing) for r in rows]
    x, mean, scale = standardise(feats, FEATURES)
    y_a = np.array([r.right_first for r in rows], dtype=float)
    y_o = np.array([r.right_offered for r in rows], dtype=float)
    # The offer model learns whether the question is about anything the kiosk knows (a
    # procedure, a redirect), not whether the first three hold the right one: "none" is
    # for questions about nothing it knows, and an in-scope question with a poor ranking
    # still deserves the choices. Leaving one labelled set out (examples from the other
    # two), in-scope "none" fell 10.5 → 6.2 % (first blind set) and 3.8 → 1.6 % (second),
    # right procedure offered 87.6 → 91.5 % and 85.3 → 87.5 %.
    # "Something the kiosk knows" is a question labelled with an entry (a procedure or a
    # redirect), whatever the matcher ranks first. Counting any redirect in first place as
    # known made that feature a tautology of the labels (every row with a redirect first was
    # a 1), and small talk whose first candidate is a redirect was always asked back.
    y_scope = np.array([r.in_scope for r in rows], dtype=float)
    groups = np.array([r.group for r in rows])
    rng = np.random.default_rng(11)
    ug = np.unique(groups)
    fold_of = dict(zip(rng.permutation(ug), np.arange(len(ug)) % FOLDS))
    fold = np.array([fold_of[g] for g in groups])
    pa, po = np.zeros(len(rows)), np.zeros(len(rows))
    # The catalogue examples teach the offer model that a question about a catalogue-only
    # procedure is about something the kiosk knows; in the answer model they lowered a
    # title asked as it reads ("Đăng ký khai sinh": p 0.88 → 0.82, asked back): a short
    # example's first candidate is often a sibling, which reads as "short questions are
    # unsure".
    for_answer = np.array([name != "catalogue" for name in row_set])
    shipped = DecisionModel.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8"))) if args.keep_answer else None
    kept = shipped.answer_in(FEATURES, mean, scale) if shipped is not None else None
    for k in range(FOLDS):
        tr, te = fold != k, fold == k
        ma = kept or fit_signed(x[tr & for_answer], y_a[tr & for_answer], OFFER_ONLY)
        mo = fit_signed(x[tr], y_scope[tr])
        pa[te] = [ma(v) for v in x[te]]
        po[te] = [mo(v) for v in x[te]]  # as knowledge.decide reads it: not raised to p_answer

    orig = np.array([r.original for r in rows])
    spoken_m = np.array([r.hearing is not None for r in rows])
    ins = np.array([r.in_scope for r in rows])
    typed_in = orig & ~spoken_m & ins
    # The wrong-answer rate that sets the answer bar is estimated on questions asked the way
    # citizens ask (development, earlier blind sets), not on training sets written to cover
    # every procedure and its rare siblings equally (train4): there a sibling is the point of
    # one situation in three, and the bar came out stricter than real traffic needs
    # (2026-12-02: 0.91 with train4's rows, "đăng ký kết hôn" asked back; left out, each
    # earlier blind set stayed ≤ 1.6 % wrong at 0.89).
    like_traffic = np.array([name not in COVERAGE_SETS for name in row_set])
    spoken_in = orig & spoken_m & ins
    oos_all = orig & ~ins & (y_a == 0)  # not redirected: should be refused
    # (out of scope as the lobby brings it: train6's hard out-of-remit questions, four in
    # five of its rows, set the offer bar to 0.77 and, leaving each earlier set out, it then
    # refused about two understood questions for each out-of-scope one it stopped asking back)
    oos = oos_all & ~spoken_m & like_traffic
    oos_spoken = oos_all & spoken_m

    def wrong_rate(mask, t):
        return float(np.sum(mask & (pa >= t) & (y_a == 0)) / max(np.sum(mask), 1))

    grid = np.round(np.arange(0.30, 0.99, 0.01), 2)
    answer_p = shipped.answer_p if shipped is not None else next(
        t for t in grid if wrong_rate(typed_in & like_traffic, t) <= WRONG_TYPED and wrong_rate(spoken_in, t) <= WRONG_SPOKEN
        and np.sum(oos & (pa >= t)) / max(np.sum(oos), 1) <= 1 - OOS_REFUSED)
    # (an out-of-scope question is "refused" by "none" or by a redirect; those whose
    # best match is a redirect are rightly answered and left out of the refusal count)
    ogrid = np.round(np.arange(0.01, answer_p, 0.01), 2)
    offer_p = next((t for t in ogrid if np.sum(oos & (pa < answer_p) & (po < t)) / max(np.sum(oos), 1) >= OOS_REFUSED), answer_p)
    held_out: dict = {}
    if not args.no_calibrate:
        floor, offer_floor, held_out = calibrated_bars(content, Path(args.content), args.train.split(","),
                                                       args.examples.split(","), float(answer_p), OFFER_SCAN_FROM,
                                                       keep_answer=args.keep_answer)
        if floor > answer_p:
            print(f"answer bar raised {answer_p} → {floor}: the lowest at which every earlier blind set, left out, "
                  f"is answered wrongly ≤ {100 * WRONG_HELD_OUT:.0f} %")
            answer_p = floor
        # The offer bar is the one the bound asks for, set by set: the pooled rule above
        # counts only out-of-scope questions not sent on, and moves with how many of them have
        # a redirect entry (2026-12-02 20:10: twenty new entries took sixteen easy ones out of
        # its pool and raised it 0.50 → 0.68; leaving each set out, 0.68 refused 2.3 % of the
        # first set's in-scope questions and 0.50 1.2 %, both handling ≥ 90 % out of scope).
        print(f"offer bar {offer_p} (pooled out-of-fold) → {offer_floor}: the lowest at which every earlier blind set, "
              f"left out, has ≥ {100 * OOS_HELD_OUT:.0f} % of its out-of-scope questions refused or sent on")
        offer_p = offer_floor
        ogrid = np.round(np.arange(0.01, answer_p, 0.01), 2)
    # Never stricter than typing: the spoken target exists to refuse less (a garbled real
    # question looks like chit-chat), not more.
    offer_p_spoken = min(offer_p, next((t for t in ogrid if np.sum(oos_spoken & (pa < answer_p) & (po < t)) / max(np.sum(oos_spoken), 1)
                                        >= OOS_REFUSED_SPOKEN), offer_p))

    bar = np.where(spoken_m, offer_p_spoken, offer_p)
    print("offer bar trade-off (typed, out-of-fold): bar → in-scope none %, out-of-scope refused %")
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9):
        none_in = np.sum(typed_in & (pa < answer_p) & (po < t)) / max(np.sum(typed_in), 1)
        refused = np.sum(oos & (pa < answer_p) & (po < t)) / max(np.sum(oos), 1)
        print(f"  {t:.2f} → {100 * none_in:5.1f} %, {100 * refused:5.1f} %")

    def report(mask, name):
        n = int(np.sum(mask))
        if not n:
            return {}
        ans = mask & (pa >= answer_p)
        off = mask & (pa < answer_p) & (po >= bar)
        none = mask & (pa < answer_p) & (po < bar)
        out = {
            "n": n,
            "answered_right_pct": round(100 * np.sum(ans & (y_a == 1)) / n, 1),
            "answered_wrong_pct": round(100 * np.sum(ans & (y_a == 0)) / n, 1),
            "clarify_pct": round(100 * np.sum(off) / n, 1),
            "none_pct": round(100 * np.sum(none) / n, 1),
            "offered_right_pct": round(100 * (np.sum(ans & (y_a == 1)) + np.sum(off & (y_o == 1))) / n, 1),
        }
        print(f"  {name:<22} {out}")
        return out

    print(f"rows: {len(rows)} ({int(np.sum(orig))} original, {int(np.sum(spoken_m))} spoken); "
          f"{platform.machine()}, Python {platform.python_version()}")
    print(f"bars: answer p ≥ {answer_p}, offer p ≥ {offer_p} (spoken {offer_p_spoken}); out-of-fold figures:")
    cv = {"typed_in_scope": report(typed_in, "typed, in scope"), "spoken_in_scope": report(spoken_in, "spoken, in scope"),
          "out_of_scope": report(oos, "typed out of scope"), "spoken_out_of_scope": report(oos_spoken, "spoken out of scope")}
    ma, mo = kept or fit_signed(x[for_answer], y_a[for_answer], OFFER_ONLY), fit_signed(x, y_scope)
    for name, m in (("answer", ma), ("offer", mo)):
        print(f"  {name} weights: " + ", ".join(f"{f}={w:+.2f}" for f, w in zip(FEATURES, m.weights)) + f", bias={m.bias:+.2f}")
    if args.write:
        model = DecisionModel(FEATURES, tuple(map(float, mean)), tuple(map(float, scale)), ma, mo, float(answer_p),
                              float(offer_p), {
                                  "fitted": dt.date.today().isoformat(), "script": "bench/fit_decision.py",
                                  "rows": len(rows), "procedures": len(kb.matcher), "cross_validated": cv,
                                  "held_out_by_bar": held_out,
                                  **({"answer_kept_from": shipped.note.get("fitted")} if shipped is not None else {}),
                                  "targets": {"wrong_typed": WRONG_TYPED, "wrong_spoken": WRONG_SPOKEN,
                                              "oos_refused": OOS_REFUSED, "oos_refused_spoken": OOS_REFUSED_SPOKEN}},
                              float(offer_p_spoken))
        model.save(Path(args.out))
        print(f"written {args.out}")


if __name__ == "__main__":
    main()
