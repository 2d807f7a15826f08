"""Whisper's encoder window and beam size: speed against recognition.

Whisper pads every input to 30 s; the kiosk encodes a short question in a shorter
window (``asr.window_s``, never less than the audio plus 1 s). This compares windows
and beam sizes on espeak-ng Vietnamese questions (two speaking rates, 0.3 s of silence
before and 0.2 s after, as the recorder hands them over):

- latency: median and maximum seconds per transcription (2 CPU threads, int8);
- similarity: mean syllable similarity of the transcript to the question;
- same answer: how often ``kb.ask(transcript)`` puts first the procedure that
  ``kb.ask(question text)`` puts first — what matters at the kiosk.

    .venv/bin/python bench/asr_window.py [--configs 30:5,10:5,10:1,...] [-v]
Prints numbers; asserts nothing. espeak-ng's Vietnamese is crude, so absolute scores
are low; compare the rows with each other, and re-run on real recordings.
"""
from __future__ import annotations

import argparse
import copy
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from asr_hotwords import QUESTIONS, similarity  # noqa: E402
from pipeline_latency import QUESTIONS as PIPELINE_QUESTIONS  # noqa: E402

from kiosk.config import load_config  # noqa: E402
from kiosk.services import load_knowledge  # noqa: E402
from speech import load_audio, load_transcriber  # noqa: E402
from speech.asr_whisper import WhisperTranscriber  # noqa: E402

DEFAULT_CONFIGS = "30:5,30:1,20:5,15:5,10:5,10:1,8:5,5:5"


def clips(rates: list[int]) -> list[tuple[str, np.ndarray]]:
    texts = list(dict.fromkeys([q for q, _ in QUESTIONS] + PIPELINE_QUESTIONS))
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "q.wav"
        for text in texts:
            for wpm in rates:
                subprocess.run(["espeak-ng", "-v", "vi", "-s", str(wpm), "-w", str(wav), text], check=True)
                audio = load_audio(wav)
                out.append((text, np.concatenate([np.zeros(4800, np.float32), audio, np.zeros(3200, np.float32)])))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--configs", default=DEFAULT_CONFIGS, help=f"window_s:beam pairs (default {DEFAULT_CONFIGS})")
    ap.add_argument("--rates", default="110,125", help="espeak-ng words per minute (default 110,125)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every transcript")
    args = ap.parse_args()
    config = load_config()
    kb, _ = load_knowledge(config)
    base = load_transcriber(config)
    assert isinstance(base, WhisperTranscriber)  # window and beam are faster-whisper settings
    base.warm()
    data = clips([int(r) for r in args.rates.split(",")])
    expected = {text: kb.ask(text) for text, _ in data}
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs; model {base.model}; {len(data)} clips "
          f"({statistics.mean(a.size for _, a in data) / 16000:.1f} s mean)")
    for spec in args.configs.split(","):
        window, beam = spec.split(":")
        tr = copy.copy(base)
        tr.window_s, tr.beam_size = float(window), int(beam)
        times, sims, same = [], [], 0
        for text, audio in data:
            started = time.perf_counter()
            heard = tr.transcribe(audio).text
            times.append(time.perf_counter() - started)
            sims.append(similarity(text, heard))
            got, want = kb.ask(heard), expected[text]
            same += bool(got.matches and want.matches and got.matches[0].code == want.matches[0].code)
            if args.verbose:
                print(f"    {spec:6} {text!r} → {heard!r}")
        print(f"window {float(window):4.0f} s beam {beam}: median {statistics.median(times):.2f} s, max {max(times):.2f} s; "
              f"similarity {statistics.mean(sims):.3f}; same answer {same}/{len(data)}", flush=True)


if __name__ == "__main__":
    main()
