"""A steady-noise suppressor before Whisper, tried and not shipped: WER with and without it.

The suppressor: a decision-directed Wiener gain per frequency (32 ms frames, 8 ms hop), the
noise per frequency taken from the quietest 10 % of the recording's frames (an exponential's
mean from its 10th percentile), at most ``--floor`` dB off. Each clip is placed in a scene
and heard by the kiosk's own listening code as in bench/asr_noise.py; the recording is then
transcribed as is and suppressed. On this project's clips Whisper heard the suppressor's
artefacts more than the hiss (docs/speech.md), so it is not in ``speech/``.

    .venv/bin/python bench/asr_denoise.py [--conditions clean,att:30] [--every 2] [--floor -12]
Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from asr_noise import scene  # noqa: E402
from asr_wer import DEFAULT_DIR, recorded_or_exit, words  # noqa: E402

from kiosk.config import load_config  # noqa: E402
from speech import load_audio, load_transcriber  # noqa: E402
from speech.audio import ReplayRecorder  # noqa: E402
from speech.vad import SileroVad  # noqa: E402

N, HOP = 512, 128
WIN = np.sqrt(np.hanning(N + 1)[:-1])


def suppress(x: np.ndarray, floor_db: float = -12.0, pct: float = 10.0, alpha: float = 0.9) -> np.ndarray:
    pad = np.pad(x.astype(np.float64), (N, N))
    n = 1 + (pad.size - N) // HOP
    idx = np.arange(N)[None, :] + HOP * np.arange(n)[:, None]
    spec = np.fft.rfft(pad[idx] * WIN, axis=1)
    power = np.abs(spec) ** 2
    noise = np.percentile(power, pct, axis=0) / -np.log(1 - pct / 100) + 1e-12
    gmin = 10 ** (floor_db / 20)
    gains = np.empty_like(power)
    prev = np.ones(power.shape[1])
    for t in range(power.shape[0]):
        post = power[t] / noise
        prio = alpha * prev ** 2 * post + (1 - alpha) * np.maximum(post - 1, 0)
        prev = np.maximum(prio / (1 + prio), gmin)
        gains[t] = prev
    frames = np.fft.irfft(spec * gains, n=N, axis=1) * WIN
    out = np.zeros(HOP * (n - 1) + N)
    norm = np.zeros_like(out)
    for i in range(n):
        out[i * HOP:i * HOP + N] += frames[i]
        norm[i * HOP:i * HOP + N] += WIN ** 2
    return (out / np.maximum(norm, 1e-8))[N:N + x.size].astype(np.float32)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--conditions", default="clean,att:30")
    ap.add_argument("--every", type=int, default=2)
    ap.add_argument("--floor", type=float, default=-12.0, help="most the suppressor takes off, dB")
    args = ap.parse_args()
    clips = recorded_or_exit(args.dir)
    config = load_config()
    audio = [load_audio(wav) for wav, _ in clips]
    chosen = range(0, len(clips), max(1, args.every))
    transcriber = load_transcriber(config)
    transcriber.warm()
    vad = SileroVad()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; "
          f"{len(chosen)} of {len(clips)} clips; suppressor at most {-args.floor:g} dB off")
    print("| condition | WER as heard | WER suppressed |")
    print("| --- | --- | --- |")
    for condition in args.conditions.split(","):
        plain = suppressed = total = 0
        for i in chosen:
            others = [a for j, a in enumerate(audio) if j != i]
            sc = scene(condition, audio[i], others, seed=i)
            rec = ReplayRecorder(config.audio, sc.audio, vad=vad).record(max_wait_s=None)
            ref = words(clips[i][1])
            total += len(ref)
            a = transcriber.transcribe(rec.audio).text if rec.heard else ""
            b = transcriber.transcribe(suppress(rec.audio, args.floor)).text if rec.heard else ""
            plain += Levenshtein.distance(ref, words(a))
            suppressed += Levenshtein.distance(ref, words(b))
        print(f"| {condition} | {100 * plain / max(1, total):.1f} % | {100 * suppressed / max(1, total):.1f} % |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
