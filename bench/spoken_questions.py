"""Hear a labelled question set the way the kiosk would: espeak-ng reads each question,
the shipped recogniser (Whisper base, config defaults) transcribes it. Writes one JSON
line per question (question, transcript, recogniser confidence) so that the matching
benchmarks and the decision fit can use spoken questions without re-running Whisper.

    .venv/bin/python bench/spoken_questions.py tests/data/questions tests/data/spoken/dev.jsonl
    .venv/bin/python bench/spoken_questions.py tests/data/blind tests/data/spoken/blind.jsonl

    .venv/bin/python bench/spoken_questions.py --second tests/data/blind tests/data/spoken/blind.jsonl

Resumable: questions already in the output file are skipped. ``--second`` adds, for each
question the kiosk would not answer outright from its first hearing, the second hearing
the kiosk makes (kiosk/hearing.py: biased towards the shortlisted procedures of the
current content) — rerun it after the content changes. espeak-ng's Vietnamese is crude,
so these transcripts are harder than a citizen's voice (see docs/speech.md).
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.config import load_config  # noqa: E402
from knowledge.evaluate import load_questions  # noqa: E402
from speech import load_transcriber  # noqa: E402

ESPEAK_WPM = 115  # the rate of the speech tests (tests/speech_fixtures.py)


def speak(text: str, wav: Path) -> None:
    raw = wav.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "vi", "-s", str(ESPEAK_WPM), "-w", str(raw), text], check=True, capture_output=True)
    subprocess.run(["sox", str(raw), "-r", "16000", str(wav), "pad", "0.3", "0.2"], check=True, capture_output=True)
    raw.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("questions", help="folder of labelled CSV files")
    ap.add_argument("out", help="JSON-lines output (appended to; resumable)")
    ap.add_argument("--second", action="store_true", help="add the kiosk's second hearing to every row")
    args = ap.parse_args()
    if args.second:
        return second_pass(Path(args.out))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if out.exists():
        done = {json.loads(line)["question"] for line in out.read_text(encoding="utf-8").splitlines() if line.strip()}
    questions = [q for q in dict.fromkeys(q.question for q in load_questions(args.questions)) if q not in done]
    config = load_config()
    tr = load_transcriber(config)
    tr.warm()
    print(f"{len(questions)} questions to hear on {platform.machine()}, {platform.python_version()}", file=sys.stderr)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, out.open("a", encoding="utf-8") as f:
        wav = Path(tmp) / "q.wav"
        for i, q in enumerate(questions, 1):
            speak(q, wav)
            t = tr.transcribe(wav)
            row = {"question": q, "transcript": t.text, **_hearing_row(t),
                   "audio_s": round(t.duration, 2), "asr_s": round(t.elapsed, 3)}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            f.flush()
            if i % 25 == 0:
                print(f"{i}/{len(questions)} {time.perf_counter() - t0:.0f} s", file=sys.stderr)


def _hearing_row(t) -> dict:
    segs = t.segments
    dur = sum(max(s.end - s.start, 0.01) for s in segs)
    return {
        "avg_logprob": round(sum(s.avg_logprob * max(s.end - s.start, 0.01) for s in segs) / dur, 4) if segs else None,
        "no_speech_prob": round(max((s.no_speech_prob for s in segs), default=1.0), 4),
    }


def second_pass(out: Path) -> None:
    from kiosk.hearing import shortlist_words
    from knowledge.base import KnowledgeBase
    from knowledge.decision_data import hearing_of
    from knowledge.model import Decision
    from knowledge.source import load_source

    config = load_config()
    kb = KnowledgeBase(load_source(ROOT / "assets" / "content"))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    tr = load_transcriber(config)
    tr.warm()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "q.wav"
        for i, row in enumerate(rows, 1):
            row.pop("second", None), row.pop("second_avg_logprob", None), row.pop("second_no_speech_prob", None)
            if not row["transcript"]:
                continue
            first = kb.ask(row["transcript"], hearing=hearing_of(row), limit=6)
            if first.decision is Decision.ANSWER or not first.matches:
                continue
            speak(row["question"], wav)
            t = tr.transcribe(wav, hotwords=shortlist_words(kb, first))
            h = _hearing_row(t)
            row.update({"second": t.text, "second_avg_logprob": h["avg_logprob"], "second_no_speech_prob": h["no_speech_prob"]})
            if i % 25 == 0:
                print(f"{i}/{len(rows)} {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


if __name__ == "__main__":
    main()
