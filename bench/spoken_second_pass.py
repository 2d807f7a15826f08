"""Does a second Whisper pass biased with the shortlisted procedures help spoken questions?

Each development question is read by espeak-ng and transcribed as the kiosk does; the
matcher's first candidates give a shortlist; the same audio is transcribed again with
faster-whisper ``hotwords`` set to the shortlist's short titles (or titles), and the
second transcript is matched again. Prints top-1/top-3 for the first pass, the second,
and the two combined (each procedure keeps its better score), with the extra time.

    .venv/bin/python bench/spoken_second_pass.py [--limit N] [--shortlist K]
"""
from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from spoken_questions import speak  # noqa: E402

from kiosk.config import load_config  # noqa: E402
from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.evaluate import load_questions  # noqa: E402
from knowledge.source import load_source  # noqa: E402
from speech import load_transcriber  # noqa: E402


def shortlist_words(kb: KnowledgeBase, codes: list[str]) -> str:
    return ", ".join(kb.procedure(c).label for c in codes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=120, help="questions (every k-th of the dev set; default 120)")
    ap.add_argument("--shortlist", type=int, default=6, help="candidates put in the second pass (default 6)")
    args = ap.parse_args()
    kb = KnowledgeBase(load_source(ROOT / "assets" / "content"))
    qs = [q for q in load_questions(ROOT / "tests" / "data" / "questions") if q.codes]
    step = max(1, len(qs) // args.limit)
    qs = qs[::step][: args.limit]
    tr = load_transcriber(load_config())
    tr.warm()
    hits = {"pass1": [0, 0], "pass2": [0, 0], "both": [0, 0]}
    extra = []
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "q.wav"
        for q in qs:
            speak(q.question, wav)
            t1 = tr.transcribe(wav)
            r1 = kb.matcher.rank(t1.text, limit=args.shortlist) if t1.text else None
            s1 = r1.scores if r1 else {}
            short = [m.code for m in r1.matches] if r1 else []
            t0 = time.perf_counter()
            t2 = tr.transcribe(wav, hotwords=shortlist_words(kb, short)) if short else t1
            extra.append(time.perf_counter() - t0)
            s2 = kb.matcher.rank(t2.text, limit=5).scores if t2.text else {}
            both = {c: max(s1.get(c, 0), s2.get(c, 0)) for c in set(s1) | set(s2)}
            for name, sc in (("pass1", s1), ("pass2", s2), ("both", both)):
                top = sorted(sc, key=lambda c: -sc[c])[:3]
                hits[name][0] += bool(top) and top[0] in q.codes
                hits[name][1] += any(c in q.codes for c in top)
    n = len(qs)
    print(f"{n} spoken development questions (espeak-ng → Whisper base); {platform.machine()}, Python {platform.python_version()}")
    for name, (top1, top3) in hits.items():
        print(f"  {name:<6} top-1 {100 * top1 / n:5.1f} %   top-3 {100 * top3 / n:5.1f} %")
    print(f"  second pass: median {statistics.median(extra):.2f} s, max {max(extra):.2f} s extra")


if __name__ == "__main__":
    main()
