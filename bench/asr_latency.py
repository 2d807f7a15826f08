"""ASR latency and real-time factor for 3 / 5 / 10 s Vietnamese clips.

    python bench/asr_latency.py [--beams 5,1] [--windows 10,30] [--runs 3] [--model-dir DIR]

Clips are espeak-ng Vietnamese questions joined to the target length (speech, not
silence, so the decoder really works). Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from kiosk.config import load_config  # noqa: E402
from speech.asr import SAMPLE_RATE, resample  # noqa: E402

SENTENCES = [
    "Tôi muốn làm căn cước công dân",
    "Đăng ký khai sinh cho con cần giấy tờ gì",
    "Chứng thực bản sao hết bao nhiêu tiền",
    "Làm sao để đăng ký khai tử",
    "Xin cấp giấy phép xây dựng",
    "Mấy giờ ủy ban làm việc",
]


def speech_clip(seconds: float) -> np.ndarray:
    from speech.tts_espeak import EspeakSynthesizer

    synth = EspeakSynthesizer("vi", rate=0.75)
    pieces: list[np.ndarray] = [np.zeros(int(0.3 * SAMPLE_RATE), np.float32)]
    total = pieces[0].size
    i = 0
    while total < seconds * SAMPLE_RATE:
        for audio, rate in synth.synthesize(SENTENCES[i % len(SENTENCES)]):
            a = resample(audio.astype(np.float32) / 32768.0, rate, SAMPLE_RATE)
            pieces += [a, np.zeros(int(0.25 * SAMPLE_RATE), np.float32)]
            total += a.size + int(0.25 * SAMPLE_RATE)
        i += 1
    return np.concatenate(pieces)[: int(seconds * SAMPLE_RATE)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beams", default="5,1", help="beam sizes to compare (default: 5,1)")
    parser.add_argument("--windows", default="10,30", help="asr.window_s values to compare (default: 10,30)")
    parser.add_argument("--runs", type=int, default=3, help="runs per clip; the median is reported (default: 3)")
    parser.add_argument("--durations", default="3,5,10", help="clip lengths in seconds (default: 3,5,10)")
    parser.add_argument("--model-dir", help="CTranslate2 Whisper dir (default: the packaged base)")
    parser.add_argument("--temperatures", default="0", help="decoding temperatures, comma-separated (default: 0 = the transcriber's)")
    args = parser.parse_args()

    from speech.asr_whisper import WhisperTranscriber
    from speech.models import resolve_asr_model

    config = load_config()
    asr = config.asr if not args.model_dir else dataclasses.replace(config.asr, model_dir=Path(args.model_dir))
    model_dir = resolve_asr_model(asr, config.paths)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}; model {model_dir.name} {asr.compute_type}, "
          f"{asr.cpu_threads} threads, temperatures {args.temperatures}")
    started = time.monotonic()
    t = WhisperTranscriber(model_dir, asr)
    t.temperatures = tuple(float(x) for x in args.temperatures.split(","))
    load_s = time.monotonic() - started
    started = time.monotonic()
    t.warm()
    print(f"load {load_s:.2f} s, warm-up {time.monotonic() - started:.2f} s")

    clips = {float(d): speech_clip(float(d)) for d in args.durations.split(",")}
    # CPU seconds are reported too: on a machine shared with other work, wall-clock
    # latency is inflated, while CPU time per request barely moves.
    print(f"{'window':>6} {'beam':>4} {'clip':>6} {'median':>8} {'min':>7} {'RTF':>6} {'cpu':>7}  text")
    for window, beam in ((float(w), int(b)) for w in args.windows.split(",") for b in args.beams.split(",")):
        t.beam_size, t.window_s = beam, window
        for seconds, audio in clips.items():
            times, cpus = [], []
            for _ in range(args.runs):
                cpu0 = time.process_time()
                out = t.transcribe(audio)
                cpus.append(time.process_time() - cpu0)
                times.append(out.elapsed)
            med = statistics.median(times)
            print(f"{window:>5.0f}s {beam:>4} {seconds:>5.0f}s {med:>7.2f}s {min(times):>6.2f}s {med / seconds:>6.2f} "
                  f"{statistics.median(cpus):>6.2f}s  {out.text[:50]!r}")
    print(f"load average now {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
