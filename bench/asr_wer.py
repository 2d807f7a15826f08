"""Word error rate of the configured Whisper on recorded Vietnamese speech.

Reads ``DIR/*.wav`` with a ``.txt`` transcript next to each (default
``$KIOSK_SHARED_AUDIO`` or ``../shared/audio``: 100 real FOSD recordings). Without
recordings it says so and, with ``--espeak``, measures espeak-ng-generated questions
instead (labelled as such: a robot voice, not a citizen). Words are compared after
NFC, lower case and punctuation removal; a Vietnamese "word" here is a syllable.

Besides WER it reports the mean syllable similarity (what tests/test_speech_asr.py
guards), latency (median / p90 / mean wall-clock seconds per clip, and CPU seconds: on a
machine shared with other work the wall clock is noisy, CPU time much less), and every clip that came
back empty with the reason: what Silero VAD removed, what Whisper itself skipped as
no-speech, what the kiosk's guards dropped (speech.asr.filter_segments).

    .venv/bin/python bench/asr_wer.py [--dir ../shared/audio] [--window 10] [--beam 5]
        [--temperatures 0,0.2] [--prompt TEXT | --hotwords TEXT | --vocabulary]
        [--no-speech 0.6] [--log-prob -1] [--hard-log-prob -1.5] [--every N]
        [--jsonl out.jsonl] [-v]
Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import logging
import os
import platform
import re
import statistics
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

DEFAULT_DIR = Path(os.environ.get("KIOSK_SHARED_AUDIO") or ROOT.parent / "shared" / "audio")
NO_RECORDINGS = "no recordings (*.wav + *.txt) in {directory}"


def words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", unicodedata.normalize("NFC", text).lower()).split()


def similarity(hyp: str, ref: str) -> float:
    """Syllable similarity in [0, 1], as tests/speech_fixtures.py computes it."""
    import difflib

    return difflib.SequenceMatcher(None, words(hyp), words(ref)).ratio()


def recorded(directory: Path) -> list[tuple[Path, str]]:
    """(wav, transcript) for every ``*.wav`` with a ``.txt`` beside it; [] without the folder."""
    if not directory.is_dir():
        return []
    out = []
    for wav in sorted(directory.glob("*.wav")):
        txt = wav.with_suffix(".txt")
        if txt.is_file():
            out.append((wav, txt.read_text(encoding="utf-8").strip()))
    return out


def recorded_or_exit(directory: Path) -> list[tuple[Path, str]]:
    """The recordings, or exit 1 saying there are none: the scripts that mix, cut or
    replay real speech have nothing to measure without it (unlike this one, which can
    fall back to espeak-ng)."""
    clips = recorded(directory)
    if not clips:
        print(NO_RECORDINGS.format(directory=directory))
        raise SystemExit(1)
    return clips


def espeak_clips(tmp: Path) -> list[tuple[Path, str]]:
    from asr_hotwords import QUESTIONS
    from pipeline_latency import QUESTIONS as MORE

    out = []
    for i, text in enumerate(dict.fromkeys([q for q, _ in QUESTIONS] + MORE)):
        wav = tmp / f"q{i:02d}.wav"
        subprocess.run(["espeak-ng", "-v", "vi", "-s", "115", "-w", str(wav), text], check=True)
        out.append((wav, text))
    return out


class Reasons(logging.Handler):
    """Collects why audio was not transcribed, from faster-whisper's and the guards' logs."""

    PATTERNS = (
        ("guard", re.compile(r"dropped segment \((.*?)\)")),
        ("whisper no-speech", re.compile(r"No speech threshold is met")),
        ("vad", re.compile(r"VAD filter removed (\S+) of audio")),
    )

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.events: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        for name, pattern in self.PATTERNS:
            m = pattern.search(msg)
            if m:
                self.events.append(f"{name}: {m.group(1)}" if m.groups() else name)


def add_decoding_options(ap: argparse.ArgumentParser) -> None:
    """Decoding overrides beyond --window/--beam (only the benchmarks expose these)."""
    ap.add_argument("--temperatures", help="decoding temperatures, e.g. 0,0.2,0.4 (default: speech.asr_whisper.TEMPERATURES)")
    ap.add_argument("--prompt", help="initial_prompt text")
    ap.add_argument("--hotwords", help="faster-whisper hotwords text")
    ap.add_argument("--vocabulary", action="store_true", help="hotwords = bench/asr_hotwords.py's procedure vocabulary")
    ap.add_argument("--no-speech", type=float, help="asr.no_speech_threshold")
    ap.add_argument("--log-prob", type=float, help="asr.log_prob_threshold")
    ap.add_argument("--hard-log-prob", type=float, help="GuardThresholds.hard_log_prob")
    ap.add_argument("--compression", type=float, help="asr.compression_ratio_threshold")


def configure(transcriber, args: argparse.Namespace):
    """A copy of ``transcriber`` with the decoding overrides of ``args``."""
    tr = copy.copy(transcriber)
    if args.temperatures:
        tr.temperatures = tuple(float(t) for t in args.temperatures.split(","))
    if args.prompt:
        tr.initial_prompt = args.prompt
    if args.hotwords or args.vocabulary:
        from asr_hotwords import VOCABULARY

        from speech.asr import build_hotwords

        tr.hotwords = args.hotwords or build_hotwords(VOCABULARY)
    g = tr.guards
    tr.guards = dataclasses.replace(
        g,
        no_speech_prob=g.no_speech_prob if args.no_speech is None else args.no_speech,
        log_prob=g.log_prob if args.log_prob is None else args.log_prob,
        hard_log_prob=g.hard_log_prob if args.hard_log_prob is None else args.hard_log_prob,
        compression_ratio=g.compression_ratio if args.compression is None else args.compression,
    )
    return tr


def describe(tr) -> str:
    g = tr.guards
    parts = [f"beam {tr.beam_size}", f"window {tr.window_s:g} s", f"temperatures {','.join(f'{t:g}' for t in tr.temperatures)}",
             f"guards nsp>{g.no_speech_prob:g}&lp<{g.log_prob:g}, lp<{g.hard_log_prob:g}, cr>{g.compression_ratio:g}"]
    if tr.initial_prompt:
        parts.append(f"prompt {tr.initial_prompt[:40]!r}…")
    if tr.hotwords:
        parts.append(f"hotwords {tr.hotwords[:40]!r}…")
    return "; ".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--espeak", action="store_true", help="without recordings, measure espeak-ng questions")
    ap.add_argument("--every", type=int, default=1, help="only every Nth clip (sorted by name); default all")
    ap.add_argument("--jsonl", type=Path, help="write one JSON line per clip here")
    add_asr_options(ap)
    add_decoding_options(ap)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    config = with_asr_options(load_config(), args)
    clips = recorded(args.dir)
    source = f"recordings in {args.dir}"
    reasons = Reasons()
    for name in ("faster_whisper", "speech.asr"):
        log = logging.getLogger(name)
        log.addHandler(reasons)
        log.setLevel(logging.DEBUG)
        log.propagate = False
    with tempfile.TemporaryDirectory() as tmp:
        if not clips:
            print(NO_RECORDINGS.format(directory=args.dir))
            if not args.espeak:
                return 1
            clips = espeak_clips(Path(tmp))
            source = "espeak-ng questions (robot voice — not a WER for citizens)"
        clips = clips[:: max(1, args.every)]
        transcriber = configure(load_transcriber(config), args)
        transcriber.warm()
        errors = total = 0
        elapsed, cpu, sims, empty = [], [], [], []
        out = args.jsonl.open("w", encoding="utf-8") if args.jsonl else None
        for wav, ref in clips:
            reasons.events.clear()
            t, c = time.perf_counter(), time.process_time()
            tr = transcriber.transcribe(wav)
            elapsed.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            r, h = words(ref), words(tr.text)
            err = Levenshtein.distance(r, h)
            errors += err
            total += len(r)
            sims.append(similarity(tr.text, ref))
            why = [e for e in reasons.events if not e.startswith("vad")] or reasons.events
            if not tr.text:
                empty.append((wav.name, ref, why))
            if out:
                out.write(json.dumps({
                    "clip": wav.name, "ref": ref, "hyp": tr.text, "errors": err, "words": len(r),
                    "similarity": round(sims[-1], 3), "elapsed": round(elapsed[-1], 3), "duration": round(tr.duration, 2),
                    "dropped": list(tr.dropped), "events": reasons.events[:],
                    "segments": [{"text": s.text, "avg_logprob": round(s.avg_logprob, 3),
                                  "no_speech_prob": round(s.no_speech_prob, 3),
                                  "compression_ratio": round(s.compression_ratio, 2)} for s in tr.segments],
                }, ensure_ascii=False) + "\n")
            if args.verbose:
                print(f"  {err:2}/{len(r):2} {ref!r} → {tr.text!r}", flush=True)
        if out:
            out.close()
    elapsed.sort()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; model {transcriber.model}; "
          f"{describe(transcriber)}; {len(clips)} {source}")
    print(f"WER {100 * errors / max(1, total):.1f} % ({errors} errors / {total} words); "
          f"similarity {statistics.mean(sims):.3f}; empty {len(empty)}; "
          f"latency median {statistics.median(elapsed):.2f} s, p90 {elapsed[int(0.9 * (len(elapsed) - 1))]:.2f} s, "
          f"mean {statistics.mean(elapsed):.2f} s per clip; CPU {statistics.mean(cpu):.2f} s per clip")
    for name, ref, why in empty:
        print(f"  empty: {name} ({'; '.join(why) or 'no segment'}) {ref!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
