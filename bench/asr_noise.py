"""Real voices in a lobby: WER and end of speech with babble, steady noise, quiet voices.

Each real clip (``../shared/audio``, FOSD) is placed in a scene — 1 s before, 3 s
after — and fed block by block through the kiosk's own listening code
(``ReplayRecorder``: Silero VAD, end-of-speech after ``audio.end_silence_s``), then the
recording it returns is transcribed as configured. Conditions (``--conditions``):

- ``clean``: a quiet room (−70 dBFS hiss);
- ``babble:SNR``: four other clips of the set talking at once, SNR dB below the voice;
- ``steady:SNR``: pink noise (a fan, air conditioning), SNR dB below the voice;
- ``att:DB``: the clip DB quieter (a soft voice, a metre away), quiet room.

Per condition: WER, mean syllable similarity, clips not heard at all (no speech
detected), empty transcripts, and end of speech: median / p90 seconds from the end
of the voice to the decision, and how many never ended within the 3 s after it.
``--oracle`` adds the WER of the same scene cut exactly at the voice (its clean voiced
span ± 0.3 s): what a perfect end of speech would leave to the recogniser.
``--by-level`` adds, per condition, the WER of the clips in quarters by their own active
level (dBFS), quietest first: where a far voice or the crowd costs most.

    .venv/bin/python bench/asr_noise.py [--dir ../shared/audio] [--every 4]
        [--conditions clean,babble:20,babble:10,babble:5,steady:20,steady:10,steady:5,att:20,att:30]
        [--gain on|off] [--window 10] [--beam 5] [--oracle] [--by-level] [-v]
Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import lobby  # noqa: E402
from asr_options import add_asr_options, with_asr_options  # noqa: E402
from asr_wer import DEFAULT_DIR, recorded_or_exit, similarity, words  # noqa: E402

from kiosk.config import load_config  # noqa: E402
from speech import load_audio, load_transcriber  # noqa: E402
from speech.audio import ReplayRecorder  # noqa: E402
from speech.vad import WINDOW, Endpoint, SileroVad  # noqa: E402

DEFAULT_CONDITIONS = "clean,babble:20,babble:10,babble:5,steady:20,steady:10,steady:5,att:20,att:30"


def scene(condition: str, clip: np.ndarray, others: list[np.ndarray], seed: int) -> lobby.Scene:
    kind, _, value = condition.partition(":")
    rng = np.random.default_rng(seed)
    n = int(4.0 * lobby.SR) + clip.size
    if kind == "clean":
        return lobby.in_noise(clip, None, None, rng=rng)
    if kind == "babble":
        return lobby.in_noise(clip, lobby.babble(others, n, rng), float(value), rng=rng)
    if kind == "steady":
        return lobby.in_noise(clip, lobby.pink_noise(n, rng), float(value), rng=rng)
    if kind == "att":
        return lobby.in_noise(lobby.attenuate(clip, float(value)), None, None, rng=rng)
    raise SystemExit(f"unknown condition {condition!r}")


def hear(config, vad, transcriber, sc: lobby.Scene):
    """Listen to the scene as the kiosk would; (recording, end delay s or None, transcript)."""
    rec_er = ReplayRecorder(config.audio, sc.audio, vad=vad)
    rec = rec_er.record(max_wait_s=None)
    consumed = len(rec_er.block_delivered_at) * WINDOW
    ended = rec.reason == Endpoint.END_OF_SPEECH and consumed < sc.audio.size
    delay = (consumed - sc.speech_end) / lobby.SR if ended else None
    t = transcriber.transcribe(rec.audio) if rec.heard else None
    return rec, delay, t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--every", type=int, default=4, help="every Nth clip (default 4: 25 of 100)")
    ap.add_argument("--conditions", default=DEFAULT_CONDITIONS)
    add_asr_options(ap)
    ap.add_argument("--oracle", action="store_true", help="also transcribe the scene cut exactly at the voice")
    ap.add_argument("--by-level", action="store_true", help="also WER by quarter of the clips' own level")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    clips = recorded_or_exit(args.dir)
    config = with_asr_options(load_config(), args)
    audio = [load_audio(wav) for wav, _ in clips]
    chosen = list(range(0, len(clips), max(1, args.every)))
    transcriber = load_transcriber(config)
    transcriber.warm()
    vad = SileroVad()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; "
          f"beam {config.asr.beam_size}, window {config.asr.window_s:g} s, gain {'on' if config.asr.normalise_gain else 'off'}, "
          f"end silence {config.audio.end_silence_s:g} s, floor margin {config.audio.floor_margin_db:g} dB; {len(chosen)} of {len(clips)} clips in {args.dir}")
    oracle_col = " WER cut at the voice |" if args.oracle else ""
    print("| condition | WER | similarity | not heard | empty | end of speech median / p90 | no end in 3 s | ASR median |" + oracle_col)
    print("| --- | --- | --- | --- | --- | --- | --- | --- |" + (" --- |" if args.oracle else ""))
    level = {i: 10 * math.log10(lobby.active_power(audio[i])) for i in chosen}
    for condition in args.conditions.split(","):
        per_clip: dict[int, tuple[int, int]] = {}
        errors = total = not_heard = empty = no_end = cut_errors = 0
        sims, delays, asr_s = [], [], []
        for i in chosen:
            others = [a for j, a in enumerate(audio) if j != i]
            sc = scene(condition, audio[i], others, seed=i)
            ref = clips[i][1]
            started = time.perf_counter()
            rec, delay, t = hear(config, vad, transcriber, sc)
            hyp = t.text if t else ""
            if t:
                asr_s.append(t.elapsed)
            not_heard += not rec.heard
            empty += bool(rec.heard and not hyp)
            if delay is None:
                no_end += 1
            else:
                delays.append(delay)
            errors += Levenshtein.distance(words(ref), words(hyp))
            per_clip[i] = (Levenshtein.distance(words(ref), words(hyp)), len(words(ref)))
            if args.oracle:
                pad = int(0.3 * lobby.SR)
                span = sc.audio[max(0, sc.speech_start - pad): sc.speech_end + pad]
                cut_errors += Levenshtein.distance(words(ref), words(transcriber.transcribe(span).text))
            total += len(words(ref))
            sims.append(similarity(hyp, ref))
            if args.verbose:
                d = "—" if delay is None else f"{delay:.2f}"
                print(f"    {condition:10} end {d:>5} s {time.perf_counter() - started:4.1f} s  {ref!r} → {hyp!r}", flush=True)
        delays.sort()
        ep = (f"{statistics.median(delays):.2f} / {delays[max(0, math.ceil(0.9 * len(delays)) - 1)]:.2f} s" if delays else "—")
        print(f"| {condition} | {100 * errors / max(1, total):.1f} % | {statistics.mean(sims):.3f} | {not_heard} | {empty} | "
              f"{ep} | {no_end} | {statistics.median(asr_s) if asr_s else 0:.2f} s |"
              + (f" {100 * cut_errors / max(1, total):.1f} % |" if args.oracle else ""), flush=True)
        if args.by_level:
            by_level(condition, per_clip, level)
    return 0


def by_level(condition: str, per_clip: dict[int, tuple[int, int]], level: dict[int, float]) -> None:
    """WER of the clips in four quarters by their own active level, quietest first."""
    order = sorted(per_clip, key=lambda i: level[i])
    for q in range(4):
        part = order[q * len(order) // 4:(q + 1) * len(order) // 4]
        if not part:
            continue
        e = sum(per_clip[i][0] for i in part)
        n = sum(per_clip[i][1] for i in part)
        print(f"|   {condition}, clips at {level[part[0]]:.1f} … {level[part[-1]]:.1f} dBFS ({len(part)}) | "
              f"{100 * e / max(1, n):.1f} % |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
