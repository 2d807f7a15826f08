"""Word error rate of the configured Whisper on recorded Vietnamese questions.

Reads ``DIR/*.wav`` with a ``.txt`` transcript next to each (default
``../shared/audio``, the team's recordings). Without recordings it says so and, with
``--espeak``, measures espeak-ng-generated questions instead (labelled as such: a
robot voice, not a citizen). Words are compared after NFC, lower case and punctuation
removal; a Vietnamese "word" here is a syllable, as written.

    .venv/bin/python bench/asr_wer.py [--dir ../shared/audio] [--espeak] [--window 10] [--beam 5] [-v]
Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from asr_options import add_asr_options, with_asr_options  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from speech import load_transcriber  # noqa: E402


def words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", unicodedata.normalize("NFC", text).lower()).split()


def recorded(directory: Path) -> list[tuple[Path, str]]:
    out = []
    for wav in sorted(directory.glob("*.wav")):
        txt = wav.with_suffix(".txt")
        if txt.is_file():
            out.append((wav, txt.read_text(encoding="utf-8").strip()))
    return out


def espeak_clips(tmp: Path) -> list[tuple[Path, str]]:
    from asr_hotwords import QUESTIONS
    from pipeline_latency import QUESTIONS as MORE

    out = []
    for i, text in enumerate(dict.fromkeys([q for q, _ in QUESTIONS] + MORE)):
        wav = tmp / f"q{i:02d}.wav"
        subprocess.run(["espeak-ng", "-v", "vi", "-s", "115", "-w", str(wav), text], check=True)
        out.append((wav, text))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=ROOT.parent / "shared" / "audio")
    ap.add_argument("--espeak", action="store_true", help="without recordings, measure espeak-ng questions")
    add_asr_options(ap)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    config = with_asr_options(load_config(), args)
    asr = config.asr
    clips = recorded(args.dir) if args.dir.is_dir() else []
    source = f"recordings in {args.dir}"
    with tempfile.TemporaryDirectory() as tmp:
        if not clips:
            print(f"no recordings (*.wav + *.txt) in {args.dir}")
            if not args.espeak:
                return 1
            clips = espeak_clips(Path(tmp))
            source = "espeak-ng questions (robot voice — not a WER for citizens)"
        transcriber = load_transcriber(config)
        transcriber.warm()
        errors = total = 0
        elapsed = []
        for wav, ref in clips:
            t = time.perf_counter()
            hyp = transcriber.transcribe(wav).text
            elapsed.append(time.perf_counter() - t)
            r, h = words(ref), words(hyp)
            errors += Levenshtein.distance(r, h)
            total += len(r)
            if args.verbose:
                print(f"  {Levenshtein.distance(r, h):2}/{len(r):2} {ref!r} → {hyp!r}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs; model {transcriber.model}; "
          f"beam {asr.beam_size}, window {asr.window_s:g} s; {len(clips)} {source}")
    print(f"WER {100 * errors / max(1, total):.1f} % ({errors} errors / {total} words); "
          f"mean {sum(elapsed) / len(elapsed):.2f} s per clip")
    return 0


if __name__ == "__main__":
    sys.exit(main())
