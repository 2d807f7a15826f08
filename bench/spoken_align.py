"""Does Whisper's own decoder tell the shortlisted procedures apart on a spoken question?

Issue 12, item 4: "scoring the shortlisted phrases against the audio with Whisper's decoder
(CTranslate2 ``Whisper.align`` returns per-token probabilities for given text)". For each
spoken question of a labelled set (espeak-ng reads it, as bench/spoken_questions.py does;
the kiosk's hearings come from that cache; the set's own questions are taken out of the
examples, so the text ranking is an unseen author's), the first ``--top`` candidates of the
merged ranking are scored against the audio with the kiosk's own code (kiosk/sound_fit.py:
the first transcript with the stretch most like one of the candidate's curated texts put
in its place, Whisper's decoder teacher-forced, per-token log-probability relative to the
transcript's). Writes one JSON line per question; ``--report`` reads such files and prints
top-1 / top-3 / top-4 when the candidates are re-ordered by text score + w × fit, for a
range of w (choose w on one set, read it on another).

    .venv/bin/python bench/spoken_align.py --set blind4 --out /tmp/align_blind4.jsonl
    .venv/bin/python bench/spoken_align.py --report /tmp/align_blind4.jsonl [--weights 0,5]

The kiosk runs it with ``asr.fit_choices`` on, for the first 6 candidates (``--top 6``).
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from leave_one_out import content_without  # noqa: E402
from spoken_questions import speak  # noqa: E402

from kiosk.config import load_config  # noqa: E402
from kiosk.sound_fit import sound_fit  # noqa: E402
from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.decision_data import hearings_of, load_spoken  # noqa: E402
from knowledge.evaluate import load_questions  # noqa: E402
from knowledge.examples import EXAMPLE_SETS  # noqa: E402
from knowledge.source import load_source  # noqa: E402
from speech import load_transcriber  # noqa: E402
from speech.asr import load_audio  # noqa: E402


def run(args) -> None:
    folder = ROOT / "tests" / "data" / ("questions" if args.set == "dev" else args.set)
    content = load_source(ROOT / "assets" / "content")
    # the set's own questions out of the examples: the text ranking as for an unseen author
    name = "questions" if args.set == "dev" else args.set
    content, off_topic = content_without(content, load_questions(folder), [s for s in EXAMPLE_SETS if s != name])
    kb = KnowledgeBase(content, off_topic=off_topic)
    spoken = load_spoken(ROOT / "tests" / "data" / "spoken" / f"{'dev' if args.set == 'dev' else args.set}.jsonl")
    qs = [q for q in load_questions(folder) if q.codes and q.kind != "broad" and q.question in spoken]
    qs = list({q.question: q for q in qs}.values())[args.skip:args.skip + args.limit]
    transcriber = load_transcriber(load_config())
    transcriber.warm()
    print(f"{len(qs)} questions, {platform.machine()}, Python {platform.python_version()}", file=sys.stderr)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, open(args.out, "a", encoding="utf-8") as f:
        wav = Path(tmp) / "q.wav"
        for n, q in enumerate(qs, 1):
            heard = hearings_of(spoken[q.question])
            ranking, _ = kb.rank_heard(heard, limit=args.top)
            speak(q.question, wav)
            samples = load_audio(wav)
            t1, c1 = time.perf_counter(), time.process_time()
            fitted = sound_fit(kb, transcriber, samples, heard[0][0], ranking.matches[:args.top])
            row = {"question": q.question, "codes": list(q.codes), "transcript": heard[0][0],
                   "candidates": [{"code": m.code, "score": m.score, "d_mean": round(fit, 4)} for m, fit in fitted],
                   "hypotheses": len(fitted) + 1, "align_s": round(time.perf_counter() - t1, 3),
                   "cpu_s": round(time.process_time() - c1, 3)}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            f.flush()
            if n % 25 == 0:
                print(f"{n}/{len(qs)} {time.perf_counter() - t0:.0f} s", file=sys.stderr)


def _rank_of(row: dict, key: str, w: float) -> int:
    cands = row["candidates"]
    if not cands:
        return 99
    order = sorted(range(len(cands)), key=lambda i: -(cands[i]["score"] + w * cands[i][key]))
    return next((r for r, i in enumerate(order) if cands[i]["code"] in row["codes"]), 99)


def report(paths: list[str], weights: tuple[float, ...] | None = None) -> None:
    """``weights``: only these (a held-out set is read at the weight chosen before, not searched)."""
    for path in paths:
        rows = [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines() if x.strip()]
        n = len(rows)
        t = sorted(r["align_s"] for r in rows)
        c = sorted(r.get("cpu_s", 0.0) for r in rows)
        print(f"{path}: {n} questions; decoder scoring (encode + align) median {t[n // 2]:.2f} s, p90 {t[int(0.9 * (n - 1))]:.2f} s "
              f"wall, CPU median {c[n // 2]:.2f} s; hypotheses median {sorted(r['hypotheses'] for r in rows)[n // 2]}")
        grid: tuple[tuple[str, tuple[float, ...]], ...] = (
            ("d_sum", (0, 0.5, 1, 2, 3, 5, 8, 12)), ("d_mean", (0, 5, 10, 20, 40, 80, 160)))
        if weights is not None:
            grid = (("d_mean", weights),)
        for key, ws in grid:
            if key not in rows[0]["candidates"][0]:
                continue
            for w in ws:
                ranks = [_rank_of(r, key, w) for r in rows]
                print(f"  {key} w={w:<5} top-1 {sum(x < 1 for x in ranks) / n * 100:5.1f} %  "
                      f"top-3 {sum(x < 3 for x in ranks) / n * 100:5.1f} %  top-4 {sum(x < 4 for x in ranks) / n * 100:5.1f} %")
        if weights is not None:
            continue
        alone = [_rank_of(r, "d_mean", 1e6) for r in rows]
        print(f"  acoustic alone: top-1 {sum(x < 1 for x in alone) / n * 100:.1f} %, top-4 {sum(x < 4 for x in alone) / n * 100:.1f} %"
              f"; right anywhere in the list {sum(x < 99 for x in alone) / n * 100:.1f} %")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="blind4")
    ap.add_argument("--out", default="/tmp/align.jsonl")
    ap.add_argument("--top", type=int, default=10, help="candidates scored by the decoder")
    ap.add_argument("--limit", type=int, default=10**6)
    ap.add_argument("--skip", type=int, default=0)
    ap.add_argument("--report", nargs="*")
    ap.add_argument("--weights", help="with --report: only these weights of the per-token fit, e.g. 0,5")
    args = ap.parse_args()
    if args.report:
        report(args.report, tuple(float(w) for w in args.weights.split(",")) if args.weights else None)
    else:
        run(args)


if __name__ == "__main__":
    main()
