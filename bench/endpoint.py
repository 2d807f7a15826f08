"""End of speech on real voices in a lobby, VAD only (no Whisper: fast).

Each real clip (``../shared/audio``) is placed in a scene (bench/lobby.py: 1 s
before, 3 s after, quiet room / babble / pink noise at an SNR / attenuated) and fed
through the kiosk's own endpointing (``ReplayRecorder``: Silero VAD +
``EndpointDetector``) for each ``--margins`` value of ``audio.floor_margin_db`` and
each ``--silences`` value of ``audio.end_silence_s``. Reported per setting:

- end: median / p90 seconds from the end of the voice to the decision (clips that
  ended after their voice);
- cut: clips whose recording lost more than 10 % of the voice (a pause inside the
  sentence taken for the end, or the voice's quiet end taken for the background);
- no end: clips with no decision within the 3 s after the voice (waiting for ever);
- coverage: median share of the voice inside the recording.

    .venv/bin/python bench/endpoint.py [--every 1] [--margins 0,6] [--silences 0.6]
        [--conditions clean,babble:20,babble:10,babble:5,steady:10,att:30]
Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import lobby  # noqa: E402
from asr_noise import scene  # noqa: E402
from asr_wer import DEFAULT_DIR, recorded_or_exit  # noqa: E402

from kiosk.config import load_config  # noqa: E402
from speech import load_audio  # noqa: E402
from speech.audio import TAIL_S, ReplayRecorder  # noqa: E402
from speech.vad import (  # noqa: E402
    WINDOW,
    Endpoint,
    EndpointConfig,  # noqa: E402
    SileroVad,
)

PRE_ROLL_S = EndpointConfig.pre_roll_s


def endpoint(audio_cfg, vad, sc: lobby.Scene) -> tuple[float | None, float, bool]:
    """(seconds from end of voice to decision or None, share of the voice recorded, heard)."""
    r = ReplayRecorder(audio_cfg, sc.audio, vad=vad)
    rec = r.record(max_wait_s=None)
    consumed = len(r.block_delivered_at) * WINDOW
    if not rec.heard:
        return None, 0.0, False
    ended = rec.reason == Endpoint.END_OF_SPEECH and consumed < sc.audio.size
    assert rec.span is not None  # a recording that heard speech has its span
    first, last = rec.span
    # What the recording holds: the detected speech with its pre-roll and tail.
    start = max(first * WINDOW - int(PRE_ROLL_S * lobby.SR), sc.speech_start)
    end = min(last * WINDOW + int(TAIL_S * lobby.SR), sc.speech_end)
    coverage = max(0, end - start) / max(1, sc.speech_end - sc.speech_start)
    return ((consumed - sc.speech_end) / lobby.SR if ended else None), coverage, True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--every", type=int, default=1)
    ap.add_argument("--margins", default="0,6")
    ap.add_argument("--silences", default="0.6")
    ap.add_argument("--floor-ends", default="1.0", help="audio.floor_end_s values")
    ap.add_argument("--vad-gains", default="0", help="audio.vad_gain_max_db values")
    ap.add_argument("--conditions", default="clean,babble:20,babble:10,babble:5,steady:10,att:30")
    args = ap.parse_args()
    clips = recorded_or_exit(args.dir)
    config = load_config()
    audio = [load_audio(wav) for wav, _ in clips]
    chosen = list(range(0, len(clips), max(1, args.every)))
    vad = SileroVad()
    print(f"{len(chosen)} of {len(clips)} clips in {args.dir}")
    print("| condition | end silence | floor margin, end | VAD gain max | end median / p90 | cut | no end | not heard | coverage |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for condition in args.conditions.split(","):
        scenes = [scene(condition, audio[i], [a for j, a in enumerate(audio) if j != i], seed=i) for i in chosen]
        settings = [(float(si), float(m), float(f), float(g))
                    for si in args.silences.split(",") for m in args.margins.split(",")
                    for f in args.floor_ends.split(",") for g in args.vad_gains.split(",")]
        seen = set()
        for silence, margin, floor_end, vad_gain in settings:
            if margin == 0:
                floor_end = float(args.floor_ends.split(",")[0])  # meaningless without the gate
            if (silence, margin, floor_end, vad_gain) in seen:
                continue
            seen.add((silence, margin, floor_end, vad_gain))
            cfg = dataclasses.replace(config.audio, end_silence_s=silence, floor_margin_db=margin,
                                      floor_end_s=floor_end, vad_gain_max_db=vad_gain)
            ends, covers, cut, no_end, deaf = [], [], 0, 0, 0
            for sc in scenes:
                delay, cover, heard = endpoint(cfg, vad, sc)
                deaf += not heard
                if heard:
                    covers.append(cover)
                cut += heard and cover < 0.9
                if delay is None:
                    no_end += heard
                elif delay >= 0:
                    ends.append(delay)
            ends.sort()
            ep = f"{statistics.median(ends):.2f} / {ends[int(0.9 * (len(ends) - 1))]:.2f} s" if ends else "—"
            print(f"| {condition} | {silence:g} s | {margin:g} dB, {floor_end:g} s | {vad_gain:g} dB | {ep} | {cut} | "
                  f"{no_end} | {deaf} | {np.median(covers) if covers else 0:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
